// Guards docs/SPEC.md, Anonymity and trust "the stored order of ballots says nothing about when they came" in the database files
// themselves, not only in what a query returns (server/survey/mix.ts). On SQLite: a copy of the files after closing
// is what a fresh VACUUM of their contents would write (so the same whatever order the ballots came in), the
// ballots and links stand in key order on every page, and the WAL is empty. On PostgreSQL: a mixing pass that cannot
// finish (its CLUSTER blocked, or an older transaction keeping the old row versions) says so and is finished by
// the next pass; afterwards no row version in the files carries a ballot's transaction id.
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { auditTrail } from '../server/audit/log.js';
import { fixedClock } from '../server/clock.js';
import { loadConfig } from '../server/config.js';
import { demoUnits } from '../server/demo/city.js';
import { openSqliteStore, type SqliteStore } from '../server/db/sqlite-store.js';
import type { Store } from '../server/db/store.js';
import type { Database } from '../server/db/schema.js';
import { tokenHash } from '../server/links/tokens.js';
import { closeRound, findRound } from '../server/rounds/rounds.js';
import { castBallot } from '../server/survey/cast.js';
import { startMixing } from '../server/survey/mix.js';
import { ballotBody, prepareInstallation, runCli, startChildServer, submit, YEAR, type ChildServer, type Installation } from './child-server.js';
import { btreePages, cellsInKeyOrder, readSqliteFiles, type SqliteFiles } from './sqlite-pages.js';
import { fullBallot, openSurvey, post, YEAR as SURVEY_YEAR, type Survey } from './survey-fixture.js';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pingyi-mixing-'));
  temps.push(dir);
  return dir;
}

/** A deterministic shuffle, so that a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Copies the database files of a running installation, as anyone with access to the disk could. */
function copyFiles(dataDir: string): string {
  const to = tempDir();
  for (const name of ['pingyi.db', 'pingyi.db-wal', 'pingyi.db-shm']) {
    if (existsSync(join(dataDir, name))) copyFileSync(join(dataDir, name), join(to, name));
  }
  return join(to, 'pingyi.db');
}

/** The b-trees of the ballots, the links and their indexes (the receipt index among them), by name. */
function roots(dbFile: string): Map<string, number> {
  const db = new SqliteDatabase(dbFile, { readonly: true });
  try {
    const rows = db.prepare(`select name, rootpage from sqlite_master where tbl_name in ('ballots', 'round_links') and rootpage > 0`).all() as {
      name: string;
      rootpage: number;
    }[];
    return new Map(rows.map((r) => [r.name, r.rootpage]));
  } finally {
    db.close();
  }
}

/**
 * The pages of `files` that differ from those a fresh VACUUM writes from the same contents (with freed space zeroed,
 * as the installation's connections do): a layout that depends on nothing but the contents.
 */
function differencesFromFreshBuild(files: SqliteFiles, dbFile: string): number[] {
  const reference = join(tempDir(), 'reference.db');
  const db = new SqliteDatabase(dbFile);
  try {
    db.pragma('secure_delete = ON');
    db.prepare('vacuum into ?').run(reference);
  } finally {
    db.close();
  }
  const fresh = readSqliteFiles(reference);
  const differ: number[] = [];
  for (let p = 1; p <= Math.max(files.pageCount, fresh.pageCount); p++) {
    // Page 1 starts with the file header, whose counters and journal mode are not part of the layout.
    const from = p === 1 ? 100 : 0;
    if (p > files.pageCount || p > fresh.pageCount || !files.page(p).subarray(from).equals(fresh.page(p).subarray(from))) differ.push(p);
  }
  return differ;
}

/**
 * How many pairs of used links that share a page sit in the order they were used (the later one below), of all such
 * pairs: about half when the layout says nothing, all of them when cells are written as ballots come.
 */
function linkPairsInArrivalOrder(files: SqliteFiles, root: number, arrival: readonly string[]): string {
  const when = new Map(arrival.map((token, i) => [tokenHash(token), i]));
  let pairs = 0;
  let inOrder = 0;
  for (const page of btreePages(files, root).filter((p) => p.leaf)) {
    const used = page.cells
      .filter((c) => when.has(c.values?.[3] as string))
      .map((c) => ({ at: when.get(c.values?.[3] as string) as number, offset: c.offset }));
    for (let i = 0; i < used.length; i++) {
      for (let j = i + 1; j < used.length; j++) {
        pairs++;
        const [a, b] = [used[i]!, used[j]!];
        if (a.at < b.at === a.offset > b.offset) inOrder++;
      }
    }
  }
  return `${inOrder} of ${pairs} same-page pairs of used links in arrival order`;
}

// ---- SQLite ----

const files = suite('mixing on SQLite: what a copy of the files tells');

let server: ChildServer | undefined;
let inst: Installation | undefined;
files.after(async () => {
  await server?.stop();
  inst?.cleanup();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

files('after `round close`, a copy of the files taken while the server runs is in key order, with an empty WAL', async () => {
  if (onPostgres) return; // the files of SQLite; PostgreSQL's are checked below
  inst = await prepareInstallation({ links: 240, units: 6 });
  server = await startChildServer(inst);
  // Ballots on two thirds of the links, one after another in a shuffled order (each its own commit).
  const arrival = shuffled(inst.tokens, 14).slice(0, 160);
  for (const [i, token] of arrival.entries()) {
    const res = await submit(server.base, token, ballotBody(inst.units, i));
    assert.is(res.status, 303, `ballot ${i}`);
  }
  const closed = await runCli(inst, ['round', 'close', '--year', String(YEAR)]);
  assert.is(closed.code, 0, closed.stderr);

  const copy = copyFiles(inst.dataDir);
  const pages = readSqliteFiles(copy);
  const trees = roots(copy);
  const linkOrder = linkPairsInArrivalOrder(pages, trees.get('round_links') as number, arrival);
  for (const table of ['ballots', 'round_links']) {
    const tree = btreePages(pages, trees.get(table) as number);
    const disordered = tree.filter((p) => !cellsInKeyOrder(p)).length;
    assert.is(disordered, 0, `${table}: every page has its cells in key order (${disordered} of ${tree.length} do not; ${linkOrder})`);
  }
  const differ = differencesFromFreshBuild(pages, copy);
  assert.equal(differ, [], `every page is what a fresh build from the contents writes (${differ.length} of ${pages.pageCount} differ; ${linkOrder})`);
  assert.is(pages.walBytes, 0, `the WAL is empty (${pages.walFrames} frames in use, ${pages.walBytes} bytes)`);
  console.log(`  (after closing: ${linkOrder})`);
});

interface Cast {
  ballots: Record<string, unknown>[];
  used: { token_hash: string; used_on: string }[];
}

/** An installation with a round open on `links` links, copied to `n` places that start from the same file. */
async function sameInstallations(n: number, links: number): Promise<{ dirs: string[]; inst: Installation }> {
  const base = await prepareInstallation({ links, units: 6, sqlite: true });
  const dirs = Array.from({ length: n }, () => {
    const dir = tempDir();
    cpSync(base.dataDir, dir, { recursive: true });
    return dir;
  });
  return { dirs, inst: base };
}

const clock = fixedClock(new Date());

async function castInOrder(store: Store, inst: Installation, tokens: readonly string[]): Promise<void> {
  const round = (await findRound(store.db, YEAR))!;
  for (const [i, token] of tokens.entries()) {
    const answers = Object.fromEntries(inst.units.map((u, k) => [u.code, ['satisfied', 'basic', 'dissatisfied', 'unknown'][(i + k) % 4]])) as never;
    const cast = await castBallot(store, clock, 'Asia/Shanghai', { token, roundId: round.id, answers, comments: {}, comment: i % 3 ? null : `comment ${i}` });
    assert.ok(cast.ok, `ballot ${i}`);
  }
}

async function whatWasCast(db: Database): Promise<Cast> {
  return {
    ballots: await db.selectFrom('ballots').selectAll().orderBy('id').execute(),
    used: (await db.selectFrom('round_links').select(['token_hash', 'used_on']).where('used_on', 'is not', null).execute()) as Cast['used'],
  };
}

/** Stores the same ballots and marks the same links used, each pair in a transaction of its own, in another order. */
async function replay(db: Database, cast: Cast): Promise<void> {
  const ballots = [...cast.ballots].sort((a, b) => String(b.receipt).localeCompare(String(a.receipt)));
  const used = [...cast.used].reverse();
  for (let i = 0; i < ballots.length; i++) {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('round_links').set({ used_on: used[i]!.used_on }).where('token_hash', '=', used[i]!.token_hash).execute();
      await trx
        .insertInto('ballots')
        .values(ballots[i] as never)
        .execute();
    });
  }
}

files('the same ballots, come in different orders, leave the same files once the round is closed', async () => {
  if (onPostgres) return;
  const { dirs, inst: base } = await sameInstallations(2, 150);
  try {
    const [a, b] = dirs.map((dir) => openSqliteStore(join(dir, 'pingyi.db'), { serving: true })) as [SqliteStore, SqliteStore];
    await castInOrder(a, base, shuffled(base.tokens, 3).slice(0, 120));
    await replay(b.db, await whatWasCast(a.db));
    assert.equal(await whatWasCast(b.db), await whatWasCast(a.db), 'the same contents');
    const audit = auditTrail(loadConfig(base.env).secret, clock);
    for (const db of [a, b]) {
      const closed = await closeRound(db, audit, YEAR, 'test');
      assert.ok(closed.ok && !closed.value.mixingFailed, closed.ok ? closed.value.mixingFailed : 'closed');
    }
    // The pages as a reader of each copy sees them (the WAL's over the database file's), then the files themselves.
    const [fa, fb] = dirs.map((dir) => readSqliteFiles(copyFiles(dir))) as [SqliteFiles, SqliteFiles];
    const pages = Math.max(fa.pageCount, fb.pageCount);
    let differ = 0;
    for (let p = 1; p <= pages; p++) if (p > fa.pageCount || p > fb.pageCount || !fa.page(p).equals(fb.page(p))) differ++;
    assert.is(differ, 0, `the two copies hold the same pages (${differ} of ${pages} differ)`);
    for (const f of [fa, fb]) assert.is(f.walBytes, 0, `an empty WAL (${f.walBytes} bytes)`);
    await a.destroy();
    await b.destroy();
  } finally {
    base.cleanup();
  }
});

files('while a round is open, a server mixes when ballots came since its last pass, and once more when it stops', async () => {
  if (onPostgres) return;
  const { dirs, inst: base } = await sameInstallations(1, 150);
  const dataDir = dirs[0]!;
  const store = openSqliteStore(join(dataDir, 'pingyi.db'), { serving: true });
  const reports: string[] = [];
  try {
    const mixing = startMixing(store, (m) => reports.push(m), { everyMs: 3_600_000 });
    assert.is(await mixing.tick(), undefined, 'no ballot yet: no pass');
    const order = shuffled(base.tokens, 9);
    await castInOrder(store, base, order.slice(0, 60));
    assert.is(await mixing.tick(), 60, 'a pass: 60 ballots came since the start');
    const mixed = copyFiles(dataDir);
    const pages = readSqliteFiles(mixed);
    assert.is(pages.walBytes, 0, 'the WAL is empty after the pass');
    assert.equal(differencesFromFreshBuild(pages, mixed), [], 'the layout depends on the contents alone');
    assert.is(await mixing.tick(), undefined, 'no ballot since: no pass');

    await castInOrder(store, base, order.slice(60, 90));
    await mixing.stop();
    const stopped = copyFiles(dataDir);
    const after = readSqliteFiles(stopped);
    assert.is(after.walBytes, 0, 'the WAL is empty after the last pass');
    assert.equal(differencesFromFreshBuild(after, stopped), [], 'the ballots since the pass are mixed too');
    assert.equal(reports, [], 'nothing failed');
  } finally {
    await store.destroy();
    base.cleanup();
  }
});

files.run();

// ---- PostgreSQL ----

const postgres = suite('mixing on PostgreSQL: a pass that cannot finish says so, and the next one finishes it');

/** The transaction ids of the ballots as they are now (each that of the transaction that cast it, before mixing). */
async function ballotXids(db: Database): Promise<Set<string>> {
  return new Set((await sql<{ x: string }>`select xmin::text as x from ballots`.execute(db)).rows.map((r) => r.x));
}

/** Every row version physically in the table's file (pageinspect): its xmin, and whether it is the current one. */
async function rowVersions(admin: pg.Client, schema: string, table: string): Promise<{ xmin: string; current: boolean }[]> {
  const rel = `${schema}.${table}`;
  const { rows } = await admin.query<{ pages: number }>(`select (pg_relation_size($1::regclass) / current_setting('block_size')::int)::int as pages`, [rel]);
  const out: { xmin: string; current: boolean }[] = [];
  for (let p = 0; p < (rows[0]?.pages ?? 0); p++) {
    const items = await admin.query<{ lp_flags: number; t_xmin: string | null; t_xmax: string | null }>(
      `select lp_flags, t_xmin::text, t_xmax::text from public.heap_page_items(public.get_raw_page($1, $2))`,
      [rel, p],
    );
    for (const it of items.rows) out.push({ xmin: it.t_xmin ?? '', current: it.lp_flags === 1 && it.t_xmax === '0' });
  }
  return out;
}

interface PgSetup {
  s: Survey;
  admin: pg.Client;
  schema: string;
  xids: Set<string>;
}

/** An open round with ten ballots, each cast by its own transaction, and a superuser connection to look at pages. */
async function pgSetup(): Promise<PgSetup> {
  const s = await openSurvey({ units: demoUnits().slice(0, 6) });
  for (const token of s.tokens.slice(0, 10)) assert.is((await post(s, token, fullBallot(s.units))).status, 303);
  const xids = await ballotXids(s.db);
  assert.is(xids.size, 10, 'ten transactions');
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(s.db)).rows[0]!.s;
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  await admin.query('create extension if not exists pageinspect schema public');
  return { s, admin, schema, xids };
}

/** No row version in the files of the ballots or the links carries a ballot's transaction id, and none is old. */
async function assertNoTrace(t: PgSetup, what: string) {
  for (const table of ['ballots', 'round_links']) {
    const versions = await rowVersions(t.admin, t.schema, table);
    const traced = versions.filter((v) => t.xids.has(v.xmin));
    assert.is(traced.length, 0, `${what}: ${table} holds ${traced.length} row versions written by a ballot's transaction`);
    assert.ok(
      versions.every((v) => v.current),
      `${what}: ${table} holds only current row versions`,
    );
  }
  assert.is((await t.s.db.selectFrom('mixing_pending').selectAll().execute()).length, 0, `${what}: nothing pending`);
}

postgres('a CLUSTER that cannot get its lock is reported at closing, and the next pass completes it', async () => {
  if (!onPostgres) return;
  const t = await pgSetup();
  const blocker = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await blocker.connect();
  try {
    // Another session reading the ballots (a report, a backup) holds a lock that CLUSTER must wait for.
    await blocker.query(`begin; lock table ${t.schema}.ballots in access share mode`);
    const closed = await closeRound(t.s.store, t.s.audit, SURVEY_YEAR, 'test');
    assert.ok(closed.ok, 'the round is closed');
    assert.match(closed.ok ? (closed.value.mixingFailed ?? '') : '', /CLUSTER ballots failed/, 'and the failed CLUSTER is reported');
    assert.is(
      new Set((await sql<{ x: string }>`select xmin::text as x from ballots`.execute(t.s.db)).rows.map((r) => r.x)).size,
      1,
      'the ballots were rewritten',
    );
    assert.equal(
      (await t.s.db.selectFrom('mixing_pending').select('table_name').orderBy('table_name').execute()).map((r) => r.table_name),
      ['ballots', 'round_links'],
      'and are pending',
    );
    await blocker.query('rollback');

    const reports: string[] = [];
    const mixing = startMixing(t.s.store, (m) => reports.push(m), { everyMs: 3_600_000 });
    await mixing.tick();
    await mixing.stop();
    assert.equal(reports, [], 'the next pass succeeds');
    await assertNoTrace(t, 'after the next pass');
  } finally {
    await blocker.end();
    await t.admin.end();
  }
});

postgres('a transaction older than the rewrite keeps the old row versions: the pass fails until it has ended', async () => {
  if (!onPostgres) return;
  const t = await pgSetup();
  const reader = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await reader.connect();
  try {
    // A long transaction elsewhere in the database (it has read some other table, not these).
    await reader.query('begin isolation level repeatable read');
    await reader.query('select count(*) from pg_class');
    const reports: string[] = [];
    const mixing = startMixing(t.s.store, (m) => reports.push(m), { everyMs: 3_600_000, retryMs: 3_600_000 });
    await mixing.tick();
    assert.is(reports.length, 1, 'the pass reports a failure');
    assert.match(reports[0] ?? '', /began before the rewrite/);
    assert.is((await t.s.db.selectFrom('mixing_pending').selectAll().execute()).length, 2, 'the tables stay pending');
    await reader.query('commit');
    await mixing.stop();
    assert.is(reports.length, 1, 'the next pass succeeds');
    await assertNoTrace(t, 'after the older transaction ended');
  } finally {
    await reader.end();
    await t.admin.end();
  }
});

postgres('after mixing, no used link keeps the transaction id of the ballot cast on it', async () => {
  if (!onPostgres) return;
  const t = await pgSetup();
  try {
    const linkXids = async () =>
      new Set((await sql<{ x: string }>`select xmin::text as x from round_links where used_on is not null`.execute(t.s.db)).rows.map((r) => r.x));
    assert.ok(
      [...(await linkXids())].every((x) => t.xids.has(x)),
      'before: each used link carries its ballot transaction id',
    );
    assert.is(await t.s.store.mix(), 10);
    const after = await linkXids();
    assert.is(after.size, 1, 'after: one transaction id');
    assert.equal(after, await ballotXids(t.s.db), 'the mixing transaction, which the ballots carry too');
    await assertNoTrace(t, 'after mixing');
  } finally {
    await t.admin.end();
  }
});

postgres.after(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

postgres.run();
