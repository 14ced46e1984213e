import { transaction } from '../db/transaction.js';
import type { AuditTrail } from '../audit/log.js';
import { isoTime } from '../db/ids.js';
import type { Database } from '../db/schema.js';
import { reconcile, reconciliationTotal } from '../paper/entry.js';
import { findRound } from '../rounds/rounds.js';
import { charLength, refused, type Outcome } from '../validate.js';
import { computeResults, latestPublished, serialize } from './snapshot.js';

/**
 * Publishes a closed round's results as an immutable snapshot (version 1), or a correction of a published round
 * (version n+1, a note required); earlier versions stay as they were. One transaction with its audit row.
 */
export async function publishResults(
  db: Database,
  audit: AuditTrail,
  input: { year: number; note: string },
  actor: string,
): Promise<Outcome<{ version: number; sha256: string }>> {
  const note = input.note.trim();
  if (charLength(note) > 1000) return refused('results.error.note', undefined, 'note');
  return transaction(db, async (trx) => {
    const round = await findRound(trx, input.year);
    if (!round) return refused('rounds.error.notFound', { year: input.year });
    if (round.status !== 'closed' && round.status !== 'published') return refused('results.error.notClosed', { year: input.year, status: round.status });
    // Every sheet typed must be stored before publishing (returned = entered, as the reconciliation puts it): a
    // sheet typed once or disputed is a ballot still to be counted, and a published round takes no entries.
    const paper = reconciliationTotal(await reconcile(trx, round.id));
    const waiting = paper.returned - paper.entered;
    if (waiting > 0) return refused('results.error.paperWaiting', { year: input.year, count: waiting });
    const last = await latestPublished(trx, round.id);
    if (last && !note) return refused('results.error.noteNeeded', undefined, 'note');
    const version = (last?.version ?? 0) + 1;
    const publishedAt = isoTime(audit.clock.now());
    // The chain as it stands before this publication's own row: published, it anchors everything before it.
    const head = await audit.publishableHead(trx);
    if (!head) return refused('results.error.auditUnkeyed');
    const doc = await computeResults(trx, round, { version, publishedAt, note: note || null, audit: head });
    const { body, sha256 } = serialize(doc);
    await trx
      .insertInto('published_results')
      .values({ round_id: round.id, version, published_at: publishedAt, note: note || null, body, sha256 })
      .execute();
    await trx.updateTable('rounds').set({ status: 'published', updated_at: publishedAt }).where('id', '=', round.id).execute();
    await audit.record(trx, { actor, action: 'round.publish', detail: { year: input.year, version, sha256, note: note || undefined } });
    return { ok: true, value: { version, sha256 } };
  });
}
