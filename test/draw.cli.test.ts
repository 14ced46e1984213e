// Guards the command line (README, Command line) for rounds and the draw, run as a user runs it: a child process
// `node --import tsx scripts/cli.ts ...` on its own DATA_DIR. Every start costs about a second, so the lifecycle
// test walks one fresh data directory through all its steps, and independent runs go side by side.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import { createApp } from '../server/app.js';
import { fixedClock } from '../server/clock.js';
import type { DrawRecord } from '../server/draw/record.js';
import { verifyDrawRecord } from '../server/draw/verify.js';
import { upsertRepresentatives } from '../server/pool/representatives.js';
import { createRound, drawRound, freezeRound, replaceMember } from '../server/rounds/rounds.js';
import { parseSettings } from '../server/rounds/settings.js';
import { upsertUnits } from '../server/units/units.js';
import { newPlace, openPlace, type Place } from './child-server.js';
import { createTestApp, testConfig } from './helpers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'cli-test-secret-0123456789-abcdefghijklmn';
const BASE_URL = 'https://pingyi.example.gov.cn';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh temporary directory; DATA_DIR is `data` inside it (not created until the CLI makes it). */
function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'pingyi-cli-'));
}

/** Runs the real CLI in a child process, in English, on the given place. */
function cli(place: Place, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATA_DIR', 'DATABASE_URL', 'SECRET', 'MIN_POOL', 'BASE_URL', 'TZ', 'LANG', 'LC_ALL', 'PASSWORD']) delete base[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...base, ...place.env, SECRET, MIN_POOL: '50', BASE_URL, TZ: 'Asia/Shanghai', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The place as this file's CLI runs use it: with the test's own secret. */
const withSecret = (place: Place): Place => ({ ...place, env: { ...place.env, SECRET } });

function succeeded(r: Run, what: string): string {
  assert.is(r.code, 0, `${what} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function refusedWith(r: Run, message: string | RegExp, what: string, code = 1): void {
  assert.is(r.code, code, `${what} should exit ${code}, exited ${r.code}; stdout: ${r.stdout}`);
  if (typeof message === 'string') assert.ok(r.stderr.includes(message), `${what}: stderr was ${r.stderr}`);
  else assert.match(r.stderr, message, what);
}

/** The place's database as text (the tables a round step touches), read in-process. */
async function snapshot(place: Place): Promise<string> {
  const db = (await openPlace(withSecret(place))).db;
  try {
    const out: string[] = [];
    for (const name of [
      'rounds',
      'round_pool',
      'round_units',
      'round_draw',
      'round_allocation',
      'round_replacements',
      'round_links',
      'audit_log',
      'representatives',
      'units',
    ]) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)} order by 1, 2`.execute(db);
      out.push(`${name}: ${JSON.stringify(rows.rows)}`);
    }
    return out.join('\n');
  } finally {
    await db.destroy();
  }
}

/** The public draw record of a data directory, as an in-process app serves it. */
async function publishedRecord(place: Place): Promise<{ text: string; rec: DrawRecord }> {
  const store = await openPlace(withSecret(place));
  const db = store.db;
  try {
    const app = createApp({ store, config: testConfig({ secret: SECRET, dataDir: place.dataDir }), clock: fixedClock('2026-03-01T02:00:00Z') });
    const res = await app.request('/draw/2026.json');
    assert.is(res.status, 200);
    const text = await res.text();
    return { text, rec: JSON.parse(text) as DrawRecord };
  } finally {
    await db.destroy();
  }
}

const token = (year: number, code: string, generation: number) =>
  createHmac('sha256', SECRET).update(`${year}:${code}:${generation}`).digest('base64url').slice(0, 22);

// A small synthetic city: 3 units, 64 representatives in 3 strata (MIN_POOL is 50 for these runs).
const UNITS_CSV = 'code,name,category\nU1,市财政局,综合管理部门\nU2,市公安局,行政执法部门\nU3,市供电公司,公共服务部门\n';
const STRATA: [string, string, number][] = [
  ['QY', '企业代表', 30],
  ['SQ', '社区居民', 22],
  ['MT', '媒体代表', 12],
];
const POOL_CSV =
  'code,name,stratum,district,phone,email,active\n' +
  STRATA.flatMap(([prefix, stratum, n]) =>
    Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')},代表${prefix}${i},${stratum},东湖区,1900000${String(i).padStart(4, '0')},,1\n`),
  ).join('') +
  'XX001,不在库中,企业代表,,,,0\n';

// ---- the lifecycle ----

const life = suite('cli: units, pool and a round from the command line');

life('import, create, freeze, draw, replace, open, close, status, links: output, exit codes, refusals that change nothing', async () => {
  const dir = tempDir();
  const data = await newPlace(join(dir, 'data'));
  try {
    writeFileSync(join(dir, 'units.csv'), UNITS_CSV);
    writeFileSync(join(dir, 'pool.csv'), `\uFEFF${POOL_CSV}`);
    succeeded(await cli(data, ['units', 'import', join(dir, 'units.csv')]), 'units import');
    succeeded(await cli(data, ['pool', 'import', join(dir, 'pool.csv')]), 'pool import');

    const created = succeeded(await cli(data, ['round', 'create', '--year', '2026', '--sample', '12', '--title', 'CLI round']), 'round create');
    assert.match(created, /Round 2026 created\. CLI round; sample 12, satisfaction4, opens 2026-12-01T09:00:00\+08:00, closes 2026-12-20T18:00:00\+08:00/);

    const before = await snapshot(data);
    refusedWith(
      await cli(data, ['round', 'draw', '--year', '2026', '--public-random', '1 2 3']),
      'Round 2026 is not frozen (status: draft). Freeze the pool and publish its fingerprint before drawing.',
      'draw before freeze',
    );
    assert.is(await snapshot(data), before, 'a refused draw changes nothing');

    const frozen = succeeded(await cli(data, ['round', 'freeze', '--year', '2026']), 'round freeze');
    const poolHash = /^poolHash ([0-9a-f]{64})$/m.exec(frozen)?.[1];
    assert.ok(poolHash, frozen);
    assert.match(frozen, /^ {2}企业代表: 30$/m);
    assert.match(frozen, /^ {2}社区居民: 22$/m);
    assert.match(frozen, /^ {2}媒体代表: 12$/m);
    assert.match(frozen, /^3 units$/m);

    const drawn = succeeded(await cli(data, ['round', 'draw', '--year', '2026', '--public-random', '1 2 3', '--source', 'lottery 2026001']), 'round draw');
    const seed = /^seed ([0-9a-f]{64})$/m.exec(drawn)?.[1];
    assert.ok(seed, drawn);
    // 12 seats of 64: 企业代表 5.625, 社区居民 4.125, 媒体代表 2.25 → 5, 4, 2 and the last seat to the largest remainder.
    assert.match(drawn, /^ {2}企业代表: 6$/m);
    assert.match(drawn, /^ {2}社区居民: 4$/m);
    assert.match(drawn, /^ {2}媒体代表: 2$/m);

    const { rec } = await publishedRecord(data);
    assert.is(rec.poolHash, poolHash);
    assert.is(rec.seed, seed);
    assert.is(rec.publicRandom, '1 2 3');
    assert.is(rec.sample!.length, 12);
    assert.not.ok(
      rec.pool.some((p) => p.code === 'XX001'),
      'the inactive representative is not in the frozen pool',
    );

    const leaving = rec.sample![0]!;
    const stratum = rec.pool.find((p) => p.code === leaving)!.stratum;
    const newcomer = rec.reserves![stratum]![0]!;
    const replaced = succeeded(await cli(data, ['round', 'replace', '--year', '2026', '--code', leaving, '--reason', 'moved away']), 'round replace');
    assert.is(replaced.trim(), newcomer);
    assert.match(succeeded(await cli(data, ['round', 'open', '--year', '2026']), 'round open'), /The round is open\./);
    assert.match(succeeded(await cli(data, ['round', 'close', '--year', '2026']), 'round close'), /The round is closed\./);

    const status = succeeded(await cli(data, ['round', 'status', '--year', '2026']), 'round status');
    assert.match(status, /^2026 CLI round$/m);
    assert.match(status, /^Status: closed \(closed\)$/m);
    assert.match(status, new RegExp(`^poolHash ${poolHash}$`, 'm'));
    assert.match(status, new RegExp(`^seed ${seed}$`, 'm'));
    assert.match(status, /^Turnout: 0\/12 0\.0%$/m);
    assert.match(status, /^ {2}企业代表: 0\/6 0\.0%$/m);

    const out = join(dir, 'links.csv');
    assert.match(succeeded(await cli(data, ['round', 'links', '--year', '2026', '--out', out]), 'round links'), /^12 → /m);
    const bytes = readFileSync(out);
    assert.equal([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const lines = bytes.toString('utf8').slice(1).split('\r\n').filter(Boolean);
    assert.is(lines[0], 'code,name,stratum,district,phone,email,url');
    assert.is(lines.length, 13);
    const listed = lines.slice(1).map((line) => line.split(','));
    for (const cells of listed) {
      assert.is(cells[6], `${BASE_URL}/s/${token(2026, cells[0]!, 1)}`, cells[0]);
      assert.is(cells[1], `代表${cells[0]!.slice(0, 2)}${Number(cells[0]!.slice(2))}`);
    }
    assert.ok(
      listed.some((c) => c[0] === newcomer),
      'the newcomer has a link',
    );
    assert.not.ok(
      listed.some((c) => c[0] === leaving),
      'the replaced representative has none',
    );

    // The CLI's draw, with its replacement, verifies from the published record alone (the verify-draw command
    // itself is run on such a file below).
    const published = (await publishedRecord(data)).rec;
    assert.equal(
      published.replacements.map((r) => [r.out, r.in, r.reason]),
      [[leaving, newcomer, 'moved away']],
    );
    assert.ok(verifyDrawRecord(published).ok);

    const db = (await openPlace(withSecret(data))).db;
    try {
      const audit = await db.selectFrom('audit_log').select(['action', 'actor']).where('action', 'like', 'round.%').orderBy('seq').execute();
      assert.equal(
        audit.map((r) => `${r.action}:${r.actor}`),
        ['round.create', 'round.freeze', 'round.draw', 'round.replace', 'round.open', 'round.close'].map((a) => `${a}:cli`),
      );
    } finally {
      await db.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

life('an unknown option is refused (exit 2, with the usage) before the data directory is touched', async () => {
  const dir = tempDir();
  try {
    const run = await cli(await newPlace(join(dir, 'data')), ['round', 'freeze', '--year', '2026', '--bogus', 'x']);
    refusedWith(run, 'round freeze: unknown option --bogus', 'unknown option', 2);
    assert.ok(run.stderr.includes('usage: round freeze --year Y'));
    assert.is(run.stdout, '');
    assert.not.ok(existsSync(join(dir, 'data')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

life('a missing or an extra argument is refused (exit 2, with the usage) before the data directory is touched', async () => {
  const dir = tempDir();
  try {
    const place = await newPlace(join(dir, 'data'));
    const missing = await cli(place, ['backup']);
    refusedWith(missing, 'backup: missing FILE', 'missing argument', 2);
    assert.ok(missing.stderr.includes('usage: backup FILE'));
    const extra = await cli(place, ['round', 'freeze', 'now', '--year', '2026']);
    refusedWith(extra, 'round freeze: unexpected now', 'extra argument', 2);
    const two = await cli(place, ['pool', 'export', 'a.csv', 'b.csv']);
    refusedWith(two, 'pool export: unexpected b.csv', 'two files', 2);
    for (const run of [missing, extra, two]) assert.is(run.stdout, '');
    assert.not.ok(existsSync(join(dir, 'data')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

life.run();

// ---- verify-draw ----

const verify = suite('cli: verify-draw FILE.json');

verify('a published draw matches (exit 0); swapped codes in the sample or the pool, or a non-JSON file, do not (exit 1); no DATA_DIR needed', async () => {
  const t = await createTestApp();
  await upsertUnits(t.db, t.audit, demoUnits().slice(0, 3), 'test');
  const reps = STRATA.flatMap(([prefix, stratum, n]) =>
    Array.from({ length: n }, (_, i) => ({
      code: `${prefix}${String(i).padStart(3, '0')}`,
      name: `n${i}`,
      stratum,
      district: null,
      phone: null,
      email: null,
      active: true,
    })),
  );
  await upsertRepresentatives(t.db, t.audit, reps, { actor: 'test' });
  const parsed = parseSettings({ year: '2026', sample: '20' }, 'Asia/Shanghai', (y) => `t${y}`);
  if (!parsed.ok) throw new Error('settings');
  assert.ok((await createRound(t.db, t.audit, parsed.settings, 'test')).ok);
  assert.ok((await freezeRound(t.db, t.audit, 2026, 10, 'test')).ok);
  const frozenText = await (await t.app.request('/draw/2026.json')).text();
  assert.ok((await drawRound(t.db, t.audit, { year: 2026, publicRandom: '08 15 23', source: '', secret: t.config.secret }, 'test')).ok);
  const first = (JSON.parse(await (await t.app.request('/draw/2026.json')).text()) as DrawRecord).sample![0]!;
  assert.ok((await replaceMember(t.db, t.audit, { year: 2026, code: first, reason: 'ill', secret: t.config.secret, timeZone: 'Asia/Shanghai' }, 'test')).ok);
  const text = await (await t.app.request('/draw/2026.json')).text();
  const rec = JSON.parse(text) as DrawRecord;

  const dir = tempDir();
  try {
    const write = (name: string, content: string) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    const swappedSample = structuredClone(rec);
    [swappedSample.sample![2], swappedSample.sample![7]] = [swappedSample.sample![7]!, swappedSample.sample![2]!];
    // Two codes of different strata trade places in the pool: the same codes, another canonical file.
    const swappedPool = structuredClone(rec);
    const i = swappedPool.pool.findIndex((p) => p.stratum === '企业代表');
    const j = swappedPool.pool.findIndex((p) => p.stratum === '媒体代表');
    const [a, b] = [swappedPool.pool[i]!.code, swappedPool.pool[j]!.code];
    swappedPool.pool[i]!.code = b;
    swappedPool.pool[j]!.code = a;
    const stratumOf = new Map(rec.pool.map((p) => [p.code, p.stratum]));
    const wrongReplacement = structuredClone(rec);
    wrongReplacement.replacements[0]!.in = rec.reserves![stratumOf.get(first)!]![1]!;

    // The same verdicts in-process (verifyDrawRecord), so that only a few process starts are needed below.
    assert.equal(verifyDrawRecord(rec), { ok: true, checked: ['poolHash', 'strata', 'seed', 'allocation', 'sample', 'reserves', 'replacements'] });
    assert.equal(verifyDrawRecord(JSON.parse(frozenText) as DrawRecord), { ok: true, checked: ['poolHash', 'strata'] });
    const next = rec.reserves![stratumOf.get(first)!]!;
    assert.equal(verifyDrawRecord(wrongReplacement), {
      ok: false,
      difference: `replacements[0]: the seat went to ${next[1]}, the next reserve of ${stratumOf.get(first)} is ${next[0]}`,
    });
    const swappedReserves = structuredClone(rec);
    const stratum = Object.keys(rec.reserves!)[0]!;
    swappedReserves.reserves![stratum] = [...rec.reserves![stratum]!].reverse();
    assert.match((verifyDrawRecord(swappedReserves) as { difference: string }).difference, `reserves.${stratum}[0]`);

    // A DATA_DIR that must not come into being: verify-draw needs no installation.
    const noData: Place = { dataDir: join(dir, 'no-data-dir'), env: { DATA_DIR: join(dir, 'no-data-dir') } };
    const ok = await cli(noData, ['verify-draw', write('ok.json', text)]);
    assert.match(succeeded(ok, 'verify-draw ok'), /^OK — 2026: poolHash, strata, seed, allocation, sample, reserves, replacements match$/m);
    refusedWith(
      await cli(noData, ['verify-draw', write('sample.json', JSON.stringify(swappedSample))]),
      `MISMATCH — sample[2]: the file has ${rec.sample![7]}, recomputed ${rec.sample![2]}`,
      'two codes of the sample swapped',
    );
    refusedWith(
      await cli(noData, ['verify-draw', write('pool.json', JSON.stringify(swappedPool))]),
      /^MISMATCH — poolHash: the file has [0-9a-f]{64}, the pool in the file hashes to [0-9a-f]{64}$/m,
      'two codes of the pool swapped',
    );
    const html = write('not.json', '<!doctype html><p>Not found</p>');
    refusedWith(await cli(noData, ['verify-draw', html]), `${html} is not a JSON file`, 'not JSON');
    assert.not.ok(existsSync(noData.dataDir), 'verify-draw never creates DATA_DIR');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

verify.run();
