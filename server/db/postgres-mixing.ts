import { sql, type Transaction } from 'kysely';
import type { Database, DB } from './schema.js';

/*
 * Mixing on PostgreSQL (see Store.mix). PostgreSQL appends rows as they come and stamps each with the transaction
 * that wrote it (the hidden column xmin), the same for a ballot and the link it was cast on; a rewritten row's old
 * version stays in the table file, with its xmin, until the table is compacted. A pass rewrites, in one transaction,
 * the ballots of every round written by more than one transaction (in id order) and the round's used links, so they
 * all share one xmin that tells nothing; then CLUSTER writes both tables anew in key order without the old versions.
 * A transaction older than the rewrite (a backup, a long query) makes CLUSTER keep the old versions: the pass checks
 * for them, and a table stays "pending" (mixing_pending) until a CLUSTER succeeds. A round with a single ballot is
 * left as it is: one used link and one ballot tell who cast it whatever is stored.
 */

/** Any number: the key of the advisory lock that lets one server at a time mix. */
const MIX_LOCK = 7_140_331;
/** No request waits on a CLUSTER's lock for longer than this; the pass fails and is tried again. */
const LOCK_TIMEOUT = '2s';
/** The tables PostgreSQL compacts after a rewrite, with the index that gives their key order. */
const COMPACTED: Record<string, string> = { ballots: 'ballots_pkey', round_links: 'round_links_pk' };

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
  // A snapshot taken between the wait for older ones and the CLUSTER, or held where pg_stat_activity does not show
  // it (see waitForOlderSnapshots), can make a CLUSTER keep old versions; such a holder is a short transaction that
  // has ended a moment later, so a pass tries again after a growing pause before it reports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await compactOnce(db);
    } catch (e) {
      if (!(e instanceof KeptOldVersions) || attempt >= COMPACT_TRIES) throw e;
      await new Promise((resolve) => setTimeout(resolve, 50 * 4 ** attempt));
    }
  }
}

const COMPACT_TRIES = 4;

/** A CLUSTER that ran but kept old row versions: worth another try once older snapshots are gone. */
class KeptOldVersions extends Error {}

async function compactOnce(db: Database): Promise<void> {
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
 * has a snapshot older than the wait itself, and no session of any database an older transaction id (a new snapshot
 * here starts at the oldest transaction running anywhere on the server), and throws if one stays. (Other holders of old snapshots, such as a
 * standby's replication slot, are not listed there: checkCompacted catches what they keep.)
 */
async function waitForOlderSnapshots(db: Database): Promise<void> {
  const now = await sql<{ xid: string }>`select (txid_snapshot_xmax(txid_current_snapshot()) % 4294967296)::text as xid`.execute(db);
  const since = now.rows[0]?.xid ?? '0';
  for (let waitMs = 10; ; waitMs *= 2) {
    const older = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where pid <> pg_backend_pid()
        and ((datname = current_database() and age(backend_xmin) >= age(${since}::xid)) or age(backend_xid) >= age(${since}::xid))`.execute(db);
    if (!older.rows[0]?.n) return;
    if (waitMs > 1000)
      throw new Error(
        'a transaction that began before the rewrite is still running (a backup or a long query); the old row versions stay until a later pass compacts the tables',
      );
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
    // Name the oldest session that may be keeping them, so that an operator can find it.
    const { rows: holders } = await sql<{ who: string }>`
      select concat_ws(' ', 'pid', pid, datname, backend_type, state, 'since', xact_start) as who from pg_stat_activity
      where pid <> pg_backend_pid() and (backend_xmin is not null or backend_xid is not null)
      order by greatest(age(backend_xmin), age(backend_xid)) desc nulls last limit 1`.execute(trx);
    const who = holders[0] ? ` (the oldest open transaction: ${holders[0].who})` : '';
    throw new KeptOldVersions(
      `CLUSTER ${table} kept ${r.slots - r.rows} old row versions for a transaction that began before the rewrite (a backup or a long query)${who}; a later pass compacts it again`,
    );
  }
}

/** One pass: the rewrite, then the compaction of what is pending; resolves to the ballots rewritten. */
export async function mixPostgres(db: Database): Promise<number> {
  const moved = await rewritePostgres(db);
  await compactPostgres(db);
  return moved;
}
