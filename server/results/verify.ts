// Recomputes a published results file (docs/SPEC.md, Open data) from the counts in it, with no database: what
// `verify-results` runs. Every figure goes through the tally the server published it with (./tally.ts), so a
// genuine file matches exactly; the first difference is named, a unit's own figures before those that depend on
// other units, so that a changed count is reported at its unit.
import { compareBytes } from '../draw/algorithm.js';
import { BOOTSTRAP_METHOD } from './bootstrap.js';
import type { Cell } from './cells.js';
import type { PublishedUnitResult, ResultsDocument } from './snapshot.js';
import { OVERALL, slotCount, tallyDesign, type DesignUnitResult } from './tally.js';

export type ResultsVerdict = { ok: true; checked: string[]; notes: string[] } | { ok: false; difference: string };

export interface VerifyOptions {
  /** The previous year's published file, against which "two years running" is checked. */
  previous?: ResultsDocument;
  /** The round's categories in the form's order, for a file that does not say it. */
  categories?: string[];
}

/** Beyond this many categories the order the bootstrap drew in is not searched for: it must be given. */
const MAX_SEARCHED_CATEGORIES = 5;

const show = (v: unknown) => (v === undefined ? '(nothing)' : JSON.stringify(v));
const differ = (where: string, published: unknown, recomputed: unknown) => `${where}: the file has ${show(published)}, recomputed ${show(recomputed)}`;

/** The first path at which two JSON values differ (numbers compared exactly), or undefined. */
function firstDifference(where: string, published: unknown, recomputed: unknown): string | undefined {
  if (Array.isArray(recomputed)) {
    if (!Array.isArray(published) || published.length !== recomputed.length) return differ(where, published, recomputed);
    for (const [i, r] of recomputed.entries()) {
      const d = firstDifference(`${where}[${i}]`, published[i], r);
      if (d) return d;
    }
    return undefined;
  }
  if (recomputed !== null && typeof recomputed === 'object') {
    if (published === null || typeof published !== 'object' || Array.isArray(published)) return differ(where, published, recomputed);
    for (const [k, r] of Object.entries(recomputed)) {
      const d = firstDifference(`${where}.${k}`, (published as Record<string, unknown>)[k], r);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(published, recomputed) ? undefined : differ(where, published, recomputed);
}

/** Every order of `items`, the given order first (Heap's algorithm would do; these lists are short). */
function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const p of permutations(rest)) yield [items[i] as T, ...p];
  }
}

/** The answer counts the file publishes, as the tally's cells; or why it has none to recompute from. */
function cellsOf(doc: ResultsDocument): { cells: Cell[]; strata: Map<string, number> | null } | string {
  const size = slotCount(doc.scale);
  if (doc.cells) {
    const strata = new Map<string, number>();
    for (const c of doc.cells) {
      if (!Array.isArray(c.histogram) || c.histogram.length !== size) return `cells: ${c.unit}/${c.indicator}/${c.stratum} needs ${size} counts`;
      const n = c.unknown + c.histogram.reduce((a, b) => a + b, 0);
      const seen = strata.get(c.stratum);
      // Every ballot answers every item of every unit: a stratum's cells all hold its number of ballots.
      if (seen !== undefined && seen !== n) return `cells: ${c.unit}/${c.indicator}/${c.stratum} holds ${n} answers, other cells of ${c.stratum} hold ${seen}`;
      strata.set(c.stratum, n);
    }
    return { cells: doc.cells, strata };
  }
  const histogram = (x: { counts: { satisfied: number; basic: number; dissatisfied: number } | null }) =>
    x.counts && [x.counts.satisfied, x.counts.basic, x.counts.dissatisfied];
  const cells: Cell[] = [];
  for (const u of doc.units) {
    const items = doc.indicators ? (u.indicators ?? []) : [{ key: OVERALL, unknown: u.unknown, counts: u.counts }];
    for (const d of items) {
      const h = histogram(d);
      if (!h) return 'the file publishes no answer counts (a 0–100 round without strata weights), so its scores cannot be recomputed from it';
      cells.push({ unit: u.code, indicator: d.key, stratum: '', unknown: d.unknown, histogram: h });
    }
  }
  return { cells, strata: null };
}

/** A unit's own figures: those computed from its answers alone, in the order of the file. */
function ownFigures(u: DesignUnitResult, designed: boolean, weighted: boolean) {
  return {
    code: u.code,
    valid: u.valid,
    unknown: u.unknown,
    counts: u.counts,
    score: u.score,
    satisfactionRate: u.satisfactionRate,
    ranked: u.ranked,
    ...(designed && {
      indicators: u.indicators.map((d) => ({
        key: d.key,
        valid: d.valid,
        unknown: d.unknown,
        counts: d.counts,
        score: d.score,
        satisfactionRate: d.satisfactionRate,
      })),
    }),
    ...(weighted && { byStratum: u.byStratum }),
  };
}

/** A unit's figures that depend on the other units. */
const placedFigures = (u: DesignUnitResult, designed: boolean) => ({
  rank: u.rank,
  categoryRank: u.categoryRank,
  bottom3: u.bottom3,
  bottom3TwoYears: u.bottom3TwoYears,
  ...(designed && { indicators: u.indicators.map((d) => ({ rank: d.rank })) }),
});
const intervals = (u: DesignUnitResult) => ({ scoreInterval: u.scoreInterval, rankInterval: u.rankInterval });

/**
 * Recomputes every score, rate, rank, flag and interval of a published results file from its counts and names the
 * first difference. Invariants: a file published by `computeResults` verifies; changing any count in it fails at
 * the unit that count belongs to. "Two years running" is checked against `previous` when given, else only for
 * consistency with the bottom three.
 */
export function verifyResults(doc: ResultsDocument, opts: VerifyOptions = {}): ResultsVerdict {
  const fail = (difference: string): ResultsVerdict => ({ ok: false, difference });
  if (doc?.scale !== 'satisfaction4' && doc?.scale !== 'score100') return fail(`scale: ${show(doc?.scale)} is not a scale of this method`);
  if (!Array.isArray(doc.units) || doc.units.length === 0) return fail('the file has no units');
  if (doc.intervals?.method !== BOOTSTRAP_METHOD) return fail(differ('intervals.method', doc.intervals?.method, BOOTSTRAP_METHOD));
  const codes = doc.units.map((u) => u.code);
  if (new Set(codes).size !== codes.length) return fail('units: a code appears twice');
  const checked: string[] = [];
  const notes: string[] = [];

  const counted = cellsOf(doc);
  if (typeof counted === 'string') return fail(counted);
  const designed = doc.indicators !== undefined;
  const weighted = Boolean(doc.strataWeights);
  if (doc.indicators && !weighted) notes.push('byStratum: taken from the file (a round without strata weights publishes no per-stratum counts)');
  const reasons = doc.reasons ?? [];
  for (const u of doc.units) {
    if (designed && (u.reasons ?? []).map((r) => r.reason).join('\u0000') !== reasons.join('\u0000'))
      return fail(`units[${u.code}].reasons: not the round's reasons`);
  }

  let previous: string[] | null;
  if (opts.previous) {
    if (opts.previous.year !== doc.previousYear) return fail(differ('previousYear', doc.previousYear, opts.previous.year));
    previous = opts.previous.units.filter((u) => u.bottom3).map((u) => u.code);
  } else if (doc.previousYear === null) previous = null;
  else {
    // Without the previous file, the flags the file gives are taken as the previous year's bottom three: what is
    // left to check is that a unit flagged two years running is in this year's bottom three.
    previous = doc.units.filter((u) => u.bottom3TwoYears).map((u) => u.code);
    notes.push(`bottom3TwoYears: checked against bottom3 only (give --previous with the ${doc.previousYear} file to check it against that year)`);
  }

  const given = opts.categories ?? doc.categories;
  const inFile = [...new Set(doc.units.map((u) => u.category))];
  if (given && (given.length !== inFile.length || !inFile.every((c) => given.includes(c))))
    return fail(differ('categories', given, inFile.length === given.length ? inFile : `${inFile.length} categories`));
  const run = (order: readonly string[], resamples?: number) => {
    const position = new Map(order.map((c, i) => [c, i]));
    const units = doc.units
      .map((u) => ({ code: u.code, name: u.name, category: u.category }))
      .sort((a, b) => (position.get(a.category) as number) - (position.get(b.category) as number) || compareBytes(a.code, b.code));
    return tallyDesign({
      scale: doc.scale,
      points: doc.points,
      minValid: doc.minValid,
      bottomScope: doc.bottomScope,
      units,
      previousBottom3: previous,
      seed: doc.seed,
      resamples: resamples ?? doc.intervals.resamples,
      indicators: doc.indicators ?? [{ key: OVERALL, weight: 1 }],
      strataWeights: doc.strataWeights ?? null,
      reasons,
      cells: counted.cells,
      strata: counted.strata,
      reasonCounts: new Map(doc.units.map((u) => [u.code, (u.reasons ?? []).map((r) => r.count)])),
    });
  };

  // 1. Each unit's own figures, then those that depend on the other units: neither depends on the units' order.
  let results: DesignUnitResult[];
  try {
    results = run(given ?? inFile, 1);
  } catch (e) {
    return fail((e as Error).message.replace(/^tally: /, ''));
  }
  const byCode = new Map(results.map((r) => [r.code, r]));
  const fileUnit = (u: PublishedUnitResult): DesignUnitResult => ({
    ...u,
    indicators: u.indicators ?? [],
    byStratum: u.byStratum ?? [],
    reasons: u.reasons ?? [],
  });
  for (const u of doc.units) {
    const d = firstDifference(
      `units[${u.code}]`,
      ownFigures(fileUnit(u), designed, weighted),
      ownFigures(byCode.get(u.code) as DesignUnitResult, designed, weighted),
    );
    if (d) return fail(d);
  }
  checked.push('counts, scores and rates');
  for (const u of doc.units) {
    const d = firstDifference(`units[${u.code}]`, placedFigures(fileUnit(u), designed), placedFigures(byCode.get(u.code) as DesignUnitResult, designed));
    if (d) return fail(d);
  }
  const order = firstDifference(
    'units (order)',
    codes,
    results.map((r) => r.code),
  );
  if (order) return fail(order);
  checked.push('ranks and flags');

  // 2. The intervals: the bootstrap draws in the round's order of units, which an older file does not say. Each
  // order of its categories is tried; when none matches, the difference reported is that of the order that came
  // closest (in the right order only the changed figures differ).
  const orders = given ? [given] : inFile.length <= MAX_SEARCHED_CATEGORIES ? permutations(inFile) : [inFile];
  let closest: { misses: number; first: string } | undefined;
  for (const o of orders) {
    const full = new Map(run(o).map((r) => [r.code, r]));
    const misses = doc.units
      .map((u) => firstDifference(`units[${u.code}]`, intervals(fileUnit(u)), intervals(full.get(u.code) as DesignUnitResult)))
      .filter((d): d is string => d !== undefined);
    if (misses.length === 0) {
      if (!given) notes.push(`the round's order of categories, found: ${o.join(', ')}`);
      closest = undefined;
      break;
    }
    if (!closest || misses.length < closest.misses) closest = { misses: misses.length, first: misses[0] as string };
  }
  if (closest) {
    const hint =
      given || inFile.length <= MAX_SEARCHED_CATEGORIES ? '' : ` (the categories taken in the order of the file; give --categories in the round's order)`;
    return fail(closest.first + hint);
  }
  checked.push(`intervals (${doc.intervals.resamples} resamples)`);

  // 3. The totals.
  const receipts = Array.isArray(doc.receipts) ? doc.receipts.length : -1;
  if (receipts !== doc.ballots) return fail(differ('ballots', doc.ballots, receipts === -1 ? 'no receipts' : `${receipts} receipts`));
  const stratumBallots = doc.turnoutByStratum.reduce((n, s) => n + s.ballots, 0);
  if (doc.turnoutByStratum.length && stratumBallots !== doc.ballots) return fail(differ('turnoutByStratum (ballots)', stratumBallots, doc.ballots));
  for (const s of doc.turnoutByStratum) {
    const d = firstDifference(`turnoutByStratum[${s.stratum}].turnout`, s.turnout, s.seats ? s.ballots / s.seats : 0);
    if (d) return fail(d);
    const fromCells = counted.strata?.get(s.stratum);
    if (fromCells !== undefined && fromCells !== s.ballots)
      return fail(differ(`turnoutByStratum[${s.stratum}].ballots`, s.ballots, `${fromCells} in the cells`));
  }
  const turnout = firstDifference('turnout', doc.turnout, doc.sampleSize ? doc.ballots / doc.sampleSize : 0);
  if (turnout) return fail(turnout);
  for (const u of doc.units) {
    const answered = u.valid + u.unknown;
    if (!doc.indicators && answered !== doc.ballots) return fail(differ(`units[${u.code}] (valid + unknown)`, answered, doc.ballots));
    for (const d of u.indicators ?? [])
      if (d.valid + d.unknown !== doc.ballots) return fail(differ(`units[${u.code}].indicators[${d.key}] (valid + unknown)`, d.valid + d.unknown, doc.ballots));
  }
  checked.push('ballots and turnout');
  return { ok: true, checked, notes };
}
