// Ballots into cells (docs/SPEC.md, The method: indicators and weights), a pure function: the counts every figure of
// a round is computed from. A cell is one indicator of one unit, from the ballots of one stratum.
import { compareBytes } from '../draw/algorithm.js';
import { slotCount, slotReader, UNANSWERED, type Answer, type Scale } from './tally.js';

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
  const slotOf = slotReader(scale);
  const single = indicators.length === 1;
  const perUnit = indicators.length * (size + 1); // per indicator: the histogram, then unknown (slot `size`)
  const byStratum = new Map<string, Int32Array>();
  const strata = new Map<string, number>();
  const reasons = unitCodes.map(() => new Array<number>(shape.reasons).fill(0));
  const unitAt = new Map(unitCodes.map((code, j) => [code, j]));
  const refuse = (b: number, j: number, i: number): never => {
    throw new Error(`tally: ballot ${b} has no valid ${scale} answer for unit ${unitCodes[j]}, indicator ${indicators[i]}`);
  };
  for (let b = 0; b < ballots.length; b++) {
    const ballot = ballots[b]!;
    const stratum = ballot.stratum ?? '';
    let counts = byStratum.get(stratum);
    if (!counts) {
      counts = new Int32Array(unitCodes.length * perUnit);
      byStratum.set(stratum, counts);
    }
    strata.set(stratum, (strata.get(stratum) ?? 0) + 1);
    for (let j = 0; j < unitCodes.length; j++) {
      const code = unitCodes[j]!;
      const given = ballot.answers[code];
      const at = j * perUnit;
      // The shape of a unit's answers (see CountedBallot) decides how each indicator's answer is found.
      if (Array.isArray(given)) {
        for (let i = 0; i < indicators.length; i++) {
          const slot = slotOf(given[i]);
          if (slot === UNANSWERED) refuse(b, j, i);
          counts[at + i * (size + 1) + slot]!++;
        }
      } else if (typeof given === 'object' && given !== null) {
        for (let i = 0; i < indicators.length; i++) {
          const slot = slotOf((given as Readonly<Record<string, Answer>>)[indicators[i]!]);
          if (slot === UNANSWERED) refuse(b, j, i);
          counts[at + i * (size + 1) + slot]!++;
        }
      } else {
        const slot = single ? slotOf(given) : UNANSWERED;
        if (slot === UNANSWERED) refuse(b, j, 0);
        counts[at + slot]!++;
      }
    }
    // Few units have reasons on a ballot: walk those rather than look up every unit.
    const ticked = ballot.reasons;
    if (ticked) {
      for (const code in ticked) {
        const j = unitAt.get(code);
        if (j === undefined) continue;
        for (const r of ticked[code]!) {
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
