// Ballots into cells (docs/SPEC.md, The method: indicators and weights), a pure function: the counts every figure of
// a round is computed from. A cell is one indicator of one unit, from the ballots of one stratum.
import { compareBytes } from '../draw/algorithm.js';
import { answerSlot, slotCount, type Answer, type Scale } from './tally.js';

/** The answers to one indicator about one unit from one stratum's ballots: `histogram[k]` counts slot k (see AnswerCounts). */
export interface Cell {
  unit: string;
  indicator: string;
  /** '' for ballots that carry no stratum (cast before ballots recorded it). */
  stratum: string;
  unknown: number;
  histogram: number[];
}

/**
 * A ballot as the tally reads it. Per unit: with one indicator the answer itself (`{unit: answer}`); with several,
 * the answers in the round's order of indicators (how ballots are stored), or keyed by indicator. `reasons` lists,
 * per unit, the 1-based indices of the reasons ticked.
 */
export interface CountedBallot {
  readonly stratum: string | null;
  readonly answers: Readonly<Record<string, Answer | readonly Answer[] | Readonly<Record<string, Answer>>>>;
  readonly reasons?: Readonly<Record<string, readonly number[]>> | null;
}

export interface BallotCounts {
  /** Units in the given order, then indicators in the given order, then strata in byte order; only strata with ballots. */
  cells: Cell[];
  /** Ballots per stratum ('' for ballots without one). */
  strata: Map<string, number>;
  /** Per unit, how many ballots ticked each reason (index i for reason i + 1). */
  reasons: Map<string, number[]>;
}

/**
 * Counts ballots into cells, strata and reasons. Invariants: every ballot must answer every indicator of every unit
 * in `unitCodes` on this scale, and tick only reasons 1 to `reasons` (else it throws, naming the ballot); answers to
 * other units are ignored; the result does not depend on the order of the ballots; for each unit and indicator the
 * cells' valid and unknown answers add up to the number of ballots.
 */
export function countBallots(
  shape: { scale: Scale; unitCodes: readonly string[]; indicators: readonly string[]; reasons: number },
  ballots: readonly CountedBallot[],
): BallotCounts {
  const { scale, unitCodes, indicators } = shape;
  const size = slotCount(scale);
  const single = indicators.length === 1;
  const perUnit = indicators.length * (size + 1); // per indicator: the histogram, then unknown
  const byStratum = new Map<string, Float64Array>();
  const strata = new Map<string, number>();
  const reasons = unitCodes.map(() => new Array<number>(shape.reasons).fill(0));
  for (let b = 0; b < ballots.length; b++) {
    const ballot = ballots[b]!;
    const stratum = ballot.stratum ?? '';
    let counts = byStratum.get(stratum);
    if (!counts) {
      counts = new Float64Array(unitCodes.length * perUnit);
      byStratum.set(stratum, counts);
    }
    strata.set(stratum, (strata.get(stratum) ?? 0) + 1);
    for (let j = 0; j < unitCodes.length; j++) {
      const code = unitCodes[j]!;
      const given = ballot.answers[code];
      const listed = Array.isArray(given);
      const keyed = !listed && typeof given === 'object' && given !== null;
      for (let i = 0; i < indicators.length; i++) {
        const answer = listed ? given[i] : keyed ? (given as Readonly<Record<string, Answer>>)[indicators[i]!] : single ? given : undefined;
        const slot = answerSlot(scale, answer);
        if (slot === undefined) throw new Error(`tally: ballot ${b} has no valid ${scale} answer for unit ${code}, indicator ${indicators[i]}`);
        counts[j * perUnit + i * (size + 1) + (slot < 0 ? size : slot)]!++;
      }
      const ticked = ballot.reasons?.[code];
      if (ticked) {
        for (const r of ticked) {
          if (!Number.isInteger(r) || r < 1 || r > shape.reasons) throw new Error(`tally: ballot ${b} ticks reason ${r} for unit ${code}`);
          reasons[j]![r - 1]!++;
        }
      }
    }
  }
  const order = [...strata.keys()].sort(compareBytes);
  const cells: Cell[] = [];
  unitCodes.forEach((unit, j) => {
    indicators.forEach((indicator, i) => {
      for (const stratum of order) {
        const counts = byStratum.get(stratum)!;
        const at = j * perUnit + i * (size + 1);
        cells.push({ unit, indicator, stratum, unknown: counts[at + size]!, histogram: Array.from(counts.subarray(at, at + size)) });
      }
    });
  });
  return { cells, strata: new Map(order.map((s) => [s, strata.get(s)!])), reasons: new Map(unitCodes.map((code, j) => [code, reasons[j]!])) };
}
