// The tally (docs/SPEC.md, The method) as pure functions: answer counts in, the published per-unit figures out.
// No database, no clock, no Math.random; the only randomness is the bootstrap's (./bootstrap.ts), seeded from the
// round's draw seed. ../shared/tally-vectors.json and tally-vectors-2.json hold cases computed by a separate
// implementation (the second with indicators, weights and reasons).
import { compareBytes } from '../draw/algorithm.js';
import { cellLayout, combineCells, DEFAULT_RESAMPLES, designIntervals, indicatorFigure, unitRate, unitScore, type DesignUnit } from './bootstrap.js';
import type { Cell } from './cells.js';

export type Scale = 'satisfaction4' | 'score100';
export type BottomScope = 'overall' | 'category';
/** One answer on a ballot (§2.6); a number only on the score100 scale, an integer 0–100. */
export type Answer = 'satisfied' | 'basic' | 'dissatisfied' | 'unknown' | number;

/** Two scores (or two rates) are equal when they differ by less than this (§2.7). */
export const TIE_TOLERANCE = 1e-9;

/**
 * A unit's answers, aggregated. `histogram[k]` counts the valid answers in slot k: for satisfaction4 the slots are
 * [satisfied, basic, dissatisfied]; for score100 there are 101, slot s counting the answers s.
 */
export interface AnswerCounts {
  readonly unknown: number;
  readonly histogram: readonly number[];
}

export interface TallyUnit {
  readonly code: string;
  readonly name?: string;
  readonly category: string;
}

export interface TallyInput {
  readonly scale: Scale;
  /** Points for satisfied, basic, dissatisfied (satisfaction4 only). */
  readonly points: readonly [number, number, number];
  readonly minValid: number;
  readonly bottomScope: BottomScope;
  /** The round's units; categories keep the order of their first appearance here. */
  readonly units: readonly TallyUnit[];
  /** By unit code; a unit missing here had no answers. */
  readonly counts: ReadonlyMap<string, AnswerCounts>;
  /** Codes flagged bottom3 in the previous year's published round, or null when there is none. */
  readonly previousBottom3: readonly string[] | null;
  /** The round's draw seed; the bootstrap is seeded with SHA-256 hex of `{seed}|bootstrap`. */
  readonly seed: string;
  readonly resamples?: number;
}

/** One unit's published figures, fields in the order of §3.3. */
export interface UnitResult {
  code: string;
  name?: string;
  category: string;
  valid: number;
  unknown: number;
  counts: { satisfied: number; basic: number; dissatisfied: number } | null;
  score: number | null;
  satisfactionRate: number | null;
  rank: number | null;
  categoryRank: number | null;
  scoreInterval: [number, number] | null;
  rankInterval: [number, number] | null;
  bottom3: boolean;
  bottom3TwoYears: boolean;
  ranked: boolean;
}

/** Number of answer slots of a scale's histogram. */
export function slotCount(scale: Scale): number {
  return scale === 'satisfaction4' ? 3 : 101;
}

/** Each slot's score value and whether it counts towards the satisfaction rate (score100: 60 and above). */
export function slotMeaning(scale: Scale, points: readonly [number, number, number]): { values: number[]; satisfied: boolean[] } {
  if (scale === 'satisfaction4') return { values: [...points], satisfied: [true, true, false] };
  const values = Array.from({ length: 101 }, (_, s) => s);
  return { values, satisfied: values.map((s) => s >= 60) };
}

/** What a slot reader returns for something that is not an answer on its scale. */
export const UNANSWERED = -1;

// satisfaction4's slots in the order of its histogram (satisfied, basic, dissatisfied), then unknown.
const slot4 = (answer: unknown): number =>
  answer === 'satisfied' ? 0 : answer === 'basic' ? 1 : answer === 'dissatisfied' ? 2 : answer === 'unknown' ? 3 : UNANSWERED;
const slot100 = (answer: unknown): number =>
  typeof answer === 'number' ? (Number.isInteger(answer) && answer >= 0 && answer <= 100 ? answer : UNANSWERED) : answer === 'unknown' ? 101 : UNANSWERED;

/**
 * The scale's answer-to-index function for counting loops: a slot of the histogram, `slotCount(scale)` for
 * unknown (the count kept right after the histogram), UNANSWERED for anything else. Chosen once per tally so the
 * loop over every answer of every ballot makes one call and no comparison with the scale.
 */
export function slotReader(scale: Scale): (answer: unknown) => number {
  return scale === 'satisfaction4' ? slot4 : slot100;
}

/**
 * Aggregates ballots (unit code → answer) into counts per unit. Invariants: every ballot must answer every unit
 * in `unitCodes` on this scale (else it throws, naming the ballot and the unit); answers to other units are
 * ignored; the result does not depend on the order of the ballots.
 */
export function countAnswers(scale: Scale, unitCodes: readonly string[], ballots: readonly Readonly<Record<string, Answer>>[]): Map<string, AnswerCounts> {
  const size = slotCount(scale);
  const histograms = unitCodes.map(() => new Array<number>(size).fill(0));
  const unknown = unitCodes.map(() => 0);
  const slotOf = slotReader(scale);
  for (let b = 0; b < ballots.length; b++) {
    const ballot = ballots[b]!;
    for (let j = 0; j < unitCodes.length; j++) {
      const slot = slotOf(ballot[unitCodes[j]!]);
      if (slot === UNANSWERED) throw new Error(`tally: ballot ${b} has no valid ${scale} answer for unit ${unitCodes[j]}`);
      if (slot === size) unknown[j]!++;
      else histograms[j]![slot]!++;
    }
  }
  return new Map(unitCodes.map((code, j) => [code, { unknown: unknown[j]!, histogram: histograms[j]! }]));
}

/**
 * Ranks by score descending, then satisfaction rate descending, with shared ranks (1, 2, 2, 4). Values within
 * TIE_TOLERANCE are equal; to keep "equal" transitive, a run of scores each within the tolerance of the next is
 * one group (likewise rates within a group). Invariants: rank = 1 + number of units strictly better; equal tier
 * <=> equal rank; ranks and tiers do not depend on the order of the input.
 */
export function rankTiers(scores: ArrayLike<number>, rates: ArrayLike<number>): { tier: Int32Array; rank: Int32Array } {
  const n = scores.length;
  const s = (i: number) => scores[i] as number;
  const r = (i: number) => rates[i] as number;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s(b) - s(a) || r(b) - r(a) || a - b);
  const tier = new Int32Array(n);
  const rank = new Int32Array(n);
  let t = -1;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && s(order[end - 1]!) - s(order[end]!) < TIE_TOLERANCE) end++;
    const group = order.slice(start, end).sort((a, b) => r(b) - r(a) || a - b);
    group.forEach((i, k) => {
      if (k === 0 || r(group[k - 1]!) - r(i) >= TIE_TOLERANCE) t++;
      tier[i] = t;
      rank[i] = k > 0 && tier[group[k - 1]!] === t ? rank[group[k - 1]!]! : start + k + 1;
    });
    start = end;
  }
  return { tier, rank };
}

/** Per-stratum figures are published for strata with at least this many ballots (§2.7). */
export const MIN_STRATUM_BALLOTS = 10;

/** The key of the one indicator of the default ballot (§2.6). */
export const OVERALL = 'overall';

export interface IndicatorWeight {
  readonly key: string;
  readonly weight: number;
}

/** The tally of a round with a ballot design: indicators, strata weights and reasons (§2.6, §2.7). */
export interface DesignTallyInput extends Omit<TallyInput, 'counts'> {
  /** In the round's order, each with its weight ω. */
  readonly indicators: readonly IndicatorWeight[];
  /** Each stratum's weight w, or null when every ballot counts the same. */
  readonly strataWeights: Readonly<Record<string, number>> | null;
  readonly reasons: readonly string[];
  /**
   * The answers. Without strata weights cells may split the strata or pool them (stratum '' for all); with weights
   * there is one cell per stratum that has ballots, each stratum having a weight. A unit with no cells had no answers.
   */
  readonly cells: readonly Cell[];
  /** Ballots per stratum, for the per-stratum figures; null when the cells do not tell the strata apart. */
  readonly strata: ReadonlyMap<string, number> | null;
  /** Per unit, how many ballots ticked each reason (index i for reason i + 1); a unit missing here had none. */
  readonly reasonCounts: ReadonlyMap<string, readonly number[]>;
}

export type SlotCounts = { satisfied: number; basic: number; dissatisfied: number };

/** One indicator of a unit, fields in the order of §3.3. */
export interface IndicatorResult {
  key: string;
  valid: number;
  unknown: number;
  counts: SlotCounts | null;
  score: number | null;
  satisfactionRate: number | null;
  /** Among the ranked units, by this indicator's score then rate; null for an unranked unit. */
  rank: number | null;
}

/** A unit's figures from one stratum's ballots; a figure is null when an indicator has no valid answer there. */
export interface StratumResult {
  stratum: string;
  ballots: number;
  score: number | null;
  satisfactionRate: number | null;
}

export interface ReasonCount {
  reason: string;
  count: number;
}

/** One unit's published figures in a round with a ballot design: those of UnitResult, then these, in §3.3's order. */
export interface DesignUnitResult extends UnitResult {
  indicators: IndicatorResult[];
  byStratum: StratumResult[];
  reasons: ReasonCount[];
}

interface Tallied {
  unknown: number;
  histogram: number[];
}

const positive = (x: number) => typeof x === 'number' && Number.isFinite(x) && x > 0;

/**
 * The tally of §2.7 with indicators and weights. Per unit u and indicator i, S(u,i) is the score of the answers
 * pooled over the strata, or with strata weights Σ w·S(u,i,s) / Σ w over the strata with answers; S(u) =
 * Σ ω·S(u,i) / Σ ω; the rate likewise; valid(u) is the least and unknown(u) the greatest over the indicators.
 * Invariants: same input => same output (intervals included); units ordered by rank then code (byte order),
 * unranked last by code; a unit is ranked iff valid(u) ≥ minValid and valid(u) > 0, and then every indicator of it
 * has a score and a rank; unranked units have null rank, categoryRank and intervals and are never bottom3;
 * bottom3TwoYears ⇒ bottom3; with one indicator and no strata weights every figure of UnitResult is the one
 * `tally` gives for the pooled counts, bit for bit.
 */
export function tallyDesign(input: DesignTallyInput): DesignUnitResult[] {
  const { scale, units, indicators } = input;
  const size = slotCount(scale);
  const { values, satisfied } = slotMeaning(scale, input.points);
  if (new Set(units.map((u) => u.code)).size !== units.length) throw new Error('tally: unit codes must be unique');
  if (indicators.length === 0 || new Set(indicators.map((d) => d.key)).size !== indicators.length) throw new Error('tally: indicator keys must be unique');
  for (const d of indicators) if (!positive(d.weight)) throw new Error(`tally: indicator ${d.key} needs a positive weight`);
  const weights = input.strataWeights;
  if (weights) for (const [s, w] of Object.entries(weights)) if (!positive(w)) throw new Error(`tally: stratum ${s} needs a positive weight`);
  const unitAt = new Map(units.map((u, j) => [u.code, j]));
  const indicatorAt = new Map(indicators.map((d, i) => [d.key, i]));

  // Per unit and indicator: the answers pooled over the strata, and per stratum.
  const empty = (): Tallied => ({ unknown: 0, histogram: new Array<number>(size).fill(0) });
  const pooled = units.map(() => indicators.map(empty));
  const split = units.map(() => indicators.map(() => new Map<string, Tallied>()));
  const whole = (x: number) => Number.isSafeInteger(x) && x >= 0;
  for (const cell of input.cells) {
    const j = unitAt.get(cell.unit);
    const i = indicatorAt.get(cell.indicator);
    if (j === undefined) throw new Error(`tally: a cell names unit ${cell.unit}, which is not in the round`);
    if (i === undefined) throw new Error(`tally: a cell names indicator ${cell.indicator}, which is not in the round`);
    if (cell.histogram.length !== size) throw new Error(`tally: unit ${cell.unit} needs ${size} ${scale} counts, got ${cell.histogram.length}`);
    if (!whole(cell.unknown) || !cell.histogram.every(whole)) throw new Error(`tally: unit ${cell.unit} has a count that is not a whole number`);
    if (weights && !Object.hasOwn(weights, cell.stratum)) throw new Error(`tally: stratum ${cell.stratum || '(none)'} has ballots but no weight`);
    let own = split[j]![i]!.get(cell.stratum);
    if (!own) {
      own = empty();
      split[j]![i]!.set(cell.stratum, own);
    }
    for (const t of [pooled[j]![i]!, own]) {
      t.unknown += cell.unknown;
      for (let k = 0; k < size; k++) t.histogram[k]! += cell.histogram[k]!;
    }
  }

  const sum = (h: readonly number[]) => h.reduce((a, b) => a + b, 0);
  const rows = units.map((unit, j) => {
    // The cells the figures are computed from: the pooled answers, or each stratum with answers and its weight.
    const design: DesignUnit = {
      values,
      satisfied,
      indicators: indicators.map((d, i) => {
        const strata = [...split[j]![i]!].filter(([, t]) => sum(t.histogram) > 0).sort(([a], [b]) => compareBytes(a, b));
        const cells = weights
          ? strata.map(([s, t]) => ({ histogram: t.histogram, weight: weights[s] as number }))
          : sum(pooled[j]![i]!.histogram) > 0
            ? [{ histogram: pooled[j]![i]!.histogram, weight: 1 }]
            : [];
        return { weight: d.weight, cells };
      }),
    };
    const layout = cellLayout(design);
    const cells = design.indicators.flatMap((d) => d.cells);
    const cellScores = cells.map((c) => unitScore(c.histogram, values, sum(c.histogram)));
    const cellRates = cells.map((c) => unitRate(c.histogram, satisfied, sum(c.histogram)));
    const perIndicator = indicators.map((d, i) => {
      const t = pooled[j]![i]!;
      const answered = design.indicators[i]!.cells.length > 0;
      return {
        key: d.key,
        valid: sum(t.histogram),
        unknown: t.unknown,
        histogram: t.histogram,
        score: answered ? indicatorFigure(layout, i, cellScores) : null,
        rate: answered ? indicatorFigure(layout, i, cellRates) : null,
      };
    });
    const valid = Math.min(...perIndicator.map((p) => p.valid));
    const scored = perIndicator.every((p) => p.score !== null);
    return {
      unit,
      design,
      indicators: perIndicator,
      valid,
      unknown: Math.max(...perIndicator.map((p) => p.unknown)),
      score: scored ? combineCells(layout, cellScores) : null,
      rate: scored ? combineCells(layout, cellRates) : null,
      ranked: valid > 0 && valid >= input.minValid,
    };
  });

  // Ranks, category ranks and the bottom three, over ranked units only; each indicator ranked on its own.
  const ranked = rows.filter((r) => r.ranked);
  const { tier, rank } = rankTiers(
    ranked.map((r) => r.score!),
    ranked.map((r) => r.rate!),
  );
  const indicatorRanks = indicators.map(
    (_, i) =>
      rankTiers(
        ranked.map((r) => r.indicators[i]!.score!),
        ranked.map((r) => r.indicators[i]!.rate!),
      ).rank,
  );
  const sameScope = (i: number, j: number) => input.bottomScope === 'overall' || ranked[i]!.unit.category === ranked[j]!.unit.category;
  const previous = new Set(input.previousBottom3 ?? []);
  const intervals = designIntervals(
    ranked.map((r) => r.design),
    input.seed,
    input.resamples ?? DEFAULT_RESAMPLES,
    (s, r) => rankTiers(s, r).rank,
  );
  const placed = new Map(
    ranked.map((row, i) => {
      const others = ranked.map((_, j) => j);
      const categoryRank = 1 + others.filter((j) => ranked[j]!.unit.category === row.unit.category && tier[j]! < tier[i]!).length;
      const bottom3 = others.filter((j) => sameScope(i, j) && tier[j]! > tier[i]!).length < 3;
      return [row, { rank: rank[i]!, categoryRank, bottom3, interval: intervals[i]!, indicatorRanks: indicatorRanks.map((r) => r[i]!) }] as const;
    }),
  );

  // Per-stratum figures, for strata with enough ballots to publish: each indicator's cell on its own.
  const shown = input.strata ? [...input.strata].filter(([s, n]) => s !== '' && n >= MIN_STRATUM_BALLOTS).sort(([a], [b]) => compareBytes(a, b)) : [];
  const oneCellEach = cellLayout({ indicators: indicators.map((d) => ({ weight: d.weight, cells: [{ histogram: [], weight: 1 }] })) });
  const stratumFigures = (j: number, stratum: string, figure: (h: number[], n: number) => number): number | null => {
    const x = indicators.map((_, i) => {
      const t = split[j]![i]!.get(stratum);
      const n = t ? sum(t.histogram) : 0;
      return t && n > 0 ? figure(t.histogram, n) : null;
    });
    return x.every((v) => v !== null) ? combineCells(oneCellEach, x as number[]) : null;
  };
  const counted = (h: readonly number[]): SlotCounts | null => (scale === 'satisfaction4' ? { satisfied: h[0]!, basic: h[1]!, dissatisfied: h[2]! } : null);

  const results = rows.map((row, j): DesignUnitResult => {
    const p = placed.get(row);
    const reasonCounts = input.reasonCounts.get(row.unit.code) ?? input.reasons.map(() => 0);
    if (reasonCounts.length !== input.reasons.length)
      throw new Error(`tally: unit ${row.unit.code} has ${reasonCounts.length} reason counts for ${input.reasons.length} reasons`);
    return {
      code: row.unit.code,
      ...(row.unit.name !== undefined ? { name: row.unit.name } : {}),
      category: row.unit.category,
      valid: row.valid,
      unknown: row.unknown,
      counts: indicators.length === 1 ? counted(row.indicators[0]!.histogram) : null,
      score: row.score,
      satisfactionRate: row.rate,
      rank: p?.rank ?? null,
      categoryRank: p?.categoryRank ?? null,
      scoreInterval: p?.interval.score ?? null,
      rankInterval: p?.interval.rank ?? null,
      bottom3: p?.bottom3 ?? false,
      bottom3TwoYears: (p?.bottom3 ?? false) && input.previousBottom3 !== null && previous.has(row.unit.code),
      ranked: row.ranked,
      indicators: row.indicators.map((d, i) => ({
        key: d.key,
        valid: d.valid,
        unknown: d.unknown,
        counts: counted(d.histogram),
        score: d.score,
        satisfactionRate: d.rate,
        rank: p?.indicatorRanks[i] ?? null,
      })),
      byStratum: shown.map(([stratum, ballots]) => ({
        stratum,
        ballots,
        score: stratumFigures(j, stratum, (h, n) => unitScore(h, values, n)),
        satisfactionRate: stratumFigures(j, stratum, (h, n) => unitRate(h, satisfied, n)),
      })),
      reasons: input.reasons.map((reason, k) => ({ reason, count: reasonCounts[k]! })),
    };
  });
  const order = (u: UnitResult) => u.rank ?? Number.MAX_SAFE_INTEGER; // unranked last
  return results.sort((a, b) => order(a) - order(b) || compareBytes(a.code, b.code));
}

/**
 * The tally of §2.7 for one question per unit and ballots of equal weight: `tallyDesign` with the one indicator of
 * the default ballot, its answers pooled. Invariants: those of `tallyDesign`; the fields of UnitResult only.
 */
export function tally(input: TallyInput): UnitResult[] {
  const cells = input.units.flatMap((u): Cell[] => {
    const c = input.counts.get(u.code);
    return c ? [{ unit: u.code, indicator: OVERALL, stratum: '', unknown: c.unknown, histogram: [...c.histogram] }] : [];
  });
  const { counts, ...rest } = input;
  void counts;
  return tallyDesign({
    ...rest,
    indicators: [{ key: OVERALL, weight: 1 }],
    strataWeights: null,
    reasons: [],
    cells,
    strata: null,
    reasonCounts: new Map(),
  }).map(withoutDesign);
}

/** A unit's figures without those of the ballot design: the unit as published before it. */
export function withoutDesign({ indicators, byStratum, reasons, ...unit }: DesignUnitResult): UnitResult {
  void [indicators, byStratum, reasons];
  return unit;
}

/**
 * The categories whose bottom three is meaningless because it flags every ranked unit: when bottomScope is
 * 'category', those with three ranked units or fewer (none included), in the round's category order, with their
 * number of ranked units. Empty when bottomScope is 'overall'. The console warns about them before publishing.
 */
export function smallCategories(input: Pick<TallyInput, 'bottomScope' | 'units'>, results: readonly UnitResult[]): { category: string; ranked: number }[] {
  if (input.bottomScope !== 'category') return [];
  const categories = [...new Set(input.units.map((u) => u.category))];
  return categories.map((category) => ({ category, ranked: results.filter((r) => r.ranked && r.category === category).length })).filter((c) => c.ranked <= 3);
}
