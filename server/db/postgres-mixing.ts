import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, DB } from './schema.js';

/*
 * Mixing on PostgreSQL (see Store.mix). PostgreSQL appends rows as they come and stamps each with the transaction
 * that wrote it (the hidden column xmin), the same for a ballot and the link it was cast on. So a ballot is cast
 * into a small inbox (`ballot_inbox`, migration 0013; the view `ballots` shows it with the mixed ballots), and a
 * pass writes every ballot into a new table in id order, in one transaction, and swaps it for the old one, which
 * is dropped with the inbox's files: afterwards each ballot's place and xmin are those of that copy, a function of
 * the set of ballots alone, and no ballot shares a transaction id with its link. The links keep theirs: their
 * order tells when people voted (their date is public to administrators anyway), but nothing about the ballots is
 * ordered any more to match it with.
 *
 * Nothing here holds up a ballot for longer than a short lock wait. A pass first gives the inbox a new, empty table
 * in place of the full one (renames, in a moment), then builds the copy of the mixed ballots and the full inbox
 * without locking out anyone, and only then swaps the copy in (renames and drops, in a moment). Those two moments
 * take the view's lock, which every ballot takes too, and each asks for it for LOCK_WAIT at most, so a ballot that
 * queues behind the request waits no longer; a long reader (a backup, a tally) makes the pass try again. A pass that
 * fails after the first moment leaves the full inbox aside (`ballot_inbox_moving`), still in the view, and the next
 * pass, on whichever server, carries on from there.
 */

/** Any number: the key of the advisory lock that lets one server at a time mix. */
const MIX_LOCK = 7_140_331;
/** How long a pass's brief step waits for the ballots' lock before it lets the ballots behind it through. */
const LOCK_WAIT = '20ms';
/** How many times a brief step asks for the lock, pausing between tries, before the pass reports a failure. */
const LOCK_TRIES = 12;

/** Points where a test can act while a pass runs. */
export interface MixHooks {
  /** The copy is built and the swap not yet begun: the pass holds no lock a ballot would wait for. */
  beforeSwap?: () => Promise<void>;
}

export interface MixOptions {
  /** Skip the pass while any server of this database is mixing, or when one that succeeded began this recently. */
  unlessMixedWithinMs?: number;
  hooks?: MixHooks;
}

/** One pass: resolves to the ballots written into the mixed table, or undefined when skipped (unlessMixedWithinMs). */
export function mixPostgres(db: Database, opts: MixOptions = {}): Promise<number | undefined> {
  return db.connection().execute(async (conn) => {
    // A session lock on one connection: the pass is several transactions, and no other server's may come between.
    if (opts.unlessMixedWithinMs !== undefined) {
      const got = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${MIX_LOCK}) as locked`.execute(conn);
      if (got.rows[0]?.locked !== true) return undefined; // another server is mixing right now
    } else {
      await sql`select pg_advisory_lock(${MIX_LOCK})`.execute(conn); // closing a round waits for it, then mixes
    }
    try {
      if (opts.unlessMixedWithinMs !== undefined && (await mixedWithin(conn, opts.unlessMixedWithinMs))) return undefined;
      const began = (await sql<{ at: string }>`select clock_timestamp()::text as at`.execute(conn)).rows[0]!.at;
      let moved = 0;
      try {
        if ((await exists(conn, 'ballot_inbox_moving')) || (await inboxHasBallots(conn))) {
          if (!(await exists(conn, 'ballot_inbox_moving'))) await setInboxAside(conn);
          moved = await rebuild(conn, opts.hooks);
        }
      } catch (e) {
        // The next pass is due at once, on whichever server comes first.
        await sql`update mixing_state set last_pass_at = null where id = 1`.execute(conn).catch(() => {});
        throw e;
      }
      await sql`update mixing_state set last_pass_at = ${began}::timestamptz where id = 1`.execute(conn);
      return moved;
    } finally {
      await sql`select pg_advisory_unlock(${MIX_LOCK})`.execute(conn);
    }
  });
}

async function mixedWithin(db: Kysely<DB>, ms: number): Promise<boolean> {
  const r = await sql<{ recent: boolean }>`
    select coalesce(last_pass_at > clock_timestamp() - make_interval(secs => ${ms / 1000}), false) as recent
    from mixing_state where id = 1`.execute(db);
  return r.rows[0]?.recent === true;
}

async function exists(db: Kysely<DB>, table: string): Promise<boolean> {
  const r = await sql<{ found: boolean }>`select to_regclass(${table}) is not null as found`.execute(db);
  return r.rows[0]?.found === true;
}

async function inboxHasBallots(db: Kysely<DB>): Promise<boolean> {
  const r = await sql<{ any: boolean }>`select exists (select 1 from ballot_inbox) as any`.execute(db);
  return r.rows[0]?.any === true;
}

/**
 * The constraints every table of ballots has (migrations 0013 and 0015), named `prefix`_pkey and `prefix`_receipt.
 * No foreign key: the view's trigger checks the round, and a key would make each pass lock all of `rounds`.
 */
function constraints(table: string, prefix: string) {
  return sql`alter table ${sql.table(table)}
    add constraint ${sql.id(`${prefix}_pkey`)} primary key (id),
    add constraint ${sql.id(`${prefix}_receipt`)} unique (round_id, receipt)`;
}

function renameConstraints(table: string, from: string, to: string) {
  return [
    sql`alter table ${sql.table(table)} rename constraint ${sql.id(`${from}_pkey`)} to ${sql.id(`${to}_pkey`)}`,
    sql`alter table ${sql.table(table)} rename constraint ${sql.id(`${from}_receipt`)} to ${sql.id(`${to}_receipt`)}`,
  ];
}

/**
 * Runs `brief` in `trx` after taking the lock of the view `ballots` and its tables, which every ballot takes too,
 * each lock asked for at most LOCK_WAIT at a time (so a ballot queued behind the request waits no longer), and
 * tries again after a pause when one was not granted.
 */
async function briefly(trx: Transaction<DB>, brief: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await sql`savepoint brief`.execute(trx);
    try {
      await sql`set local lock_timeout = ${sql.lit(LOCK_WAIT)}`.execute(trx);
      await sql`lock table ballots in access exclusive mode`.execute(trx);
      await brief();
      await sql`set local lock_timeout = 0`.execute(trx);
      return;
    } catch (e) {
      await sql`rollback to savepoint brief`.execute(trx);
      if (!lockNotGranted(e)) throw e;
      if (attempt >= LOCK_TRIES)
        throw new Error(
          'another session kept the ballots locked (a backup or a long query); the ballots since the last pass stay in the inbox until a later pass',
        );
      await new Promise((resolve) => setTimeout(resolve, Math.min(25 * 2 ** attempt, 1000)));
    }
  }
}

/** A lock asked for with a lock timeout and not granted (SQLSTATE 55P03), as pg or the pool (as its cause) reports it. */
function lockNotGranted(e: unknown): boolean {
  for (let c = e; c instanceof Error; c = c.cause) if ((c as { code?: unknown }).code === '55P03') return true;
  return false;
}

/** Gives the inbox a new, empty table and sets the full one aside, still read through the view. */
async function setInboxAside(db: Kysely<DB>): Promise<void> {
  // Made beforehand, so that the brief step is renames only.
  await db.transaction().execute(async (trx) => {
    await sql`drop table if exists ballot_inbox_next`.execute(trx);
    await sql`create table ballot_inbox_next (like ballots_mixed including defaults including constraints)`.execute(trx);
    await constraints('ballot_inbox_next', 'next_inbox_ballots').execute(trx);
  });
  await db.transaction().execute((trx) =>
    briefly(trx, async () => {
      await sql`alter table ballot_inbox rename to ballot_inbox_moving`.execute(trx);
      for (const q of renameConstraints('ballot_inbox_moving', 'inbox_ballots', 'moving_ballots')) await q.execute(trx);
      await sql`alter table ballot_inbox_next rename to ballot_inbox`.execute(trx);
      for (const q of renameConstraints('ballot_inbox', 'next_inbox_ballots', 'inbox_ballots')) await q.execute(trx);
      await sql`create or replace view ballots as
        select * from ballots_mixed union all select * from ballot_inbox union all select * from ballot_inbox_moving`.execute(trx);
    }),
  );
}

/**
 * Writes the mixed ballots and those set aside into a new table in id order, all in this transaction, builds its
 * indexes from the sorted keys, then swaps it in and drops the two old tables: a copy whose layout and transaction
 * ids follow from its contents alone. Resolves to the number of ballots written.
 */
async function rebuild(db: Kysely<DB>, hooks: MixHooks = {}): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`set local statement_timeout = 0`.execute(trx);
    // A pass is background work: one process, so that ballots keep the other cores, and the mixed ballots read in
    // the order they are stored (by their key) and merged with the sorted inbox, instead of all sorted again.
    await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
    await sql`set local max_parallel_maintenance_workers = 0`.execute(trx);
    await sql`set local enable_seqscan = off`.execute(trx);
    await sql`set local enable_sort = off`.execute(trx);
    await sql`create table ballots_next (like ballots_mixed including defaults including constraints)`.execute(trx);
    const res = await sql`
      insert into ballots_next
      select * from (select * from ballots_mixed union all select * from ballot_inbox_moving) b order by id`.execute(trx);
    await constraints('ballots_next', 'next_ballots').execute(trx);
    await hooks.beforeSwap?.();
    await briefly(trx, async () => {
      await sql`create or replace view ballots as select * from ballots_next union all select * from ballot_inbox`.execute(trx);
      await sql`drop table ballots_mixed`.execute(trx);
      await sql`drop table ballot_inbox_moving`.execute(trx);
      await sql`alter table ballots_next rename to ballots_mixed`.execute(trx);
      for (const q of renameConstraints('ballots_mixed', 'next_ballots', 'ballots')) await q.execute(trx);
    });
    return Number(res.numAffectedRows ?? 0);
  });
}
