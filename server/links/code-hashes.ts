import type { Database } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { codeHash, linkCode } from './codes.js';

const BATCH = 500;

/**
 * Gives every link issued before 测评码 existed (migration 0011) the hash of its code. Only the application can,
 * as a code is derived from SECRET; every link issued since gets its hash where its token's is written, so this
 * finds nothing to do after its first run. Batches of a few hundred, each in its own short transaction, so that a
 * server taking ballots is never held up for long; a row is written only if it is still without a hash and of
 * the same generation, so running it twice at once, or beside a re-issue, is harmless. Resolves to the number filled.
 */
export async function fillCodeHashes(db: Database, secret: string): Promise<number> {
  let filled = 0;
  for (;;) {
    const rows = await db
      .selectFrom('round_links')
      .innerJoin('rounds', 'rounds.id', 'round_links.round_id')
      .select(['round_links.round_id', 'round_links.code', 'round_links.generation', 'rounds.year'])
      .where('round_links.code_hash', 'is', null)
      .limit(BATCH)
      .execute();
    if (rows.length === 0) return filled;
    await transaction(db, async (trx) => {
      for (const r of rows) {
        const done = await trx
          .updateTable('round_links')
          .set({ code_hash: codeHash(linkCode(secret, r.year, r.code, r.generation)) })
          .where('round_id', '=', r.round_id)
          .where('code', '=', r.code)
          .where('generation', '=', r.generation)
          .where('code_hash', 'is', null)
          .executeTakeFirst();
        filled += Number(done.numUpdatedRows);
      }
    });
  }
}
