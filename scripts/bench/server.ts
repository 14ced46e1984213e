/*
 * A throwaway installation for the HTTP benchmarks: a temporary data directory (or, with TEST_DATABASE_URL, a
 * PostgreSQL schema) with the demo city's units, a large synthetic pool and an open round whose sample is the
 * whole pool, so every submission can use its own link. The server runs in a child process, so the load generator and the server do not share a thread.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditTrail } from '../../server/audit/log.js';
import { fixedClock } from '../../server/clock.js';
import { loadConfig, type Config } from '../../server/config.js';
import { linkToken } from '../../server/links/tokens.js';
import { createSchema, openStore } from '../../server/db/database.js';
import { publishResults } from '../../server/results/publish.js';
import { closeRound, findRound } from '../../server/rounds/rounds.js';
import { castBallot } from '../../server/survey/cast.js';
import { demoUnits } from '../../server/demo/city.js';
import { openRoundForWholePool } from '../../server/demo/open-round.js';
import type { DesignInput } from '../../server/rounds/design.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const YEAR = 2026;

export interface BenchServer {
  base: string;
  config: Config;
  tokens: string[];
  units: string[];
  /** The open round's id, which its form sends with every ballot (survey/accept.ts, ROUND_FIELD). */
  roundId: string;
  /** The published results page of last year, when `publishedBallots` asked for one. */
  resultsPath?: string;
  /** A second server process on the same database (PostgreSQL), on `port`; resolves to its base address. */
  another(port: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startBenchServer(opts: {
  links: number;
  port: number;
  publishedBallots?: number;
  design?: DesignInput;
  nodeArgs?: string[];
}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pingyi-bench-'));
  // On PostgreSQL when TEST_DATABASE_URL names a server (scripts/with-postgres.sh npm run bench): a fresh schema.
  const databaseUrl = process.env.TEST_DATABASE_URL ? await createSchema(process.env.TEST_DATABASE_URL) : undefined;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: String(opts.port),
    HOST: '127.0.0.1',
    MIN_POOL: '10',
    SECRET: 'bench-secret-bench-secret-bench-secret-00',
  };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const config = loadConfig(env);
  const store = await openStore(config);
  const db = store.db;
  const clock = fixedClock(new Date());
  const units = demoUnits();
  const plan = {
    units,
    links: opts.links,
    strata: ['人大代表', '政协委员', '企业代表', '社区居民', '农村代表', '媒体代表'],
    codePrefix: 'B',
    codeDigits: 7,
    title: 'Benchmark round',
    publicRandom: 'bench',
    actor: 'bench',
  };
  if (opts.publishedBallots) {
    // Last year's round, published, to read beside this year's open one: a sample of the same pool, each member
    // of it casting a ballot, then closed and published.
    const lastYear = YEAR - 1;
    await openRoundForWholePool(db, clock, config, { ...plan, year: lastYear, sample: opts.publishedBallots });
    const round = (await findRound(db, lastYear))!;
    const drawn = await db.selectFrom('round_draw').select('code').where('round_id', '=', round.id).where('kind', '=', 'sample').orderBy('code').execute();
    const answers = ['satisfied', 'basic', 'dissatisfied', 'unknown'] as const;
    for (const [i, { code }] of drawn.entries()) {
      const ballot = Object.fromEntries(units.map((u, k) => [u.code, answers[(i * 7 + k * (k % 5)) % 4] as string]));
      await castBallot(store, clock, config.timeZone, {
        token: linkToken(config.secret, lastYear, code, 1),
        roundId: round.id,
        answers: ballot as never,
        comments: {},
        comment: null,
      });
    }
    const audit = auditTrail(config.secret, clock);
    for (const step of [() => closeRound(store, audit, lastYear, 'bench'), () => publishResults(db, audit, { year: lastYear, note: '' }, 'bench')]) {
      const r = await step();
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
    }
  }
  const pool = await openRoundForWholePool(db, clock, config, { ...plan, year: YEAR, design: opts.design });
  const roundId = (await findRound(db, YEAR))!.id;
  await store.destroy();

  const first = await spawnServer(env, opts.port, opts.nodeArgs);
  const more: Spawned[] = [];
  return {
    base: first.base,
    config,
    tokens: pool.map((p) => linkToken(config.secret, YEAR, p.code, 1)),
    units: units.map((u) => u.code),
    roundId,
    resultsPath: opts.publishedBallots ? `/results/${YEAR - 1}` : undefined,
    async another(port: number) {
      const s = await spawnServer(env, port, opts.nodeArgs);
      more.push(s);
      return s.base;
    },
    async stop() {
      for (const s of [first, ...more]) await s.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Spawned {
  base: string;
  stop(): Promise<void>;
}

/** `server/main.ts` in a child process on `port`, with the installation's environment; resolves once it answers. */
async function spawnServer(env: Record<string, string>, port: number, nodeArgs: string[] = []): Promise<Spawned> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(root, 'server/main.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', ...env, PORT: String(port) }, // never an installation's own database
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      if (i > 200) throw new Error('the benchmark server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    base,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
