// Guards the tally (docs/SPEC.md, The method): vectors from a separate implementation, hand-worked tables, a plain
// re-implementation of the ranking rules from the spec's wording, and the bootstrap's promises.
import { existsSync, readFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { binomialSampler, bootstrapIntervals, nearestRank, unitRate, unitScore } from '../server/results/bootstrap.js';
import { countAnswers, rankTiers, smallCategories, tally, type Answer, type TallyInput, type UnitResult } from '../server/results/tally.js';

// ---- helpers ----

/** [code, category, satisfied, basic, dissatisfied, unknown] */
type Row = [string, string, number, number, number, number?];

/** A satisfaction4 round from rows of counts; the defaults are the round defaults of §2.3. */
function round(rows: Row[], over: Partial<TallyInput> = {}): TallyInput {
  return {
    scale: 'satisfaction4',
    points: [100, 70, 30],
    minValid: 30,
    bottomScope: 'overall',
    units: rows.map(([code, category]) => ({ code, category })),
    counts: new Map(rows.map(([code, , s, b, d, u]) => [code, { unknown: u ?? 0, histogram: [s, b, d] }])),
    previousBottom3: [],
    seed: 'test seed',
    resamples: 200,
    ...over,
  };
}

const byCode = (results: UnitResult[]) => Object.fromEntries(results.map((u) => [u.code, u]));
/** One field of every unit, by code. */
const column = <K extends keyof UnitResult>(results: UnitResult[], key: K) => Object.fromEntries(results.map((u) => [u.code, u[key]]));
const flagged = (results: UnitResult[]) =>
  results
    .filter((u) => u.bottom3)
    .map((u) => u.code)
    .sort();
const r6 = (x: number | null) => (x === null ? null : Math.round(x * 1e6) / 1e6);

// ---- 1. shared vectors ----

interface Vector {
  name: string;
  input: {
    points: [number, number, number];
    minValid: number;
    bottomScope: 'overall' | 'category';
    previousBottom3: string[] | null;
    units: { code: string; category: string }[];
    ballots: Record<string, Answer>[];
  };
  expect: Record<string, Omit<UnitResult, 'code' | 'category' | 'scoreInterval' | 'rankInterval'>>;
}

const fixtureUrl = new URL('./fixtures/tally-vectors.json', import.meta.url);
const sharedUrl = new URL('../../shared/tally-vectors.json', import.meta.url);
const vectorFile = JSON.parse(readFileSync(fixtureUrl, 'utf8')) as { about: string; cases: Vector[] };

const vectors = suite('tally: shared vectors');

vectors('the fixture is the shared file, when shared/ sits beside the checkout', () => {
  if (existsSync(sharedUrl)) assert.is(readFileSync(fixtureUrl, 'utf8'), readFileSync(sharedUrl, 'utf8'));
  assert.ok(vectorFile.cases.length >= 5);
  assert.match(vectorFile.about, /rounded to 6 decimals/);
});

for (const { name, input, expect } of vectorFile.cases) {
  vectors(name, () => {
    const counts = countAnswers(
      'satisfaction4',
      input.units.map((u) => u.code),
      input.ballots,
    );
    const results = tally({ scale: 'satisfaction4', ...input, counts, seed: 'vectors' });
    assert.equal(results.map((u) => u.code).sort(), Object.keys(expect).sort());
    for (const u of results) {
      const e = expect[u.code]!;
      // Every field the vector states is checked; scores and rates at the vector's 6 decimals.
      for (const key of Object.keys(e)) assert.ok(key in u, `${u.code}: vector field ${key} is not produced`);
      const got = { ...u, score: r6(u.score), satisfactionRate: r6(u.satisfactionRate) };
      for (const key of Object.keys(e) as (keyof typeof e)[]) assert.equal(got[key], e[key], `${u.code}.${key}`);
    }
    // Units ordered by rank then code, unranked last.
    const expected = Object.entries(expect)
      .sort(([a, x], [b, y]) => (x.rank ?? Infinity) - (y.rank ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0))
      .map(([code]) => code);
    assert.equal(
      results.map((u) => u.code),
      expected,
    );
  });
}
vectors.run();

// ---- 2. hand-worked tables ----
// With points 100/70/30 and 40 valid answers: all satisfied 100; 20 satisfied + 20 basic 85; all basic 70
// (rate 1); 16/12/12 also 70 (rate 0.7); 20 basic + 20 dissatisfied 50.

const table = suite('tally: hand-worked tables');

table('ties at the border of the bottom three flag every tied unit (5 units, 3rd and 4th from bottom tie: 4 flagged)', () => {
  const r = tally(
    round([
      ['A', 'X', 40, 0, 0],
      ['B', 'X', 20, 20, 0],
      ['C', 'X', 20, 20, 0],
      ['D', 'X', 0, 40, 0],
      ['E', 'X', 0, 20, 20],
    ]),
  );
  assert.equal(column(r, 'rank'), { A: 1, B: 2, C: 2, D: 4, E: 5 });
  assert.equal(flagged(r), ['B', 'C', 'D', 'E']);
});

table('a tie below the border flags just three; a scope of exactly four flags three', () => {
  const r = tally(
    round([
      ['A', 'X', 40, 0, 0],
      ['B', 'X', 20, 20, 0],
      ['D', 'X', 0, 40, 0],
      ['E', 'X', 0, 20, 20],
      ['F', 'X', 0, 20, 20],
    ]),
  );
  assert.equal(column(r, 'rank'), { A: 1, B: 2, D: 3, E: 4, F: 4 });
  assert.equal(flagged(r), ['D', 'E', 'F']);
  const four = tally(
    round([
      ['A', 'X', 40, 0, 0],
      ['B', 'X', 20, 20, 0],
      ['D', 'X', 0, 40, 0],
      ['E', 'X', 0, 20, 20],
    ]),
  );
  assert.equal(flagged(four), ['B', 'D', 'E']);
});

table('bottomScope category: a category of three ranked units or fewer is flagged whole, and reported', () => {
  const rows: Row[] = [
    ['A1', 'Big', 40, 0, 0],
    ['A2', 'Big', 30, 10, 0],
    ['A3', 'Big', 20, 20, 0],
    ['A4', 'Big', 0, 40, 0],
    ['A5', 'Big', 0, 20, 20],
    ['S1', 'Small', 40, 0, 0],
    ['S2', 'Small', 0, 40, 0],
    ['S3', 'Small', 5, 5, 5],
    ['T1', 'Tiny', 40, 0, 0],
  ];
  const input = round(rows, { bottomScope: 'category' });
  const r = tally(input);
  assert.equal(flagged(r), ['A3', 'A4', 'A5', 'S1', 'S2', 'T1']); // S3 has too few valid answers: never flagged
  assert.equal(column(r, 'categoryRank'), { A1: 1, A2: 2, A3: 3, A4: 4, A5: 5, S1: 1, S2: 2, S3: null, T1: 1 });
  assert.equal(smallCategories(input, r), [
    { category: 'Small', ranked: 2 },
    { category: 'Tiny', ranked: 1 },
  ]);
  // The same round ranked overall: bottom three of all units, and nothing to warn about.
  const overall = round(rows);
  const o = tally(overall);
  assert.equal(flagged(o), ['A4', 'A5', 'S2']);
  assert.equal(smallCategories(overall, o), []);
});

table('every unit unranked: no ranks, no flags, no intervals, ordered by code', () => {
  const input = round(
    [
      ['B', 'X', 10, 5, 5, 3],
      ['A', 'Y', 1, 0, 0],
      ['C', 'X', 0, 0, 0, 9],
    ],
    { previousBottom3: ['A', 'B', 'C'] },
  );
  const r = tally(input);
  assert.equal(
    r.map((u) => u.code),
    ['A', 'B', 'C'],
  );
  for (const u of r) {
    assert.equal(
      [u.ranked, u.rank, u.categoryRank, u.bottom3, u.bottom3TwoYears, u.scoreInterval, u.rankInterval],
      [false, null, null, false, false, null, null],
    );
  }
  const b = byCode(r);
  assert.equal([b.B!.valid, b.B!.unknown, b.B!.score, b.B!.satisfactionRate], [20, 3, (1000 + 350 + 150) / 20, 0.75]);
  assert.equal([b.C!.valid, b.C!.unknown, b.C!.score, b.C!.satisfactionRate], [0, 9, null, null]); // nothing to score
  assert.equal(smallCategories({ ...input, bottomScope: 'category' }, r), [
    { category: 'X', ranked: 0 },
    { category: 'Y', ranked: 0 },
  ]);
});

table('a unit with no valid answers is unranked even when minValid is 0; a missing unit counts as no answers', () => {
  const input = round(
    [
      ['A', 'X', 1, 0, 0],
      ['B', 'X', 0, 0, 0, 4],
    ],
    { minValid: 0 },
  );
  const r = byCode(tally({ ...input, units: [...input.units, { code: 'C', category: 'X' }] }));
  assert.equal([r.A!.ranked, r.A!.rank, r.B!.ranked, r.B!.score, r.C!.valid, r.C!.unknown, r.C!.ranked], [true, 1, false, null, 0, 0, false]);
});

table('score100: score is the mean of valid answers, rate the share of answers ≥ 60, counts null', () => {
  const ballots: Record<string, Answer>[] = [
    { P: 100, Q: 59, R: 'unknown' },
    { P: 60, Q: 60, R: 80 },
    { P: 59, Q: 'unknown', R: 80 },
    { P: 'unknown', Q: 0, R: 80 },
  ];
  const counts = countAnswers('score100', ['P', 'Q', 'R'], ballots);
  assert.is(counts.get('P')!.histogram.length, 101);
  const units = ['P', 'Q', 'R'].map((code) => ({ code, category: 'X' }));
  const r = tally({ ...round([]), scale: 'score100', units, counts, minValid: 3, previousBottom3: ['R'] });
  assert.equal(
    r.map((u) => u.code),
    ['R', 'P', 'Q'],
  );
  const b = byCode(r);
  assert.equal([b.P!.valid, b.P!.unknown, b.P!.score, b.P!.satisfactionRate, b.P!.counts], [3, 1, 73, 2 / 3, null]);
  assert.equal([b.Q!.score, b.Q!.satisfactionRate, b.Q!.rank], [119 / 3, 1 / 3, 3]);
  assert.equal([b.R!.score, b.R!.satisfactionRate, b.R!.rank, b.R!.scoreInterval], [80, 1, 1, [80, 80]]);
  assert.equal(column(r, 'bottom3TwoYears'), { R: true, P: false, Q: false }); // a scope of three: all flagged
});

table('no previous year (null): nobody is two years running', () => {
  const r = tally(
    round(
      [
        ['A', 'X', 40, 0, 0],
        ['B', 'X', 0, 40, 0],
      ],
      { previousBottom3: null },
    ),
  );
  assert.equal(flagged(r), ['A', 'B']);
  assert.equal(column(r, 'bottom3TwoYears'), { A: false, B: false });
});

table('a previous year with other units: codes gone this year are ignored, new units cannot be two years running', () => {
  const rows: Row[] = [
    ['A', 'X', 40, 0, 0],
    ['B', 'X', 30, 10, 0],
    ['C', 'X', 20, 20, 0],
    ['NEW', 'X', 0, 40, 0],
    ['E', 'X', 0, 20, 20],
  ];
  const r = tally(round(rows, { previousBottom3: ['GONE1', 'B', 'C', 'GONE2', 'E'] }));
  assert.equal(
    r.map((u) => u.code),
    ['A', 'B', 'C', 'NEW', 'E'],
  );
  assert.equal(column(r, 'bottom3'), { A: false, B: false, C: true, NEW: true, E: true });
  assert.equal(column(r, 'bottom3TwoYears'), { A: false, B: false, C: true, NEW: false, E: true });
});

table('shared ranks 1, 2, 2, 4 overall, with category ranks within each category', () => {
  const r = tally(
    round([
      ['D', 'X', 0, 40, 0],
      ['C', 'Y', 20, 20, 0],
      ['A', 'X', 40, 0, 0],
      ['B', 'X', 20, 20, 0],
    ]),
  );
  assert.equal(
    r.map((u) => [u.code, u.rank, u.categoryRank]),
    [
      ['A', 1, 1],
      ['B', 2, 2],
      ['C', 2, 1],
      ['D', 4, 3],
    ],
  );
});

table('equal scores: the satisfaction rate breaks the tie', () => {
  const r = tally(
    round([
      ['Q', 'X', 16, 12, 12],
      ['P', 'X', 0, 40, 0],
      ['S', 'X', 16, 12, 12],
    ]),
  );
  assert.equal(
    r.map((u) => [u.code, u.score, u.satisfactionRate, u.rank]),
    [
      ['P', 70, 1, 1],
      ['Q', 70, 0.7, 2],
      ['S', 70, 0.7, 2],
    ],
  );
});

table('exact-equality tolerance: scores that differ only by rounding (1.4e-14) tie', () => {
  // With points 100/70.1/30.3, (100 + 30.3)/2 and (300 + 90.9)/6 are both 65.15, but not in floating point.
  const input = round(
    [
      ['A', 'X', 1, 0, 1],
      ['B', 'X', 3, 0, 3],
      ['C', 'X', 0, 0, 1],
    ],
    { points: [100, 70.1, 30.3], minValid: 1 },
  );
  const r = tally(input);
  const b = byCode(r);
  assert.is.not(b.A!.score, b.B!.score);
  assert.ok(Math.abs(b.A!.score! - b.B!.score!) < 1e-12);
  assert.equal(column(r, 'rank'), { A: 1, B: 1, C: 3 });
});

table('rankTiers: 1e-12 apart ties, 1e-6 apart does not; within a tie the rate decides', () => {
  const cases: [number[], number[], number[]][] = [
    [
      [70, 70 + 1e-12],
      [0.5, 0.5],
      [1, 1],
    ],
    [
      [70, 70 + 1e-6],
      [0.5, 0.5],
      [2, 1],
    ],
    [
      [70 + 1e-12, 70],
      [0.5, 0.9],
      [2, 1],
    ],
    [
      [70, 70],
      [0.5, 0.5 + 1e-12],
      [1, 1],
    ],
    [
      [80, 70, 70, 60, 90],
      [0, 1, 1, 1, 0],
      [2, 3, 3, 5, 1],
    ],
    [[], [], []],
  ];
  for (const [scores, rates, ranks] of cases) assert.equal([...rankTiers(scores, rates).rank], ranks, JSON.stringify(scores));
});

table('output order: rank, then code in byte order; unranked last by code', () => {
  const r = tally(
    round([
      ['b', 'X', 0, 40, 0],
      ['U9', 'X', 40, 0, 0],
      ['U10', 'X', 40, 0, 0],
      ['B', 'X', 0, 40, 0],
      ['z', 'X', 1, 0, 0],
      ['Z', 'X', 1, 0, 0],
    ]),
  );
  assert.equal(
    r.map((u) => u.code),
    ['U10', 'U9', 'B', 'b', 'Z', 'z'],
  );
});

table('counts pass through; name is kept when given', () => {
  const input = round([['A', 'X', 12, 14, 12, 2]]);
  const [u] = tally({ ...input, units: [{ code: 'A', name: '甲局', category: 'X' }] });
  assert.equal(Object.keys(u!), [
    'code',
    'name',
    'category',
    'valid',
    'unknown',
    'counts',
    'score',
    'satisfactionRate',
    'rank',
    'categoryRank',
    'scoreInterval',
    'rankInterval',
    'bottom3',
    'bottom3TwoYears',
    'ranked',
  ]);
  assert.equal([u!.name, u!.counts, u!.valid, u!.unknown], ['甲局', { satisfied: 12, basic: 14, dissatisfied: 12 }, 38, 2]);
});

table('refusals: bad answers, bad counts, duplicate units, bad resamples', () => {
  assert.throws(() => countAnswers('satisfaction4', ['A', 'B'], [{ A: 'basic', B: 'basic' }, { A: 'basic' }]), /ballot 1 .* unit B/);
  assert.throws(() => countAnswers('satisfaction4', ['A'], [{ A: 70 }]), /unit A/);
  for (const bad of [101, -1, 7.5, '70', 'satisfied']) assert.throws(() => countAnswers('score100', ['A'], [{ A: bad as Answer }]), /unit A/);
  assert.throws(() => tally({ ...round([['A', 'X', 1, 1, 1]]), counts: new Map([['A', { unknown: 0, histogram: [1, 1] }]]) }), /3 satisfaction4 counts/);
  assert.throws(() => tally({ ...round([['A', 'X', 1, 1, 1]]), counts: new Map([['A', { unknown: 0.5, histogram: [1, 1, 1] }]]) }), /whole number/);
  assert.throws(
    () =>
      tally(
        round([
          ['A', 'X', 1, 1, 1],
          ['A', 'Y', 1, 1, 1],
        ]),
      ),
    /unique/,
  );
  assert.throws(() => tally(round([['A', 'X', 40, 0, 0]], { resamples: 0 })), /resamples/);
});

table.run();

// ---- 3. the ranking rules written plainly from the spec, against random rounds ----

/** §2.7 word for word, for units whose values never chain within the tolerance (true of counts out of ballots). */
function reference(input: TallyInput) {
  const rows = input.units.map((u) => {
    const c = input.counts.get(u.code)!;
    const [s, b, d] = c.histogram as [number, number, number];
    const valid = s + b + d;
    const [p1, p2, p3] = input.points;
    return { ...u, valid, score: (p1 * s + p2 * b + p3 * d) / valid, rate: (s + b) / valid };
  });
  const ranked = rows.filter((r) => r.valid >= input.minValid && r.valid > 0);
  const eq = (x: number, y: number) => Math.abs(x - y) < 1e-9;
  const better = (x: (typeof rows)[0], y: (typeof rows)[0]) => (!eq(x.score, y.score) ? x.score > y.score : !eq(x.rate, y.rate) && x.rate > y.rate);
  const out: Record<string, { rank: number; categoryRank: number; bottom3: boolean }> = {};
  for (const u of ranked) {
    const scope = ranked.filter((v) => input.bottomScope === 'overall' || v.category === u.category);
    out[u.code] = {
      rank: 1 + ranked.filter((v) => better(v, u)).length,
      categoryRank: 1 + ranked.filter((v) => v.category === u.category && better(v, u)).length,
      bottom3: scope.filter((v) => better(u, v)).length < 3,
    };
  }
  return out;
}

const plain = suite('tally: against a plain reading of the spec');

plain('200 random rounds (coarse answers, so ties are common) agree with the reference', () => {
  const rng = seedrandom('random rounds');
  const int = (n: number) => Math.floor(rng() * n);
  for (let t = 0; t < 200; t++) {
    const rows: Row[] = Array.from({ length: 1 + int(12) }, (_, i) => [`U${i}`, `C${int(3)}`, int(4), int(4), int(4), int(3)]);
    const input = round(rows, { minValid: int(5), bottomScope: rng() < 0.5 ? 'overall' : 'category', resamples: 5 });
    const got = Object.fromEntries(
      tally(input)
        .filter((u) => u.ranked)
        .map((u) => [u.code, { rank: u.rank, categoryRank: u.categoryRank, bottom3: u.bottom3 }]),
    );
    assert.equal(got, reference(input), JSON.stringify(rows));
  }
});

plain.run();

// ---- 4. the bootstrap ----

/** A larger round: 300 to 900 valid answers per unit, distinct leanings, two identical units. */
function bigRound(over: Partial<TallyInput> = {}): TallyInput {
  const rows: Row[] = Array.from({ length: 12 }, (_, i) => [`K${String(i).padStart(2, '0')}`, `C${i % 3}`, 100 + 40 * i, 200, 300 - 20 * i, 10]);
  rows.push(['TWIN', 'C0', 300, 200, 200, 0], ['TWIN2', 'C1', 300, 200, 200, 0], ['FEW', 'C2', 5, 5, 5, 0]);
  return round(rows, { resamples: 1000, ...over });
}

const boot = suite('tally: bootstrap intervals');

boot('the same seed gives identical intervals; another seed gives other ones', () => {
  const a = tally(bigRound({ seed: 'draw seed 1' }));
  const b = tally(bigRound({ seed: 'draw seed 1' }));
  const c = tally(bigRound({ seed: 'draw seed 2' }));
  assert.equal(a, b);
  const intervals = (r: UnitResult[]) => r.map((u) => [u.scoreInterval, u.rankInterval]);
  assert.not.equal(intervals(a), intervals(c));
  assert.equal(
    a.map(({ scoreInterval, rankInterval, ...rest }) => rest),
    c.map(({ scoreInterval, rankInterval, ...rest }) => rest),
  );
});

boot('intervals contain the point estimates, and rank bounds lie within [1, number of ranked units]', () => {
  for (const input of [
    bigRound(),
    round([
      ['A', 'X', 30, 8, 2],
      ['B', 'X', 20, 10, 8, 2],
      ['C', 'X', 20, 10, 8],
      ['D', 'X', 15, 15, 10],
    ]),
  ]) {
    const r = tally(input);
    const ranked = r.filter((u) => u.ranked).length;
    for (const u of r) {
      if (!u.ranked) {
        assert.equal([u.scoreInterval, u.rankInterval], [null, null], u.code);
        continue;
      }
      const [slo, shi] = u.scoreInterval!;
      const [rlo, rhi] = u.rankInterval!;
      assert.ok(slo <= u.score! && u.score! <= shi, `${u.code} score ${u.score} in [${slo}, ${shi}]`);
      assert.ok(rlo <= u.rank! && u.rank! <= rhi, `${u.code} rank ${u.rank} in [${rlo}, ${rhi}]`);
      assert.ok(1 <= rlo && rhi <= ranked && Number.isInteger(rlo) && Number.isInteger(rhi), `${u.code} rank bounds`);
    }
  }
});

boot('a unit whose answers are all the same has a zero-width score interval', () => {
  const b = byCode(
    tally(
      round([
        ['ALL', 'X', 0, 50, 0, 7],
        ['ONE', 'X', 0, 0, 33],
        ['MIX', 'X', 20, 20, 10],
      ]),
    ),
  );
  assert.equal(b.ALL!.scoreInterval, [70, 70]);
  assert.equal(b.ONE!.scoreInterval, [30, 30]);
  assert.ok(b.MIX!.scoreInterval![0] < b.MIX!.scoreInterval![1]);
});

boot('clearly separated units have rank intervals of exactly their rank', () => {
  const r = tally(
    round(
      [
        ['D', 'X', 0, 400, 400],
        ['A', 'X', 400, 0, 0],
        ['C', 'X', 0, 800, 0],
        ['B', 'X', 400, 400, 0],
      ],
      { resamples: 1000 },
    ),
  );
  assert.equal(
    r.map((u) => [u.code, u.rank, u.rankInterval]),
    [
      ['A', 1, [1, 1]],
      ['B', 2, [2, 2]],
      ['C', 3, [3, 3]],
      ['D', 4, [4, 4]],
    ],
  );
});

boot('identical units get overlapping, not identical-by-construction, rank intervals around their shared rank', () => {
  const b = byCode(tally(bigRound()));
  assert.is(b.TWIN!.rank, b.TWIN2!.rank);
  assert.ok(b.TWIN!.rankInterval![0] < b.TWIN!.rankInterval![1]);
});

boot('nearest-rank percentiles: for 1,000 values the 25th and the 975th smallest', () => {
  const values = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.equal([nearestRank(values, 0.025), nearestRank(values, 0.975)], [25, 975]);
  assert.equal([nearestRank([7], 0.025), nearestRank([7], 0.975)], [7, 7]);
  assert.equal([nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.025), nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.975)], [1, 10]);
});

boot('a resample equal to the observed answers reproduces the point estimate bit for bit', () => {
  const values = [100, 70.1, 30.3];
  assert.is(unitScore([3, 0, 3], values, 6), (100 * 3 + 30.3 * 3) / 6);
  assert.is(unitRate([3, 2, 5], [true, true, false], 10), 0.5);
  const [only] = bootstrapIntervals([{ histogram: [0, 9, 0], values, satisfied: [true, true, false] }], 's', 50, () => [1]);
  assert.equal(only, { score: [70.1, 70.1], rank: [1, 1] });
});

boot('the binomial sampler gives each outcome its binomial probability (inversion, rejection, mirrored)', () => {
  const N = 200_000;
  const pmf = (n: number, p: number) => {
    const f = [(1 - p) ** n];
    for (let k = 0; k < n; k++) f.push((f[k]! * (n - k) * p) / ((k + 1) * (1 - p)));
    return f;
  };
  // [n, a, b]: p = a/(a+b). n·p < 10 uses inversion; otherwise BTRS; p > 1/2 is mirrored.
  const cases: [number, number, number][] = [
    [30, 1, 4],
    [200, 3, 7],
    [200, 4, 1],
    [1000, 1, 1],
    [12, 5, 1],
  ];
  for (const [n, a, b] of cases) {
    const draw = binomialSampler(n + a + b, seedrandom(`binomial ${n} ${a} ${b}`));
    const seen = new Array<number>(n + 1).fill(0);
    for (let i = 0; i < N; i++) {
      const k = draw(n, a, b);
      assert.ok(Number.isInteger(k) && k >= 0 && k <= n);
      seen[k]!++;
    }
    const f = pmf(n, a / (a + b));
    let chi2 = 0;
    let cells = 0;
    for (let k = 0; k <= n; k++) {
      const expected = N * f[k]!;
      if (expected < 5) continue;
      chi2 += (seen[k]! - expected) ** 2 / expected;
      cells++;
    }
    // chi-square with ~cells degrees of freedom: mean cells, sd √(2·cells); 6 sd is far beyond chance.
    assert.ok(chi2 < cells + 6 * Math.sqrt(2 * cells), `Binomial(${n}, ${a}/${a + b}): chi² ${chi2.toFixed(1)} over ${cells} cells`);
  }
});

boot.run();
