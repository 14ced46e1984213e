// The tally (docs/SPEC.md, The method) as pure functions: per-unit answer counts in, the published per-unit figures out.
// No database, no clock, no Math.random; the only randomness is the bootstrap's (./bootstrap.ts), seeded from the
// round's draw seed. ../shared/tally-vectors.json holds cases computed by a separate implementation.
import { compareBytes } from '../draw/algorithm.js';
import { bootstrapIntervals, DEFAULT_RESAMPLES, unitRate, unitScore, type BootstrapUnit } from './bootstrap.js';

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

const SATISFACTION4: readonly Answer[] = ['satisfied', 'basic', 'dissatisfied'];

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

/** The histogram slot of an answer, -1 for unknown, undefined when it is not an answer on this scale. */
export function answerSlot(scale: Scale, answer: unknown): number | undefined {
  if (answer === 'unknown') return -1;
  if (scale === 'score100') return Number.isInteger(answer) && (answer as number) >= 0 && (answer as number) <= 100 ? (answer as number) : undefined;
  const k = SATISFACTION4.indexOf(answer as Answer);
  return k < 0 ? undefined : k;
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
  for (let b = 0; b < ballots.length; b++) {
    const ballot = ballots[b]!;
    for (let j = 0; j < unitCodes.length; j++) {
      const slot = answerSlot(scale, ballot[unitCodes[j]!]);
      if (slot === undefined) throw new Error(`tally: ballot ${b} has no valid ${scale} answer for unit ${unitCodes[j]}`);
      if (slot < 0) unknown[j]!++;
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

/**
 * The tally of §2.7. Invariants: same input => same output (intervals included); units ordered by rank then code
 * (byte order), unranked last by code; a unit is ranked iff valid ≥ minValid and valid > 0; unranked units have
 * null rank, categoryRank and intervals and are never bottom3; bottom3TwoYears ⇒ bottom3.
 */
export function tally(input: TallyInput): UnitResult[] {
  const { scale, units, counts } = input;
  const size = slotCount(scale);
  const { values, satisfied } = slotMeaning(scale, input.points);
  if (new Set(units.map((u) => u.code)).size !== units.length) throw new Error('tally: unit codes must be unique');
  const rows = units.map((unit) => {
    const c = counts.get(unit.code) ?? { unknown: 0, histogram: new Array<number>(size).fill(0) };
    if (c.histogram.length !== size) throw new Error(`tally: unit ${unit.code} needs ${size} ${scale} counts, got ${c.histogram.length}`);
    const whole = (x: number) => Number.isSafeInteger(x) && x >= 0;
    if (!whole(c.unknown) || !c.histogram.every(whole)) throw new Error(`tally: unit ${unit.code} has a count that is not a whole number`);
    const valid = c.histogram.reduce((a, b) => a + b, 0);
    return {
      unit,
      histogram: c.histogram,
      unknown: c.unknown,
      valid,
      score: valid > 0 ? unitScore(c.histogram, values, valid) : null,
      rate: valid > 0 ? unitRate(c.histogram, satisfied, valid) : null,
      ranked: valid > 0 && valid >= input.minValid,
    };
  });

  // Ranks, category ranks and the bottom three, over ranked units only.
  const ranked = rows.filter((r) => r.ranked);
  const { tier, rank } = rankTiers(
    ranked.map((r) => r.score!),
    ranked.map((r) => r.rate!),
  );
  const sameScope = (i: number, j: number) => input.bottomScope === 'overall' || ranked[i]!.unit.category === ranked[j]!.unit.category;
  const previous = new Set(input.previousBottom3 ?? []);
  const intervals = bootstrapIntervals(
    ranked.map((r): BootstrapUnit => ({ histogram: r.histogram, values, satisfied })),
    input.seed,
    input.resamples ?? DEFAULT_RESAMPLES,
    (s, r) => rankTiers(s, r).rank,
  );
  const placed = new Map(
    ranked.map((row, i) => {
      const others = ranked.map((_, j) => j);
      const categoryRank = 1 + others.filter((j) => ranked[j]!.unit.category === row.unit.category && tier[j]! < tier[i]!).length;
      const bottom3 = others.filter((j) => sameScope(i, j) && tier[j]! > tier[i]!).length < 3;
      return [row, { rank: rank[i]!, categoryRank, bottom3, interval: intervals[i]! }] as const;
    }),
  );

  const results = rows.map((row): UnitResult => {
    const p = placed.get(row);
    const h = row.histogram;
    return {
      code: row.unit.code,
      ...(row.unit.name !== undefined ? { name: row.unit.name } : {}),
      category: row.unit.category,
      valid: row.valid,
      unknown: row.unknown,
      counts: scale === 'satisfaction4' ? { satisfied: h[0]!, basic: h[1]!, dissatisfied: h[2]! } : null,
      score: row.score,
      satisfactionRate: row.rate,
      rank: p?.rank ?? null,
      categoryRank: p?.categoryRank ?? null,
      scoreInterval: p?.interval.score ?? null,
      rankInterval: p?.interval.rank ?? null,
      bottom3: p?.bottom3 ?? false,
      bottom3TwoYears: (p?.bottom3 ?? false) && input.previousBottom3 !== null && previous.has(row.unit.code),
      ranked: row.ranked,
    };
  });
  const order = (u: UnitResult) => u.rank ?? Number.MAX_SAFE_INTEGER; // unranked last
  return results.sort((a, b) => order(a) - order(b) || compareBytes(a.code, b.code));
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
