// Shared by the tests that need the real thing rather than `app.request()`: an installation in a temporary
// place (DATA_DIR, and on a PostgreSQL test run a schema of its own) with units, a pool, an open round whose sample is the whole pool, so every submission has its own link),
// the server started as a user starts it (`node --import tsx server/main.ts`) on a free port, and the CLI run as a
// child process on the same DATA_DIR. The approach is that of scripts/bench/server.ts, with the ability to kill
// the server at any moment and start it again on the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoUnits } from '../server/demo/city.js';
import { openRoundForWholePool } from '../server/demo/open-round.js';
import { fixedClock } from '../server/clock.js';
import { loadConfig, type Config } from '../server/config.js';
import { linkToken } from '../server/links/tokens.js';
import { openStore } from '../server/db/database.js';
import type { Store } from '../server/db/store.js';
import { createTestSchema } from './db.js';
import type { RepresentativeInput } from '../server/pool/representatives.js';
import type { UnitInput } from '../server/units/units.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const YEAR = 2026;
const CHOICES = ['satisfied', 'basic', 'dissatisfied', 'unknown'] as const;

/** The variables the server and the CLI read; the caller's own values never leak into a child. */
const OWN_VARS = [
  'DATA_DIR',
  'DATABASE_URL',
  'SECRET',
  'PORT',
  'HOST',
  'BASE_URL',
  'MIN_POOL',
  'TZ',
  'TRUST_PROXY',
  'SESSION_IDLE_MINUTES',
  'REPLY_DAYS',
  'LANG',
  'LC_ALL',
];

/**
 * Where an installation keeps its data: a data directory and, on a PostgreSQL test run (TEST_DATABASE_URL), a
 * fresh schema of its own. `env` is what the server and the CLI are started with to find it.
 */
export interface Place {
  dataDir: string;
  env: Record<string, string>;
}

/** Shared by every installation on PostgreSQL, which needs SECRET set (no secret file in DATA_DIR there). */
const PG_SECRET = 'child-server-secret-child-server-secret-00';

export async function newPlace(dataDir: string): Promise<Place> {
  const url = await createTestSchema();
  // Without a database URL, no SECRET: the installation keeps it in DATA_DIR/secret, as a real one does (and as a
  // restore must keep it).
  return { dataDir, env: url ? { DATA_DIR: dataDir, DATABASE_URL: url, SECRET: PG_SECRET } : { DATA_DIR: dataDir } };
}

/** The place's database, opened in this process. */
export function openPlace(place: Place): Promise<Store> {
  return openStore(loadConfig(place.env));
}

export function childEnv(place: Place, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of OWN_VARS) delete env[k];
  return { ...env, ...place.env, HOST: '127.0.0.1', MIN_POOL: '10', TZ: 'Asia/Shanghai', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', NO_COLOR: '1', ...extra };
}

export interface Installation extends Place {
  /** A fresh temporary directory; DATA_DIR is `data` inside it, so siblings (backups) can sit next to it. */
  root: string;
  /** The SQLite file (on a PostgreSQL run it is never made). */
  dbFile: string;
  config: Config;
  units: UnitInput[];
  pool: RepresentativeInput[];
  /** The link token of every pool member (all are drawn), in pool order. */
  tokens: string[];
  cleanup(): void;
}

/** Builds an installation with an open round (opened yesterday, closing tomorrow) whose sample is the whole pool. */
export async function prepareInstallation(opts: { links: number; units?: number; sqlite?: boolean }): Promise<Installation> {
  const root = mkdtempSync(join(tmpdir(), 'pingyi-child-'));
  const dataDir = join(root, 'data');
  // `sqlite`: on SQLite whatever database the run tests (the source of a move to PostgreSQL, say).
  const place: Place = opts.sqlite ? { dataDir, env: { DATA_DIR: dataDir } } : await newPlace(dataDir);
  const config = loadConfig({ ...place.env, MIN_POOL: '10', TZ: 'Asia/Shanghai' });
  const store = await openStore(config);
  const db = store.db;
  try {
    const clock = fixedClock(new Date());
    const units = demoUnits().slice(0, opts.units ?? 12);
    const pool = await openRoundForWholePool(db, clock, config, {
      year: YEAR,
      units,
      links: opts.links,
      strata: ['人大代表', '企业代表', '社区居民'],
      codePrefix: 'C',
      codeDigits: 6,
      title: 'Crash-safety round',
      publicRandom: 'child-server',
      actor: 'setup',
    });
    return {
      ...place,
      root,
      dbFile: join(dataDir, 'pingyi.db'),
      config,
      units,
      pool,
      tokens: pool.map((p) => linkToken(config.secret, YEAR, p.code, 1)),
      cleanup: () => rmSync(root, { recursive: true, force: true }),
    };
  } finally {
    await db.destroy();
  }
}

/** A complete, valid ballot for `units`, in the body format of scripts/bench/http.ts; `i` varies the answers. */
export function ballotBody(units: readonly { code: string }[], i: number): string {
  return units.map((u, k) => `u.${u.code}=${CHOICES[(i + k) % 4]}`).join('&');
}

/** POSTs a ballot without following the redirect: a 303 with a receipt (see `receiptOf`) is an acknowledgement. */
export function submit(base: string, token: string, body: string): Promise<Response> {
  return fetch(`${base}/s/${token}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
}

/**
 * The receipt a ballot's 303 hands to the thank-you page: in a cookie for `/thanks`, never in the address (which
 * must be exactly `/thanks`).
 */
export function receiptOf(res: Response): string | undefined {
  if (res.status !== 303 || res.headers.get('location') !== '/thanks') return undefined;
  for (const cookie of res.headers.getSetCookie()) {
    const m = /^receipt=([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}); Max-Age=\d+; Path=\/thanks; HttpOnly; SameSite=Strict/.exec(cookie);
    if (m) return m[1];
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ChildServer {
  base: string;
  pid: number;
  /** The last 64 KB of what the server printed (request log, errors), for failure messages. */
  output(): string;
  /** Sends `signal` and resolves when the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGTERM: the server's own clean shutdown. */
  stop(): Promise<void>;
}

/** Starts `node --import tsx server/main.ts` on the place and a free port; resolves once /healthz answers. */
export async function startChildServer(place: Place): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: childEnv(place, { PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 128 * 1024) out = out.slice(-64 * 1024);
  };
  // Read everything: on Linux a child writes to a pipe synchronously, and a full pipe would stall the server.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  let gone = false;
  void exited.then(() => (gone = true));

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`the server exited before answering:\n${out.slice(-4000)}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /healthz within 60 s:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const kill = async (signal: NodeJS.Signals) => {
    if (!gone) child.kill(signal);
    await exited;
  };
  return { base, pid: child.pid as number, output: () => out, kill, stop: () => kill('SIGTERM') };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx scripts/cli.ts ...args` on the place, in English, as a user would. */
export function runCli(place: Place, args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/cli.ts'), ...args], {
      cwd: ROOT,
      env: childEnv(place, extraEnv),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      live.delete(child);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
