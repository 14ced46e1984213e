import { sql, type Transaction } from 'kysely';
import { dialectOf } from './dialect.js';
import type { Database, DB } from './schema.js';

/** Any number: the key of the advisory lock that stands for "the right to change the installation". */
export const WRITER_LOCK = 7_140_330;

/**
 * Runs `fn` as one all-or-nothing change.
 *
 * SQLite has one writer at a time, so a transaction that reads, checks and then writes (a round's lifecycle, the
 * audit log's next sequence number) sees nothing change under it. PostgreSQL runs transactions side by side; to
 * keep the same guarantee, every change takes one advisory lock for the whole database first. Ballots take it
 * shared: they run side by side (their guard is one atomic update of their own link), but never while an
 * administrator's change, such as closing the round, is under way.
 */
export async function transaction<T>(db: Database, fn: (trx: Transaction<DB>) => Promise<T>, kind: 'exclusive' | 'ballot' = 'exclusive'): Promise<T> {
  if (dialectOf(db) === 'sqlite') return db.transaction().execute(fn);
  return db.transaction().execute(async (trx) => {
    await (kind === 'ballot' ? sql`select pg_advisory_xact_lock_shared(${WRITER_LOCK})` : sql`select pg_advisory_xact_lock(${WRITER_LOCK})`).execute(trx);
    return fn(trx);
  });
}
