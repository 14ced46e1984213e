import type { AuditTrail } from '../audit/log.js';
import type { Database, Executor } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { findRound, type Round } from '../rounds/rounds.js';
import { refused, type Outcome } from '../validate.js';

/*
 * Seats answering on paper. Marking flags the seat's link (round_links.paper): from then on the link takes no ballot
 * online, and the seat counts towards its stratum's paper seats, which cap how many paper ballots of that stratum
 * may be entered. The flag stays with the seat when its link is re-issued; a reserve that takes the seat answers
 * online unless marked in turn.
 */

/** Below this many paper seats in a stratum, whoever types its ballots nearly knows whose they are: the console warns. */
export const FEW_PAPER_SEATS = 10;

/** Rounds whose seats may be put on paper (or back online). */
const MARKABLE = new Set(['drawn', 'open']);

/** Paper seats per stratum (strata without any left out), in the strata's order. */
export async function paperSeatsByStratum(db: Executor, roundId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('round_links')
    .innerJoin('round_pool', (j) => j.onRef('round_pool.round_id', '=', 'round_links.round_id').onRef('round_pool.code', '=', 'round_links.code'))
    .select(['round_pool.stratum', (eb) => eb.fn.countAll<number>().as('n')])
    .where('round_links.round_id', '=', roundId)
    .where('round_links.active', '=', 1)
    .where('round_links.paper', '=', 1)
    .groupBy('round_pool.stratum')
    .orderBy('round_pool.stratum')
    .execute();
  return new Map(rows.map((r) => [r.stratum, Number(r.n)]));
}

/** The codes of the seats on paper, for the console's list. */
export async function paperSeatCodes(db: Executor, roundId: string): Promise<{ code: string; stratum: string }[]> {
  return db
    .selectFrom('round_links')
    .innerJoin('round_pool', (j) => j.onRef('round_pool.round_id', '=', 'round_links.round_id').onRef('round_pool.code', '=', 'round_links.code'))
    .select(['round_links.code', 'round_pool.stratum'])
    .where('round_links.round_id', '=', roundId)
    .where('round_links.active', '=', 1)
    .where('round_links.paper', '=', 1)
    .orderBy('round_links.code')
    .execute();
}

/** Paper ballots of a stratum entered so far (stored, or typed at least once): what undoing a mark waits for. */
export async function paperBallotsBegun(db: Executor, roundId: string, stratum: string): Promise<number> {
  const stored = await db
    .selectFrom('ballots')
    .innerJoin('paper_serials', (j) => j.onRef('paper_serials.round_id', '=', 'ballots.round_id').onRef('paper_serials.serial', '=', 'ballots.receipt'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('ballots.round_id', '=', roundId)
    .where('paper_serials.stratum', '=', stratum)
    .executeTakeFirstOrThrow();
  const pending = await db
    .selectFrom('paper_entries')
    .innerJoin('paper_serials', (j) =>
      j.onRef('paper_serials.round_id', '=', 'paper_entries.round_id').onRef('paper_serials.serial', '=', 'paper_entries.serial'),
    )
    .select((eb) => eb.fn.count<number>('paper_entries.serial').distinct().as('n'))
    .where('paper_entries.round_id', '=', roundId)
    .where('paper_serials.stratum', '=', stratum)
    .executeTakeFirstOrThrow();
  return Number(stored.n) + Number(pending.n);
}

export interface MarkedSeat {
  code: string;
  stratum: string;
  /** The stratum's paper seats after the change. */
  paperSeats: number;
}

/**
 * Puts a current seat holder's seat on paper (`paper` true) or back online (false), audited. On paper: only a seat
 * whose link has not been used, so a seat never has a ballot both ways. Back online: only while no paper ballot of
 * its stratum has been entered, since from then on the paper seats are what caps that stratum's paper ballots and
 * someone may already have answered on paper.
 */
export async function setPaperSeat(
  db: Database,
  audit: AuditTrail,
  input: { year: number; code: string; paper: boolean },
  actor: string,
): Promise<Outcome<MarkedSeat>> {
  const { year, code, paper } = input;
  return transaction(db, async (trx) => {
    const round = await findRound(trx, year);
    if (!round) return refused('rounds.error.notFound', { year });
    if (!MARKABLE.has(round.status)) return refused('paper.error.notMarkable', { year, status: round.status });
    const seat = await trx
      .selectFrom('round_links')
      .innerJoin('round_pool', (j) => j.onRef('round_pool.round_id', '=', 'round_links.round_id').onRef('round_pool.code', '=', 'round_links.code'))
      .select(['round_links.used_on', 'round_links.paper', 'round_pool.stratum'])
      .where('round_links.round_id', '=', round.id)
      .where('round_links.code', '=', code)
      .where('round_links.active', '=', 1)
      .executeTakeFirst();
    if (!seat) return refused('rounds.error.notSeated', { code, year }, 'code');
    if (paper) {
      if (seat.used_on) return refused('paper.error.usedOnline', { code }, 'code');
      if (seat.paper) return refused('paper.error.alreadyPaper', { code }, 'code');
    } else {
      if (!seat.paper) return refused('paper.error.notPaper', { code }, 'code');
      if ((await paperBallotsBegun(trx, round.id, seat.stratum)) > 0) return refused('paper.error.undoTooLate', { code, stratum: seat.stratum }, 'code');
    }
    // The guard repeats the checks in the statement itself: a ballot cast meanwhile leaves the seat as it is.
    const changed = await trx
      .updateTable('round_links')
      .set({ paper: paper ? 1 : 0 })
      .where('round_id', '=', round.id)
      .where('code', '=', code)
      .where('active', '=', 1)
      .where('used_on', 'is', null)
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) !== 1) return refused('paper.error.usedOnline', { code }, 'code');
    await audit.record(trx, { actor, action: paper ? 'paper.mark' : 'paper.unmark', detail: { year, code } });
    const seats = (await paperSeatsByStratum(trx, round.id)).get(seat.stratum) ?? 0;
    return { ok: true, value: { code, stratum: seat.stratum, paperSeats: seats } };
  });
}

export function roundAcceptsPaperSeats(round: Round): boolean {
  return MARKABLE.has(round.status);
}
