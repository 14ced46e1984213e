import { countBallots, type CountedBallot } from '../../server/results/cells.js';
import { countAnswers, tally, tallyDesign, type Answer, type Scale } from '../../server/results/tally.js';
import type { Figure } from './types.js';

const BALLOTS = 100_000;
const UNITS = 40;
const CATEGORIES = ['综合管理部门', '行政执法部门', '公共服务部门'];

/** A fixed LCG: the same ballots every run, no Math.random. */
function lcg(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

const syntheticUnits = () => Array.from({ length: UNITS }, (_, i) => ({ code: `D${String(i + 1).padStart(2, '0')}`, category: CATEGORIES[i % 3] as string }));

/** One answer from a unit's leaning (share of satisfied, 0.45–0.85); about 8% unknown. */
function answer(scale: Scale, lean: number, next: () => number): Answer {
  const r = next();
  if (r < 0.08) return 'unknown';
  if (scale === 'score100') return Math.min(100, Math.floor(40 + 60 * lean * next() + 25 * next()));
  return r < 0.08 + 0.92 * lean ? 'satisfied' : r < 0.08 + 0.92 * (lean + (1 - lean) * 0.6) ? 'basic' : 'dissatisfied';
}

/**
 * `count` synthetic ballots over `UNITS` units in three categories. Each unit has its own leaning, so scores
 * spread out and some units tie closely.
 */
function syntheticRound(scale: Scale, count: number) {
  const units = syntheticUnits();
  const next = lcg(20240601);
  const ballots: Record<string, Answer>[] = [];
  for (let b = 0; b < count; b++) {
    const ballot: Record<string, Answer> = {};
    units.forEach(({ code }, i) => {
      ballot[code] = answer(scale, 0.45 + (i % 17) * 0.025, next);
    });
    ballots.push(ballot);
  }
  return { units, ballots };
}

/** The whole tally, aggregation from ballots and 1,000-resample intervals included. */
function runTally(scale: Scale, round: ReturnType<typeof syntheticRound>, seed: string) {
  const counts = countAnswers(
    scale,
    round.units.map((u) => u.code),
    round.ballots,
  );
  return tally({ scale, points: [100, 70, 30], minValid: 30, bottomScope: 'overall', units: round.units, counts, previousBottom3: null, seed });
}

const INDICATORS = ['law', 'service', 'efficiency', 'integrity', 'style'];
const STRATA = ['人大代表', '政协委员', '企业代表', '社区居民', '农村代表', '媒体代表'];

/**
 * Ballots of a round with five indicators, from six strata of unequal sizes, each ticking a reason now and then; as
 * the server reads them (answers per unit in the round's order of indicators).
 */
function designedRound(count: number) {
  const units = syntheticUnits();
  const next = lcg(20250601);
  const ballots: CountedBallot[] = [];
  for (let b = 0; b < count; b++) {
    const answers: Record<string, Answer[]> = {};
    const reasons: Record<string, number[]> = {};
    units.forEach(({ code }, i) => {
      const own = INDICATORS.map((_, k) => answer('satisfaction4', 0.45 + ((i + 3 * k) % 17) * 0.025, next));
      answers[code] = own;
      if (own.includes('dissatisfied') && next() < 0.3) reasons[code] = [1 + Math.floor(next() * 4)];
    });
    ballots.push({ stratum: STRATA[Math.floor(next() ** 1.5 * STRATA.length)] as string, answers, reasons });
  }
  return { units, ballots };
}

/** The weighted five-indicator tally: counting the ballots into cells, the figures and 1,000 resamples per cell. */
function runDesigned(round: ReturnType<typeof designedRound>, seed: string) {
  const reasons = ['办事拖拉', '态度生硬', '推诿扯皮', '不作为乱作为'];
  const counts = countBallots(
    { scale: 'satisfaction4', unitCodes: round.units.map((u) => u.code), indicators: INDICATORS, reasons: reasons.length },
    round.ballots,
  );
  return tallyDesign({
    scale: 'satisfaction4',
    points: [100, 70, 30],
    minValid: 30,
    bottomScope: 'overall',
    units: round.units,
    previousBottom3: null,
    seed,
    indicators: INDICATORS.map((key, k) => ({ key, weight: k === 0 ? 2 : 1 })),
    strataWeights: Object.fromEntries(STRATA.map((s, k) => [s, 1 + (k % 3)])),
    reasons,
    cells: counts.cells,
    strata: counts.strata,
    reasonCounts: counts.reasons,
  });
}

/** Best of three after a warm-up, in ms. */
function bestOf3(run: (seed: string) => void, warmUp: () => void): { best: number; times: number[] } {
  warmUp();
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    run(`bench ${i}`);
    times.push(performance.now() - t0);
  }
  return { best: Math.min(...times), times };
}

function plain(scale: Scale) {
  const round = syntheticRound(scale, BALLOTS);
  return bestOf3(
    (seed) => runTally(scale, round, seed),
    () => runTally(scale, { units: round.units, ballots: round.ballots.slice(0, 1000) }, 'warm-up'),
  );
}

/**
 * Tallies 100,000 ballots × 40 units with 1,000 bootstrap resamples, on both scales, and 100,000 ballots × 40 units
 * × 5 indicators × 6 strata with strata weights (1,200 cells resampled on their own): goal under 1 second each.
 */
export async function benchTally(): Promise<Figure[]> {
  const four = plain('satisfaction4');
  const hundred = plain('score100');
  const designed = designedRound(BALLOTS);
  const weighted = bestOf3(
    (seed) => runDesigned(designed, seed),
    () => runDesigned({ units: designed.units, ballots: designed.ballots.slice(0, 1000) }, 'warm-up'),
  );
  const ms = (r: { times: number[] }) => r.times.map((t) => t.toFixed(0)).join(' / ');
  console.log(
    `tally: 100,000 ballots × 40 units, 1,000 resamples: satisfaction4 ${ms(four)} ms (best ${four.best.toFixed(0)}), ` +
      `score100 ${ms(hundred)} ms (best ${hundred.best.toFixed(0)}); × 5 indicators × 6 strata, weighted: ${ms(weighted)} ms (best ${weighted.best.toFixed(0)})`,
  );
  return [
    { name: 'tally 100,000 ballots × 40 units (satisfaction4)', value: Math.round(four.best), unit: 'ms', goal: '< 1000 ms', met: four.best < 1000 },
    { name: 'tally 100,000 ballots × 40 units (score100)', value: Math.round(hundred.best), unit: 'ms', goal: '< 1000 ms', met: hundred.best < 1000 },
    {
      name: 'tally 100,000 ballots × 40 units × 5 indicators × 6 strata, weighted',
      value: Math.round(weighted.best),
      unit: 'ms',
      goal: '< 1000 ms',
      met: weighted.best < 1000,
    },
  ];
}
