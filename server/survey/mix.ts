import { sql, type Transaction } from 'kysely';
import { dialectOf, syncSqlite, type SyncSqlite } from '../db/database.js';
import type { Database, DB } from '../db/schema.js';

/*
 * Anonymity in the database files. A ballot is stored and its link marked used in one transaction, and both
 * databases keep traces of that moment in their files until something is done:
 *
 * - SQLite writes a new cell below the cells already in its page (a link's cell moves too when it is marked used),
 *   so cell positions follow arrival; the WAL holds each commit's pages in commit order (the last one shows the last
 *   voter's link and ballot), and old log frames and freed pages keep earlier states.
 * - PostgreSQL appends rows as they come and stamps each with the transaction that wrote it (the hidden column
 *   xmin), the same for a ballot and its link; a rewritten row's old version stays in the table file, with its
 *   xmin, until the table is compacted.
 *
 * Mixing removes them. On SQLite a pass is a VACUUM, which writes the whole database anew from its contents (each
 * table and index in key order, pages numbered in that order, nothing freed left over), then a TRUNCATE checkpoint,
 * which copies the log into the database and empties it: the files are then the same whatever order the ballots
 * came in. Between passes secure_delete zeroes what a write frees (database.ts). On PostgreSQL a pass rewrites, in
 * one transaction, the ballots of every round written by more than one transaction (in id order) and the round's
 * used links, so they all share one xmin that tells nothing; then CLUSTER writes both tables anew in key order
 * without the old versions. A transaction older than the rewrite (a backup, a long query) makes CLUSTER keep the
 * old versions: the pass checks for them, and a table stays "pending" (mixing_pending) until one succeeds.
 *
 * A pass runs when a round closes, and on a server every minute while ballots arrive, within seconds again after a
 * failure, and once more when it stops. After closing, a copy of the files tells nothing about the order; while a
 * round is open, only about the ballots since the last pass. A round with a single ballot on PostgreSQL is left as
 * it is: one used link and one ballot tell who cast it whatever is stored.
 */

/** Any number: the key of the advisory lock that lets one server at a time mix. */
const MIX_LOCK = 7_140_331;
/** No request waits on a CLUSTER's lock for longer than this; the pass fails and is tried again. */
const LOCK_TIMEOUT = '2s';
const EVERY_MS = 60_000;
/** The first retry after a failure; each next one waits twice as long, up to EVERY_MS. */
const RETRY_MS = 5_000;

/** The tables PostgreSQL compacts after a rewrite, with the index that gives their key order. */
const COMPACTED: Record<string, string> = { ballots: 'ballots_pkey', round_links: 'round_links_pk' };

/**
 * One pass of mixing; resolves to the number of ballots rewritten (on SQLite all of them, on PostgreSQL those of the
 * rounds that needed it). Rejects when the pass could not finish; the next pass finishes it.
 */
export async function mixBallots(db: Database): Promise<number> {
  const sqlite = syncSqlite(db);
  if (sqlite) return mixSqlite(db, sqlite);
  if (dialectOf(db) !== 'postgres') throw new Error('mixing needs the connection that openSqlite made');
  const moved = await rewritePostgres(db);
  await compactPostgres(db);
  return moved;
}

async function mixSqlite(db: Database, sqlite: SyncSqlite): Promise<number> {
  // Holding Kysely's connection: no other request's transaction is open on it. VACUUM runs without a pause, so the
  // group committer (survey/links.ts) never writes in the middle of it.
  const count = await db.connection().execute(async () => {
    if (sqlite.inTransaction) throw new Error('a transaction is open on the connection');
    const [row] = sqlite.prepare('select count(*) as n from ballots').all([]) as { n: number }[];
    sqlite.prepare('vacuum').run([]);
    return row?.n ?? 0;
  });
  await emptyLog(db, sqlite);
  return count;
}

/**
 * A TRUNCATE checkpoint: copies the log into the database and empties the file. It does not wait for a checkpoint
 * already running (the server's checkpointer, another process), so it is tried again for a few seconds, letting
 * other queries run in between.
 */
async function emptyLog(db: Database, sqlite: SyncSqlite): Promise<void> {
  for (let waitMs = 1; ; waitMs *= 2) {
    const busy = await db.connection().execute(async () => {
      const [log] = sqlite.prepare('pragma wal_checkpoint(truncate)').all([]) as { busy: number }[];
      return log?.busy === 1;
    });
    if (!busy) break;
    if (waitMs > 4096) throw new Error('the WAL could not be emptied (other connections kept checkpointing or reading); it still holds earlier pages');
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
  sqlite.wrote(); // the server's checkpointer learns that the log is empty
}

async function tryMixLock(trx: Transaction<DB>): Promise<boolean> {
  const got = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${MIX_LOCK}) as locked`.execute(trx);
  return got.rows[0]?.locked === true;
}

async function rewritePostgres(db: Database): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (!(await tryMixLock(trx))) return 0; // another server is mixing right now
    const rounds = await sql<{ round_id: string }>`
      select round_id from ballots group by round_id having count(distinct xmin::text) > 1`.execute(trx);
    let n = 0;
    for (const { round_id } of rounds.rows) {
      const res = await sql`
        with moved as (delete from ballots where round_id = ${round_id} returning *)
        insert into ballots select * from moved order by id`.execute(trx);
      n += Number(res.numAffectedRows ?? 0);
      // A used link's version was written by its ballot's transaction; a new one takes this transaction's id.
      await sql`update round_links set used_on = used_on where round_id = ${round_id} and used_on is not null`.execute(trx);
    }
    if (n > 0) {
      await trx
        .insertInto('mixing_pending')
        .values(Object.keys(COMPACTED).map((table_name) => ({ table_name })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    return n;
  });
}

/** CLUSTERs the pending tables and clears them, all or nothing; throws when a table could not be compacted. */
async function compactPostgres(db: Database): Promise<void> {
  if ((await db.selectFrom('mixing_pending').select('table_name').execute()).length === 0) return;
  await waitForOlderSnapshots(db);
  await db.transaction().execute(async (trx) => {
    const pending = (await trx.selectFrom('mixing_pending').select('table_name').execute()).map((r) => r.table_name);
    if (pending.length === 0 || !(await tryMixLock(trx))) return;
    await sql`set local lock_timeout = ${sql.lit(LOCK_TIMEOUT)}`.execute(trx);
    for (const table of pending) {
      const index = COMPACTED[table];
      if (!index) continue;
      try {
        await sql`cluster ${sql.table(table)} using ${sql.id(index)}`.execute(trx);
      } catch (e) {
        throw new Error(`CLUSTER ${table} failed (${e instanceof Error ? e.message : String(e)}); its old row versions stay until a later pass compacts it`);
      }
      await checkCompacted(trx, table);
    }
    await trx.deleteFrom('mixing_pending').execute();
  });
}

/**
 * CLUSTER keeps every old row version that a transaction begun before the rewrite may still read. So that it does
 * not run in vain, this waits (a couple of seconds at most, holding nothing) until no other session of the database
 * has a snapshot older than the wait itself, and throws if one stays. (Other holders of old snapshots, such as a
 * standby's replication slot, are not listed there: checkCompacted catches what they keep.)
 */
async function waitForOlderSnapshots(db: Database): Promise<void> {
  const now = await sql<{ xid: string }>`select (txid_snapshot_xmax(txid_current_snapshot()) % 4294967296)::text as xid`.execute(db);
  const since = now.rows[0]?.xid ?? '0';
  for (let waitMs = 10; ; waitMs *= 2) {
    const older = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and backend_xmin is not null
        and age(backend_xmin) >= age(${since}::xid)`.execute(db);
    if (!older.rows[0]?.n) return;
    if (waitMs > 1000) throw new Error('a transaction that began before the rewrite is still running (a backup or a long query); the old row versions stay until a later pass compacts the tables');
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/**
 * CLUSTER copies the old versions that a transaction older than the rewrite may still read, xmin and all. Each is
 * stored next to its row's new version, so it leaves a gap among the rows a query sees: with none kept, the rows of
 * every page fill its first slots.
 */
async function checkCompacted(trx: Transaction<DB>, table: string): Promise<void> {
  const { rows } = await sql<{ rows: number; slots: number }>`
    select coalesce(sum(n), 0)::int as rows, coalesce(sum(last), 0)::int as slots from (
      select count(*) as n, max((ctid::text::point)[1]) as last from ${sql.table(table)} group by (ctid::text::point)[0]
    ) pages`.execute(trx);
  const r = rows[0];
  if (r && r.rows !== r.slots) {
    throw new Error(`CLUSTER ${table} kept ${r.slots - r.rows} old row versions for a transaction that began before the rewrite (a backup or a long query); a later pass compacts it again`);
  }
}

async function countBallots(db: Database): Promise<number> {
  const r = await db.selectFrom('ballots').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface Mixing {
  /** A pass now, if one is due: the ballots it rewrote, or undefined when none was due or it failed (reported, never thrown). */
  tick(): Promise<number | undefined>;
  /** Stops the timers and runs a last pass if one is due. */
  stop(): Promise<void>;
}

/**
 * Mixes every `everyMs` until stopped, and after a failure again within seconds (reported each time). On SQLite a
 * pass is due when the number of ballots changed since the last one that finished (or the last one failed); on
 * PostgreSQL the pass itself finds what needs it.
 */
export function startMixing(db: Database, report: (message: string) => void, opts: { everyMs?: number; retryMs?: number } = {}): Mixing {
  const everyMs = opts.everyMs ?? EVERY_MS;
  const firstRetryMs = opts.retryMs ?? RETRY_MS;
  const bySqlite = syncSqlite(db) !== undefined;
  let mixedCount = 0;
  let failed = false;
  let retryMs = firstRetryMs;
  let retry: NodeJS.Timeout | undefined;
  let running: Promise<number | undefined> | undefined;
  let stopped = false;

  const pass = async (): Promise<number | undefined> => {
    try {
      if (bySqlite && !failed && (await countBallots(db)) === mixedCount) return undefined;
      const n = await mixBallots(db);
      if (bySqlite) mixedCount = n;
      failed = false;
      retryMs = firstRetryMs;
      return n;
    } catch (e) {
      failed = true;
      const when = stopped ? 'at the next pass' : `in ${Math.round(retryMs / 1000)} s`;
      report(`ballot mixing failed, trying again ${when}: ${e instanceof Error ? e.message : String(e)}`);
      if (!stopped) {
        clearTimeout(retry);
        retry = setTimeout(tick, retryMs);
        retry.unref();
        retryMs = Math.min(2 * retryMs, everyMs);
      }
      return undefined;
    }
  };
  const tick = (): Promise<number | undefined> => (running ??= pass().finally(() => (running = undefined)));
  const timer = setInterval(tick, everyMs);
  timer.unref();
  void tick();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(retry);
      await running;
      await tick();
    },
  };
}
