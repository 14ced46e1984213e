// The bootstrap behind the 95% intervals of docs/SPEC.md, The method, method `pingyi-bootstrap-v1`, as pure functions.
// No database, no clock, no Math.random: the only randomness is seedrandom's ARC4, seeded with the SHA-256 hex of
// `{seed}|bootstrap` where `seed` is the round's draw seed, so anyone re-running it gets the same figures.
//
// The method, step by step (what /about states; the same steps with the same arithmetic give the same figures):
// 1. Only ranked units are resampled, each on its own (units treated as independent, as §2.7 allows). A unit's
//    n valid answers are resampled with replacement; `unknown` answers are not resampled, so every resample has
//    the same valid counts and the same set of ranked units.
// 2. Drawing n answers with replacement from a unit's answers is the same as drawing how many times each answer
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
//    order; within a unit, the binomials of the chain in order.
// 5. In every resample each unit's score and satisfaction rate are computed from its resampled counts with the
//    tally's own arithmetic, and the units are ranked with the tally's rule (injected, see `bootstrapIntervals`).
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

export interface UnitIntervals {
  readonly score: [number, number];
  readonly rank: [number, number];
}

/** Ranks of units from their scores and rates (1 = best, shared on ties), in the order given. */
export type RankRule = (scores: Float64Array, rates: Float64Array) => ArrayLike<number>;

/**
 * Σ value·count / n over the slots that occur, in slot order. The point estimate and every resample use this one
 * function, so a resample equal to the observed answers yields the bit-identical score.
 */
export function unitScore(histogram: ArrayLike<number>, values: readonly number[], n: number): number {
  let sum = 0;
  for (let k = 0; k < histogram.length; k++) {
    const c = histogram[k]!;
    if (c !== 0) sum += (values[k] as number) * c;
  }
  return sum / n;
}

/** Share of the n valid answers that fall in satisfied slots. */
export function unitRate(histogram: ArrayLike<number>, satisfied: readonly boolean[], n: number): number {
  let yes = 0;
  for (let k = 0; k < histogram.length; k++) if (satisfied[k]) yes += histogram[k]!;
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
 * 95% intervals of each unit's score and rank from `resamples` resamples (steps 1–6 above), in the order of
 * `units`. Invariants: same units + same seed + same resamples => same intervals; lo ≤ hi; a unit whose answers are
 * all the same has a zero-width score interval; rank bounds lie in [1, units.length] when `rank` returns ranks.
 */
export function bootstrapIntervals(units: readonly BootstrapUnit[], seed: string, resamples: number, rank: RankRule): UnitIntervals[] {
  if (!Number.isSafeInteger(resamples) || resamples < 1) throw new Error(`bootstrap: resamples must be a positive integer, got ${resamples}`);
  const rng = seedrandom(sha256Hex(`${seed}|bootstrap`));
  const R = resamples;
  const U = units.length;
  // Per unit, the slots that occur: their counts, values and satisfied flags, in slot order.
  const prepared = units.map((u) => {
    const slots = u.histogram.flatMap((c, k) => (c > 0 ? [k] : []));
    const n = slots.reduce((sum, k) => sum + (u.histogram[k] as number), 0);
    if (n === 0) throw new Error('bootstrap: a unit with no valid answers cannot be resampled');
    return {
      n,
      counts: slots.map((k) => u.histogram[k] as number),
      values: slots.map((k) => u.values[k] as number),
      satisfied: slots.map((k) => u.satisfied[k] === true),
    };
  });
  const scoreDraws = new Float64Array(U * R);
  const rankDraws = new Float64Array(U * R);
  const scores = new Float64Array(U);
  const rates = new Float64Array(U);
  const binomial = binomialSampler(Math.max(0, ...prepared.map((p) => p.n)), rng);
  const drawn = new Float64Array(Math.max(1, ...prepared.map((p) => p.counts.length)));
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < U; i++) {
      const { n, counts, values, satisfied } = prepared[i]!;
      const last = counts.length - 1;
      let left = n;
      let rest = n;
      drawn.fill(0, 0, counts.length);
      for (let k = 0; k <= last && left > 0; k++) {
        const c = counts[k]!;
        const x = k === last ? left : binomial(left, c, rest - c);
        drawn[k] = x;
        left -= x;
        rest -= c;
      }
      scores[i] = unitScore(drawn.subarray(0, counts.length), values, n);
      rates[i] = unitRate(drawn.subarray(0, counts.length), satisfied, n);
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
