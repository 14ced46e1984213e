import type { AuditTrail } from '../audit/log.js';
import type { Database, Executor } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { findRound } from '../rounds/rounds.js';
import { refused, type Outcome } from '../validate.js';
import { paperSeatsByStratum } from './seats.js';
import { newSerial } from './serials.js';

/*
 * Batches of paper ballots: each batch is of one stratum (printed on every sheet, so an entered ballot carries its
 * stratum like an online one), its serials recorded with that stratum and nothing else. Who received which sheet
 * is never recorded.
 */

/**
 * Serials a stratum may have issued, per paper seat: spares for spoilt or lost sheets are normal, but every issued
 * serial is a valid ballot waiting to be typed, so an unbounded stock would only make stuffing easier to hide.
 */
export const SERIALS_PER_SEAT = 2;
export const MAX_BATCH = 1000;

export interface Batch {
  batch: number;
  stratum: string;
  count: number;
}

/** The round's batches, in the order they were issued. */
export async function listBatches(db: Executor, roundId: string): Promise<Batch[]> {
  const rows = await db
    .selectFrom('paper_serials')
    .select(['batch', 'stratum', (eb) => eb.fn.countAll<number>().as('count')])
    .where('round_id', '=', roundId)
    .groupBy(['batch', 'stratum'])
    .orderBy('batch')
    .execute();
  return rows.map((r) => ({ batch: Number(r.batch), stratum: r.stratum, count: Number(r.count) }));
}

/** A batch's serials, in byte order (the order says nothing: they are random). */
export async function batchSerials(db: Executor, roundId: string, batch: number): Promise<{ stratum: string; serials: string[] } | undefined> {
  const rows = await db.selectFrom('paper_serials').select(['serial', 'stratum']).where('round_id', '=', roundId).where('batch', '=', batch).execute();
  if (!rows.length) return undefined;
  const serials = rows.map((r) => r.serial).sort();
  return { stratum: rows[0]?.stratum ?? '', serials };
}

/**
 * Issues a batch of `count` new serials for a stratum that has paper seats, audited: at most SERIALS_PER_SEAT per
 * paper seat of the stratum in all its batches. Only while the round is drawn or open.
 */
export async function issueBatch(
  db: Database,
  audit: AuditTrail,
  input: { year: number; stratum: string; count: string },
  actor: string,
): Promise<Outcome<Batch>> {
  const { year, stratum } = input;
  const count = /^\d{1,4}$/.test(input.count.trim()) ? Number(input.count.trim()) : Number.NaN;
  if (!(count >= 1 && count <= MAX_BATCH)) return refused('paper.error.batchCount', { max: MAX_BATCH }, 'count');
  return transaction(db, async (trx) => {
    const round = await findRound(trx, year);
    if (!round) return refused('rounds.error.notFound', { year });
    if (round.status !== 'drawn' && round.status !== 'open') return refused('paper.error.notPrinting', { year, status: round.status });
    const seats = (await paperSeatsByStratum(trx, round.id)).get(stratum) ?? 0;
    if (seats === 0) return refused('paper.error.noPaperSeats', { stratum }, 'stratum');
    const issued = await trx
      .selectFrom('paper_serials')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('round_id', '=', round.id)
      .where('stratum', '=', stratum)
      .executeTakeFirstOrThrow();
    const limit = SERIALS_PER_SEAT * seats;
    if (Number(issued.n) + count > limit)
      return refused('paper.error.tooManySerials', { stratum, issued: Number(issued.n), limit, seats, left: Math.max(0, limit - Number(issued.n)) }, 'count');
    const last = await trx
      .selectFrom('paper_serials')
      .select((eb) => eb.fn.max('batch').as('batch'))
      .where('round_id', '=', round.id)
      .executeTakeFirst();
    const batch = Number(last?.batch ?? 0) + 1;
    const taken = new Set((await trx.selectFrom('paper_serials').select('serial').where('round_id', '=', round.id).execute()).map((r) => r.serial));
    const fresh: string[] = [];
    while (fresh.length < count) {
      const s = newSerial();
      if (!taken.has(s)) {
        taken.add(s);
        fresh.push(s);
      }
    }
    await trx
      .insertInto('paper_serials')
      .values(fresh.map((serial) => ({ round_id: round.id, serial, stratum, batch })))
      .execute();
    await audit.record(trx, { actor, action: 'paper.issue', detail: { year, stratum, batch, count } });
    return { ok: true, value: { batch, stratum, count } };
  });
}
