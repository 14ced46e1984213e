// Guards docs/SPEC.md, Anonymity and trust "the stored order of ballots says nothing about when they came" in the database files
// themselves, not only in what a query returns (server/survey/mix.ts). On SQLite: a copy of the files after closing
// is what a fresh VACUUM of their contents would write (so the same whatever order the ballots came in), the
// ballots and links stand in key order on every page, and the WAL is empty. On PostgreSQL: afterwards the ballots'
// files hold them in id order, each written by the pass, none by a ballot's transaction; a ballot cast while a pass
// runs goes through; a pass that cannot take its brief lock says so and the next one finishes it; the servers of
// one database mix once per period between them.
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
import { mixPostgres } from '../server/db/postgres-mixing.js';
import { openPostgresStore } from '../server/db/postgres-store.js';
import { openSqliteStore, type SqliteStore } from '../server/db/sqlite-store.js';
import type { Store } from '../server/db/store.js';
import type { Database } from '../server/db/schema.js';
import { tokenHash } from '../server/links/tokens.js';
import { closeRound, findRound } from '../server/rounds/rounds.js';
import { castBallot } from '../server/survey/cast.js';
import { startMixing } from '../server/survey/mix.js';
import { ballotBody, prepareInstallation, runCli, startChildServer, submit, YEAR, type ChildServer, type Installation } from './child-server.js';
import { btreePages, cellsInKeyOrder, readSqliteFiles, type SqliteFiles } from './sqlite-pages.js';
import { ballotCount, fullBallot, openSurvey, post, YEAR as SURVEY_YEAR, type Survey } from './survey-fixture.js';

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

const postgres = suite('mixing on PostgreSQL: ballots in id order and apart from their links, never held up, once per period');

/** Every row version physically in the table's file (pageinspect): its xmin, whether it is the current one, and its id. */
async function rowVersions(admin: pg.Client, schema: string, table: string): Promise<{ xmin: string; current: boolean; id: string | null }[]> {
  const rel = `${schema}.${table}`;
  const { rows } = await admin.query<{ pages: number }>(`select (pg_relation_size($1::regclass) / current_setting('block_size')::int)::int as pages`, [rel]);
  const out: { xmin: string; current: boolean; id: string | null }[] = [];
  for (let p = 0; p < (rows[0]?.pages ?? 0); p++) {
    const items = await admin.query<{ lp_flags: number; t_xmin: string | null; t_xmax: string | null; id: string | null }>(
      // A ballot's first column is its id, a bigint: the first 8 bytes of the tuple's data.
      `select lp_flags, t_xmin::text, t_xmax::text, ('x' || encode(reverse_bytes(substring(t_data from 1 for 8)), 'hex'))::bit(64)::bigint::text as id
       from public.heap_page_items(public.get_raw_page($1, $2))`,
      [rel, p],
    );
    for (const it of items.rows) out.push({ xmin: it.t_xmin ?? '', current: it.lp_flags === 1 && it.t_xmax === '0', id: it.id });
  }
  return out;
}

interface PgSetup {
  s: Survey;
  admin: pg.Client;
  schema: string;
  /** The transactions that cast the first ten ballots (and marked their links used). */
  xids: Set<string>;
}

/** The transaction ids of the stored ballots, from the tables behind the view `ballots`. */
async function ballotXids(db: Database): Promise<Set<string>> {
  const { rows } = await sql<{ x: string }>`select xmin::text as x from ballots_mixed union all select xmin::text as x from ballot_inbox`.execute(db);
  return new Set(rows.map((r) => r.x));
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
  await admin.query(`create or replace function public.reverse_bytes(b bytea) returns bytea language sql immutable as $$
    select coalesce(string_agg(substring(b from i for 1), ''::bytea order by i desc), ''::bytea) from generate_series(1, length(b)) i $$`);
  return { s, admin, schema, xids };
}

/** A connection string to the test's own schema, for a second store on the same database. */
function urlOf(schema: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL as string);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/**
 * The ballots' files after a pass: the mixed table holds only current row versions, all written by one transaction
 * that cast no ballot, in id order; the inbox's file holds nothing; nothing is set aside.
 */
async function assertMixed(t: PgSetup, what: string, ballots: number) {
  const versions = await rowVersions(t.admin, t.schema, 'ballots_mixed');
  assert.is(versions.length, ballots, `${what}: one row version per ballot`);
  assert.ok(
    versions.every((v) => v.current),
    `${what}: only current row versions`,
  );
  const xmins = new Set(versions.map((v) => v.xmin));
  assert.is(xmins.size, 1, `${what}: one writing transaction`);
  assert.not.ok(
    [...xmins].some((x) => t.xids.has(x)),
    `${what}: not a ballot's transaction`,
  );
  const ids = versions.map((v) => BigInt(v.id ?? '0'));
  assert.equal(
    ids,
    [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    `${what}: the file holds the ballots in id order`,
  );
  assert.equal(await rowVersions(t.admin, t.schema, 'ballot_inbox'), [], `${what}: an empty inbox file`);
  const aside = await sql<{ n: string | null }>`select to_regclass('ballot_inbox_moving')::text as n`.execute(t.s.db);
  assert.is(aside.rows[0]?.n, null, `${what}: no inbox set aside`);
}

postgres('a pass writes the ballots anew in id order, none with its link transaction id, and leaves an empty inbox', async () => {
  if (!onPostgres) return;
  const t = await pgSetup();
  try {
    const linkXids = async () =>
      new Set((await sql<{ x: string }>`select xmin::text as x from round_links where used_on is not null`.execute(t.s.db)).rows.map((r) => r.x));
    assert.equal(await linkXids(), t.xids, 'before: each ballot shares its transaction id with its link');
    assert.is(await t.s.store.mix(), 10);
    await assertMixed(t, 'after a pass', 10);
    assert.equal(await linkXids(), t.xids, 'the links keep theirs');
    // More ballots: the next pass writes all of them anew, old and new together.
    for (const token of t.s.tokens.slice(10, 15)) assert.is((await post(t.s, token, fullBallot(t.s.units))).status, 303);
    for (const x of await ballotXids(t.s.db)) t.xids.add(x);
    assert.is(await t.s.store.mix(), 15);
    await assertMixed(t, 'after the next pass', 15);
    assert.is(await t.s.store.mix(), 0, 'nothing waiting: nothing written');
  } finally {
    await t.admin.end();
  }
});

postgres('a ballot cast while a pass builds the mixed copy goes through at once, and stays in the inbox for the next pass', async () => {
  if (!onPostgres) return;
  const t = await pgSetup();
  try {
    let during: number | undefined;
    const moved = await mixPostgres(t.s.db, {
      hooks: {
        beforeSwap: async () => {
          during = (await post(t.s, t.s.tokens[10] as string, fullBallot(t.s.units))).status;
        },
      },
    });
    assert.is(during, 303, 'the ballot was cast while the pass held its copy');
    assert.is(moved, 10, 'the pass moved the ten ballots it had set aside');
    assert.is(await ballotCount(t.s), 11, 'all eleven ballots are counted');
    const inbox = await sql<{ n: number }>`select count(*)::int as n from ballot_inbox`.execute(t.s.db);
    assert.is(inbox.rows[0]?.n, 1, 'the new one waits in the inbox');
    for (const x of await ballotXids(t.s.db)) t.xids.add(x);
    assert.is(await t.s.store.mix(), 11);
    await assertMixed(t, 'after the next pass', 11);
  } finally {
    await t.admin.end();
  }
});

postgres('a pass that cannot take its brief lock lets ballots through while it waits, and is reported at closing', async () => {
  if (!onPostgres) return;
  const t = await pgSetup();
  const reader = new pg.Client({ connectionString: urlOf(t.schema) });
  await reader.connect();
  try {
    // A long reader of the ballots (a tally, a backup) holds their lock for as long as it runs.
    await reader.query('begin');
    await reader.query('select count(*) from ballots');
    let settled = false;
    const pass = t.s.store.mix().finally(() => (settled = true));
    // The pass has made the inbox's next table: its next step asks for the lock the reader holds.
    for (let i = 0; i < 500; i++) {
      const made = await sql<{ n: string | null }>`select to_regclass('ballot_inbox_next')::text as n`.execute(t.s.db);
      if (made.rows[0]?.n) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const token of t.s.tokens.slice(10, 13)) assert.is((await post(t.s, token, fullBallot(t.s.units))).status, 303);
    assert.not.ok(settled, 'three ballots were cast while the pass kept asking for the lock');
    await reader.query('commit');
    for (const x of await ballotXids(t.s.db)) t.xids.add(x);
    assert.is(await pass, 13, 'once the reader is done, the pass mixes all thirteen');
    await assertMixed(t, 'after the pass', 13);

    // At closing, a reader that outlasts every try makes the pass fail; the round closes all the same.
    await post(t.s, t.s.tokens[13] as string, fullBallot(t.s.units));
    for (const x of await ballotXids(t.s.db)) t.xids.add(x);
    await reader.query('begin');
    await reader.query('select count(*) from ballots');
    const closed = await closeRound(t.s.store, t.s.audit, SURVEY_YEAR, 'test');
    assert.ok(closed.ok, 'the round is closed');
    assert.match(closed.ok ? (closed.value.mixingFailed ?? '') : '', /kept the ballots locked/, 'and the failed pass is reported');
    await reader.query('commit');
    const reports: string[] = [];
    const mixing = startMixing(t.s.store, (m) => reports.push(m), { everyMs: 3_600_000 });
    assert.is(await mixing.tick(), 14, 'the next pass mixes them');
    await mixing.stop();
    assert.equal(reports, [], 'and succeeds');
    await assertMixed(t, 'after closing', 14);
  } finally {
    await reader.end();
    await t.admin.end();
  }
});

postgres('a pass never waits for those reading the rounds, as every page and ballot does', async () => {
  if (!onPostgres) return;
  const t = await pgSetup();
  const reader = new pg.Client({ connectionString: urlOf(t.schema) });
  await reader.connect();
  try {
    // A ballot reads its round before it takes the ballots' lock. Had a pass to lock the rounds while holding the
    // ballots' lock (as dropping a table with a foreign key to them does), the two would wait for each other.
    await reader.query('begin');
    await reader.query('select count(*) from rounds');
    const began = Date.now();
    assert.is(await t.s.store.mix(), 10, 'the pass mixes while the rounds are being read');
    assert.ok(Date.now() - began < 2_000, 'at its first try');
    await reader.query('commit');
    await assertMixed(t, 'after the pass', 10);
    const keys = await sql<{ n: number }>`
      select count(*)::int as n from pg_constraint
      where contype = 'f' and conrelid in ('ballots_mixed'::regclass, 'ballot_inbox'::regclass)`.execute(t.s.db);
    assert.is(keys.rows[0]?.n, 0, 'no foreign key on the tables of ballots');
  } finally {
    await reader.query('rollback').catch(() => {});
    await reader.end();
    await t.admin.end();
  }
});

postgres('two servers on one database mix once per period between them, and a server that starts skips a recent pass', async () => {
  if (!onPostgres) return;
  const t = await pgSetup();
  const other = openPostgresStore(urlOf(t.schema), { max: 2 });
  try {
    const reports: string[] = [];
    const first = startMixing(t.s.store, (m) => reports.push(m), { everyMs: 3_600_000 });
    assert.is(await first.tick(), 10, 'the first server mixes at its start');
    const second = startMixing(other, (m) => reports.push(m), { everyMs: 3_600_000 });
    assert.is(await second.tick(), undefined, 'the second, starting just after, does not');
    assert.is((await post(t.s, t.s.tokens[10] as string, fullBallot(t.s.units))).status, 303);
    assert.is(await first.tick(), undefined, 'within the period, neither mixes again');
    assert.is(await second.tick(), undefined);
    for (const x of await ballotXids(t.s.db)) t.xids.add(x);
    const closed = await closeRound(t.s.store, t.s.audit, SURVEY_YEAR, 'test');
    assert.ok(closed.ok && !closed.value.mixingFailed, 'closing mixes whatever the period');
    await assertMixed(t, 'after closing', 11);
    await first.stop();
    await second.stop();
    assert.equal(reports, []);
  } finally {
    await other.destroy();
    await t.admin.end();
  }
});

postgres('a ballot inserted into the view goes to the inbox, and one whose id or receipt is taken is refused', async () => {
  if (!onPostgres) return;
  const t = await pgSetup();
  try {
    await t.s.store.mix();
    const stored = await t.s.db.selectFrom('ballots').selectAll().orderBy('id').executeTakeFirstOrThrow();
    const fresh = { ...stored, id: stored.id + 1, receipt: 'ZZZZ-ZZZZ' };
    const refusal = (values: typeof fresh) =>
      t.s.db
        .insertInto('ballots')
        .values(values)
        .execute()
        .then(
          () => 'stored',
          (e: Error) => e.message,
        );
    assert.match(await refusal({ ...fresh, receipt: stored.receipt }), /unique constraint "ballots_receipt"/, 'a receipt taken in the round');
    assert.match(await refusal({ ...fresh, id: stored.id }), /unique constraint "ballots_pkey"/, 'an id taken');
    assert.match(await refusal({ ...fresh, round_id: 'no-such-round' }), /foreign key constraint "ballots_round_id_fkey"/, 'a round that does not exist');
    await t.s.db.insertInto('ballots').values(fresh).execute();
    const inbox = await sql<{ receipt: string }>`select receipt from ballot_inbox`.execute(t.s.db);
    assert.equal(
      inbox.rows.map((r) => r.receipt),
      ['ZZZZ-ZZZZ'],
      'in the inbox',
    );
    assert.is(await ballotCount(t.s), 11);
    for (const x of await ballotXids(t.s.db)) t.xids.add(x);
    assert.is(await t.s.store.mix(), 11);
    await assertMixed(t, 'after the next pass', 11);
  } finally {
    await t.admin.end();
  }
});

postgres.after(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

postgres.run();
