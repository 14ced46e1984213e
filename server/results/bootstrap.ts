// The bootstrap behind the 95% intervals of docs/SPEC.md, The method, method `pingyi-bootstrap-v1`, as pure functions.
// No database, no clock, no Math.random: the only randomness is seedrandom's ARC4, seeded with the SHA-256 hex of
// `{seed}|bootstrap` where `seed` is the round's draw seed, so anyone re-running it gets the same figures.
//
// The method, step by step (what /about states; the same steps with the same arithmetic give the same figures):
// 1. Only ranked units are resampled, and each *cell* on its own (units treated as independent, as §2.7 allows).
//    A cell is one indicator of one unit: all its answers when every ballot weighs the same, or the answers of one
//    stratum when strata carry weights (then a unit has a cell per indicator and stratum that has answers). With
//    one indicator and no weights a cell is a unit, which is the method as it was first published. A cell's n
//    valid answers are resampled with replacement; `unknown` answers are not resampled, so every resample has the
//    same valid counts and the same set of ranked units.
// 2. Drawing n answers with replacement from a cell's answers is the same as drawing how many times each answer
//    value comes up from a multinomial(n, observed shares). It is drawn as a chain of binomials over the values
//    that occur, in slot order (satisfied, basic, dissatisfied; or the scores 0..100): value k comes up
//    X ~ Binomial(answers still to draw, count(k) / count(k and the values after it)) times, and the last value
//    that occurs takes the rest. The chain stops when no answers are left to draw.
// 3. Each binomial is drawn exactly, not approximated (no normal approximation): every outcome k gets its binomial
//    probability up to double rounding. Both methods sample p ≤ 1/2 (for p > 1/2, X = n − Binomial(n, 1 − p)).
//    When n·p < 10: inversion from 0, one uniform u, returning the first k at which P(0) + … + P(k) exceeds u.
//    Otherwise: Hörmann's BTRS (transformed rejection with squeeze, 1993), two uniforms per try (about 1.2 tries),
//    accepting exactly by comparing with ln P(k) − ln P(mode) from log-factorials. Trade-off: a binomial costs
//    O(1) instead of O(n) for resampling answer by answer (or O(√n) for a pure inversion), which is what makes
//    100,000 ballots × 40 units × 1,000 resamples take well under a second; the price is that BTRS, though exact
//    in distribution, uses a varying number of uniforms, so reproducing the figures bit for bit means following
//    this code rather than any binomial sampler.
// 4. Random numbers are used in this order: resample 1 to R; within a resample, ranked units in the round's unit
//    order; within a unit, its indicators in the round's order and each indicator's cells in byte order of their
//    strata; within a cell, the binomials of the chain in order.
// 5. In every resample each cell's score and satisfaction rate are computed from its resampled counts with the
//    tally's own arithmetic, a unit's score and rate from its cells' with the tally's weights (`combineCells`), and
//    the units are ranked with the tally's rule (injected, see `designIntervals`).
// 6. A 95% interval is the pair of nearest-rank percentiles of the R values: the ⌈0.025·R⌉-th and the
//    ⌈0.975·R⌉-th smallest (for R = 1,000 the 25th and the 975th).
import seedrandom from 'seedrandom';
import { sha256Hex } from '../draw/algorithm.js';

export const BOOTSTRAP_METHOD = 'pingyi-bootstrap-v1';
export const DEFAULT_RESAMPLES = 1000;

/** A ranked unit as the bootstrap sees it: counts per answer slot, each slot's score value and whether it counts as satisfied. */
export interface BootstrapUnit {
  readonly histogram: readonly number[];
  readonly values: readonly number[];
  readonly satisfied: readonly boolean[];
}

/**
 * A ranked unit of a round with a ballot design (§2.7, Indicators and weights): each indicator's weight ω and its
 * cells, each a histogram resampled on its own with its weight w within the indicator (its stratum's weight, or 1
 * for the one cell of answers pooled over the strata). Every cell has at least one valid answer.
 */
export interface DesignUnit {
  readonly values: readonly number[];
  readonly satisfied: readonly boolean[];
  readonly indicators: readonly { readonly weight: number; readonly cells: readonly { readonly histogram: readonly number[]; readonly weight: number }[] }[];
}

/** Where a unit's cells lie in a flat list of cells, and their weights: what `combineCells` reads. */
export interface CellLayout {
  /** ω of each indicator. */
  readonly indicatorWeights: Float64Array;
  /** Indicator i owns cells cellStart[i] to cellStart[i + 1] − 1 (relative to the unit's first cell). */
  readonly cellStart: Int32Array;
  /** w of each cell. */
  readonly cellWeights: Float64Array;
}

export function cellLayout(unit: Pick<DesignUnit, 'indicators'>): CellLayout {
  const cellStart = new Int32Array(unit.indicators.length + 1);
  unit.indicators.forEach((ind, i) => {
    cellStart[i + 1] = (cellStart[i] as number) + ind.cells.length;
  });
  return {
    indicatorWeights: Float64Array.from(unit.indicators, (ind) => ind.weight),
    cellStart,
    cellWeights: Float64Array.from(unit.indicators.flatMap((ind) => ind.cells.map((c) => c.weight))),
  };
}

/**
 * One indicator's figure from its cells' figures x (scores or rates) from `offset`: Σ w·x / Σ w over its cells.
 * With one cell of weight 1 it is that cell's figure, bit for bit.
 */
export function indicatorFigure(layout: CellLayout, i: number, x: ArrayLike<number>, offset = 0): number {
  let sum = 0;
  let weights = 0;
  for (let c = layout.cellStart[i] as number; c < (layout.cellStart[i + 1] as number); c++) {
    const w = layout.cellWeights[c] as number;
    sum += w * (x[offset + c] as number);
    weights += w;
  }
  return sum / weights;
}

/**
 * A unit's score (or rate) from its cells' scores (or rates): Σᵢ ωᵢ·Sᵢ / Σᵢ ωᵢ with Sᵢ = `indicatorFigure`. The
 * published figure and every resample use this one function; with one indicator and one cell of weight 1 it is
 * the cell's figure bit for bit, which keeps the figures of rounds published before the ballot design.
 */
export function combineCells(layout: CellLayout, x: ArrayLike<number>, offset = 0): number {
  let sum = 0;
  let weights = 0;
  for (let i = 0; i < layout.indicatorWeights.length; i++) {
    const w = layout.indicatorWeights[i] as number;
    sum += w * indicatorFigure(layout, i, x, offset);
    weights += w;
  }
  return sum / weights;
}

export interface UnitIntervals {
  readonly score: [number, number];
  readonly rank: [number, number];
}

/** Ranks of units from their scores and rates (1 = best, shared on ties), in the order given. */
export type RankRule = (scores: Float64Array, rates: Float64Array) => ArrayLike<number>;

/**
 * Σ value·count / n over the slots that occur (the first `length` slots), in slot order. The point estimate and
 * every resample use this one function, so a resample equal to the observed answers yields the bit-identical score.
 */
export function unitScore(histogram: ArrayLike<number>, values: ArrayLike<number>, n: number, length = histogram.length): number {
  let sum = 0;
  for (let k = 0; k < length; k++) {
    const c = histogram[k]!;
    if (c !== 0) sum += (values[k] as number) * c;
  }
  return sum / n;
}

/** Share of the n valid answers that fall in satisfied slots (of the first `length`). */
export function unitRate(histogram: ArrayLike<number>, satisfied: ArrayLike<boolean>, n: number, length = histogram.length): number {
  let yes = 0;
  for (let k = 0; k < length; k++) if (satisfied[k]) yes += histogram[k]!;
  return yes / n;
}

// ln k! exactly summed for small k, Stirling's series (truncation error < 1e-17) above.
const SMALL = 128;
const LN_FACT_SMALL = new Float64Array(SMALL);
for (let k = 2; k < SMALL; k++) LN_FACT_SMALL[k] = LN_FACT_SMALL[k - 1]! + Math.log(k);
const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

function lnFactorial(k: number): number {
  if (k < SMALL) return LN_FACT_SMALL[k]!;
  const x = k + 1;
  const x2 = x * x;
  return (x - 0.5) * Math.log(x) - x + HALF_LN_2PI + (1 / 12 - (1 / 360 - 1 / (1260 * x2)) / x2) / x;
}

/** Draws Binomial(n, a/(a+b)); a, b positive integers. */
export type BinomialSampler = (n: number, a: number, b: number) => number;

/**
 * A binomial sampler for n, a + b ≤ maxN drawing its uniforms from `rng` (step 3 above). Tables of ln k!, ln k and
 * 1/k up to maxN, each entry computed on its own (never accumulated), keep every call cheap. Invariants: a result
 * in 0..n; the same rng state and (n, a, b) give the same result; each k comes up with its binomial probability
 * (up to double rounding).
 */
export function binomialSampler(maxN: number, rng: () => number): BinomialSampler {
  const size = maxN + 2;
  const lnFact = new Float64Array(size);
  const ln = new Float64Array(size);
  const inv = new Float64Array(size);
  for (let k = 1; k < size; k++) {
    lnFact[k] = lnFactorial(k);
    ln[k] = Math.log(k);
    inv[k] = 1 / k;
  }

  // Inversion from 0 (BINV): P(0) = q^n, P(k+1) = P(k)·(n−k)/(k+1)·p/q. About n·p + 1 steps, so only for n·p < 10.
  const inversion = (n: number, a: number, b: number): number => {
    let u = rng();
    let f = Math.exp(n * (ln[b]! - ln[a + b]!));
    const odds = a * inv[b]!;
    for (let k = 0; k < n; k++) {
      if (u < f) return k;
      u -= f;
      f *= (n - k) * odds * inv[k + 1]!;
      if (f === 0) return k + 1; // the upper tail underflowed: what is left of u is rounding error
    }
    return n;
  };

  // Hörmann's BTRS (1993), transformed rejection with squeeze, for n·p ≥ 10 and p ≤ 1/2: two uniforms per try,
  // about 1.2 tries; a candidate k is accepted when log(V·α/(A/us² + B)) ≤ ln(P(k)/P(m)), m the mode.
  const rejection = (n: number, a: number, b: number): number => {
    const s = a + b;
    const p = a / s;
    const spq = Math.sqrt(n * p * (b / s));
    const B = 1.15 + 2.53 * spq;
    const A = -0.0873 + 0.0248 * B + 0.01 * p;
    const c = n * p + 0.5;
    const vr = 0.92 - 4.2 / B;
    const alpha = (2.83 + 5.1 / B) * spq;
    const lpq = ln[a]! - ln[b]!;
    const m = Math.floor(((n + 1) * a) / s);
    const h = lnFact[m]! + lnFact[n - m]!;
    for (;;) {
      const U = rng() - 0.5;
      const V = rng();
      const us = 0.5 - Math.abs(U);
      const k = Math.floor(((2 * A) / us + B) * U + c);
      if (k < 0 || k > n) continue;
      if (us >= 0.07 && V <= vr) return k;
      if (Math.log((V * alpha) / (A / (us * us) + B)) <= h - lnFact[k]! - lnFact[n - k]! + (k - m) * lpq) return k;
    }
  };

  // Sample the rarer side (p ≤ 1/2) and mirror, so both methods see p ≤ 1/2.
  const rarer = (n: number, x: number, y: number) => (n * x < 10 * (x + y) ? inversion(n, x, y) : rejection(n, x, y));
  return (n, a, b) => (n === 0 ? 0 : a > b ? n - rarer(n, b, a) : rarer(n, a, b));
}

/** The ⌈p·R⌉-th smallest of R sorted values (nearest-rank percentile, p in (0, 1]). */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  const k = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[k - 1] as number;
}

/**
 * 95% intervals of each unit's score and rank, one unit being one cell (`pingyi-bootstrap-v1` as first published):
 * `designIntervals` with one indicator and one cell of weight 1 per unit.
 */
export function bootstrapIntervals(units: readonly BootstrapUnit[], seed: string, resamples: number, rank: RankRule): UnitIntervals[] {
  return designIntervals(
    units.map((u) => ({ values: u.values, satisfied: u.satisfied, indicators: [{ weight: 1, cells: [{ histogram: u.histogram, weight: 1 }] }] })),
    seed,
    resamples,
    rank,
  );
}

/**
 * 95% intervals of each unit's score and rank from `resamples` resamples (steps 1–6 above), in the order of
 * `units`. Invariants: same units + same seed + same resamples => same intervals; lo ≤ hi; a unit whose cells each
 * hold one answer value has a zero-width score interval; rank bounds lie in [1, units.length] when `rank` returns
 * ranks; one cell of weight 1 per unit gives the figures of `pingyi-bootstrap-v1` as first published.
 */
export function designIntervals(units: readonly DesignUnit[], seed: string, resamples: number, rank: RankRule): UnitIntervals[] {
  if (!Number.isSafeInteger(resamples) || resamples < 1) throw new Error(`bootstrap: resamples must be a positive integer, got ${resamples}`);
  const rng = seedrandom(sha256Hex(`${seed}|bootstrap`));
  const R = resamples;
  const U = units.length;
  // Every cell of every unit in resampling order (step 4), with the slots that occur: counts, values, flags, kept
  // in flat arrays (cell c owns slots slotStart[c] to slotStart[c + 1] − 1) so the loop below allocates nothing.
  const layouts = units.map(cellLayout);
  const firstCell = new Int32Array(U + 1);
  const slotStart: number[] = [0];
  const slotCounts: number[] = [];
  const slotValues: number[] = [];
  const slotSatisfied: boolean[] = [];
  const cellN: number[] = [];
  units.forEach((u, i) => {
    for (const ind of u.indicators) {
      for (const cell of ind.cells) {
        let n = 0;
        cell.histogram.forEach((m, k) => {
          if (m <= 0) return;
          slotCounts.push(m);
          slotValues.push(u.values[k] as number);
          slotSatisfied.push(u.satisfied[k] === true);
          n += m;
        });
        if (n === 0) throw new Error('bootstrap: a cell with no valid answers cannot be resampled');
        cellN.push(n);
        slotStart.push(slotCounts.length);
      }
    }
    firstCell[i + 1] = cellN.length;
  });
  const C = cellN.length;
  const scoreDraws = new Float64Array(U * R);
  const rankDraws = new Float64Array(U * R);
  const scores = new Float64Array(U);
  const rates = new Float64Array(U);
  const cellScores = new Float64Array(C);
  const cellRates = new Float64Array(C);
  const binomial = binomialSampler(Math.max(0, ...cellN), rng);
  const drawn = new Float64Array(Math.max(1, ...cellN.map((_, c) => (slotStart[c + 1] as number) - (slotStart[c] as number))));
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const n = cellN[c]!;
      const from = slotStart[c]!;
      const slots = slotStart[c + 1]! - from;
      let left = n;
      let rest = n;
      for (let k = 0; k < slots; k++) {
        const m = slotCounts[from + k]!;
        const x = left === 0 ? 0 : k === slots - 1 ? left : binomial(left, m, rest - m);
        drawn[k] = x;
        left -= x;
        rest -= m;
      }
      let sum = 0;
      let yes = 0;
      for (let k = 0; k < slots; k++) {
        // unitScore and unitRate over the drawn counts, inline (same additions in the same order).
        const x = drawn[k]!;
        if (x !== 0) sum += slotValues[from + k]! * x;
        if (slotSatisfied[from + k]) yes += x;
      }
      cellScores[c] = sum / n;
      cellRates[c] = yes / n;
    }
    for (let i = 0; i < U; i++) {
      scores[i] = combineCells(layouts[i]!, cellScores, firstCell[i]);
      rates[i] = combineCells(layouts[i]!, cellRates, firstCell[i]);
      scoreDraws[i * R + r] = scores[i]!;
    }
    const ranks = rank(scores, rates);
    for (let i = 0; i < U; i++) rankDraws[i * R + r] = ranks[i] as number;
  }
  return units.map((_, i) => {
    const s = scoreDraws.subarray(i * R, (i + 1) * R).sort();
    const k = rankDraws.subarray(i * R, (i + 1) * R).sort();
    return { score: [nearestRank(s, 0.025), nearestRank(s, 0.975)], rank: [nearestRank(k, 0.025), nearestRank(k, 0.975)] };
  });
}
