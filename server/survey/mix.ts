import { sql } from 'kysely';
import { dialectOf } from '../db/database.js';
import type { Database } from '../db/schema.js';

/*
 * Anonymity on PostgreSQL. SQLite keeps the ballots table ordered by the random ballot id (its rowid), so
 * its layout says nothing about arrival. PostgreSQL does not: it appends rows as they come, and stamps every row
 * with the id of the transaction that wrote it (the hidden column xmin). The transaction that casts a ballot also
 * marks the link used, so until something is done, a ballot's xmin equals its link's xmin: who cast which ballot.
 *
 * Mixing undoes both. For every round whose ballots were written by more than one transaction, one transaction
 * deletes them and writes them back in id order (they now share one xmin that no link has); then CLUSTER
 * rewrites the table in id order and leaves the old row versions behind. It runs when a round closes and every
 * minute while a server runs, so a ballot's trace lasts at most about a minute. A round with a single ballot
 * is left as it is: one used link and one ballot tell who cast it whatever is stored.
 */

/** Any number: the key of the advisory lock that lets one server at a time mix. */
const MIX_LOCK = 7_140_331;
/** A voter's ballot never waits on mixing for longer than this; mixing gives up and tries again next time. */
const LOCK_TIMEOUT = '2s';

/** Mixes the ballots that need it; the number of ballots rewritten (0 on SQLite, which needs no mixing). */
export async function mixBallots(db: Database): Promise<number> {
  if (dialectOf(db) !== 'postgres') return 0;
  const moved = await db.transaction().execute(async (trx) => {
    const got = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${MIX_LOCK}) as locked`.execute(trx);
    if (!got.rows[0]?.locked) return 0; // another server is mixing right now
    const rounds = await sql<{ round_id: string }>`
      select round_id from ballots group by round_id having count(distinct xmin::text) > 1`.execute(trx);
    let n = 0;
    for (const { round_id } of rounds.rows) {
      const res = await sql`
        with moved as (delete from ballots where round_id = ${round_id} returning *)
        insert into ballots select * from moved order by id`.execute(trx);
      n += Number(res.numAffectedRows ?? 0);
    }
    return n;
  });
  if (moved > 0) {
    await db.connection().execute(async (conn) => {
      await sql`set lock_timeout = ${sql.lit(LOCK_TIMEOUT)}`.execute(conn);
      try {
        await sql`cluster ballots using ballots_pkey`.execute(conn);
      } finally {
        await sql`reset lock_timeout`.execute(conn);
      }
    });
  }
  return moved;
}

/**
 * Mixes every minute until stopped; a failure (the database away for a moment, the lock not granted) is reported
 * and tried again next time. Does nothing on SQLite.
 */
export function startMixing(db: Database, report: (message: string) => void, everyMs = 60_000): () => void {
  if (dialectOf(db) !== 'postgres') return () => {};
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    mixBallots(db)
      .catch((e) => report(`ballot mixing failed, will retry: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => (running = false));
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  tick();
  return () => clearInterval(timer);
}
