// Guards the tally with a ballot design (docs/SPEC.md, The method: indicators and weights): the second shared
// vector file, the promise that a round with today's ballot publishes what it did before, and the invariants of
// cells, weights, per-stratum figures and the bootstrap resampled per cell.
import { existsSync, readFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bootstrapIntervals, designIntervals } from '../server/results/bootstrap.js';
import { countBallots, type Cell, type CountedBallot } from '../server/results/cells.js';
import { rankTiers, tally, tallyDesign, withoutDesign, type DesignTallyInput, type DesignUnitResult, type TallyInput } from '../server/results/tally.js';

// ---- 1. the second shared vector file ----

interface Vector2 {
  name: string;
  input: Omit<DesignTallyInput, 'cells' | 'strata' | 'reasonCounts' | 'seed' | 'indicators'> & {
    indicators: { key: string; label: string; weight: number }[];
    ballots: CountedBallot[];
  };
  expected: { units: Record<string, unknown>[] };
}

const fixtureUrl = new URL('./fixtures/tally-vectors-2.json', import.meta.url);
const sharedUrl = new URL('../../shared/tally-vectors-2.json', import.meta.url);
const file = JSON.parse(readFileSync(fixtureUrl, 'utf8')) as { about: string; cases: Vector2[] };

/** The tally of a vector's ballots, as the server runs it: counted into cells, then tallied. */
function run(v: Vector2['input'], resamples = 20): DesignUnitResult[] {
  const counts = countBallots(
    { scale: v.scale, unitCodes: v.units.map((u) => u.code), indicators: v.indicators.map((d) => d.key), reasons: v.reasons.length },
    v.ballots,
  );
  return tallyDesign({ ...v, cells: counts.cells, strata: counts.strata, reasonCounts: counts.reasons, seed: 'vectors', resamples });
}

/** Numbers within 1e-9 (as the file asks), everything else exactly; names the path of the first difference. */
function near(got: unknown, want: unknown, path: string): void {
  if (typeof want === 'number' && typeof got === 'number') {
    assert.ok(Math.abs(got - want) < 1e-9, `${path}: got ${got}, want ${want}`);
  } else if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) && got.length === want.length, `${path}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    for (const [i, w] of want.entries()) near((got as unknown[])[i], w, `${path}[${i}]`);
  } else if (want !== null && typeof want === 'object') {
    assert.ok(got !== null && typeof got === 'object', `${path}: got ${JSON.stringify(got)}`);
    for (const [k, w] of Object.entries(want)) {
      assert.ok(k in (got as object), `${path}.${k} is not produced`);
      near((got as Record<string, unknown>)[k], w, `${path}.${k}`);
    }
  } else assert.is(got, want, path);
}

const vectors = suite('tally with a ballot design: shared vectors (tally-vectors-2.json)');

vectors('the fixture is the shared file, when shared/ sits beside the checkout', () => {
  if (existsSync(sharedUrl)) assert.is(readFileSync(fixtureUrl, 'utf8'), readFileSync(sharedUrl, 'utf8'));
  assert.ok(file.cases.length >= 5);
});

for (const { name, input, expected } of file.cases) {
  vectors(name, () => {
    const results = run(input);
    assert.equal(
      results.map((u) => u.code),
      expected.units.map((u) => u.code),
      'units in published order',
    );
    for (const [i, u] of results.entries()) near(u, expected.units[i], `units[${u.code}]`);
  });
}
vectors.run();

// ---- 2. one indicator, no weights: the tally as it was ----

/** [code, category, satisfied, basic, dissatisfied, unknown] */
type Row = [string, string, number, number, number, number];

function randomRound(rng: () => number, units: number): TallyInput {
  const int = (n: number) => Math.floor(rng() * n);
  const rows: Row[] = Array.from({ length: units }, (_, i) => [`U${i}`, `C${int(3)}`, int(60), int(40), int(30), int(8)]);
  return {
    scale: 'satisfaction4',
    points: [100, 70, 30],
    minValid: 10 + int(40),
    bottomScope: rng() < 0.5 ? 'overall' : 'category',
    units: rows.map(([code, category]) => ({ code, category })),
    counts: new Map(rows.map(([code, , s, b, d, u]) => [code, { unknown: u, histogram: [s, b, d] }])),
    previousBottom3: rng() < 0.5 ? null : ['U1', 'U2'],
    seed: `seed ${int(1e9)}`,
    resamples: 100,
  };
}

const same = suite('tally with a ballot design: the default ballot publishes what it did before');

same('one indicator without weights, answers split over strata in any way: every figure as `tally` gives it, bit for bit', () => {
  const rng = seedrandom('default design');
  for (let t = 0; t < 40; t++) {
    const input = randomRound(rng, 3 + Math.floor(rng() * 15));
    // The same answers in cells of two or three strata, as the server counts them.
    const cells: Cell[] = input.units.flatMap((u) => {
      const c = input.counts.get(u.code)!;
      const a = c.histogram.map((n) => Math.floor(n * rng()));
      const uA = Math.floor(c.unknown * rng());
      return [
        { unit: u.code, indicator: 'overall', stratum: '人大代表', unknown: uA, histogram: a },
        { unit: u.code, indicator: 'overall', stratum: '社区居民', unknown: c.unknown - uA, histogram: c.histogram.map((n, k) => n - a[k]!) },
      ];
    });
    const { counts, ...rest } = input;
    void counts;
    const design = tallyDesign({
      ...rest,
      indicators: [{ key: 'overall', weight: 1 }],
      strataWeights: null,
      reasons: [],
      cells,
      strata: null,
      reasonCounts: new Map(),
    });
    assert.equal(design.map(withoutDesign), tally(input));
    // And the one indicator repeats the unit's own figures.
    for (const u of design) assert.equal([u.indicators[0]!.score, u.indicators[0]!.rank, u.indicators[0]!.valid], [u.score, u.rank, u.valid]);
  }
});

same('the bootstrap resampled per cell is pingyi-bootstrap-v1 when each unit is one cell of weight 1', () => {
  const values = [100, 70, 30];
  const satisfied = [true, true, false];
  const histograms = [
    [30, 8, 2],
    [20, 10, 8],
    [15, 15, 10],
    [300, 200, 200],
  ];
  const rank = (s: Float64Array, r: Float64Array) => rankTiers(s, r).rank;
  assert.equal(
    designIntervals(
      histograms.map((h) => ({ values, satisfied, indicators: [{ weight: 1, cells: [{ histogram: h, weight: 1 }] }] })),
      'seed',
      300,
      rank,
    ),
    bootstrapIntervals(
      histograms.map((h) => ({ histogram: h, values, satisfied })),
      'seed',
      300,
      rank,
    ),
  );
});

same.run();

// ---- 3. invariants of indicators, weights, strata and reasons ----

const shape = { scale: 'satisfaction4' as const, unitCodes: ['A', 'B'], indicators: ['law', 'service'], reasons: 3 };
const ballot = (stratum: string, a: string, b: string, reasons?: Record<string, number[]>): CountedBallot => ({
  stratum,
  answers: { A: { law: a, service: b } as never, B: { law: 'satisfied', service: 'basic' } as never },
  reasons,
});

const inv = suite('tally with a ballot design: invariants');

inv('counting: per unit and indicator the cells add up to the ballots; reasons are counted per unit; a missing answer or a reason out of range throws', () => {
  const ballots = [
    ballot('人大代表', 'dissatisfied', 'basic', { A: [1, 3] }),
    ballot('企业代表', 'unknown', 'dissatisfied', { A: [3] }),
    ballot('人大代表', 'satisfied', 'satisfied'),
  ];
  const c = countBallots(shape, ballots);
  assert.equal(
    [...c.strata],
    [
      ['人大代表', 2],
      ['企业代表', 1],
    ],
  );
  assert.equal(
    c.cells.filter((x) => x.unit === 'A' && x.indicator === 'law'),
    [
      { unit: 'A', indicator: 'law', stratum: '人大代表', unknown: 0, histogram: [1, 0, 1] },
      { unit: 'A', indicator: 'law', stratum: '企业代表', unknown: 1, histogram: [0, 0, 0] },
    ],
  );
  for (const u of shape.unitCodes)
    for (const i of shape.indicators) {
      const mine = c.cells.filter((x) => x.unit === u && x.indicator === i);
      assert.is(
        mine.reduce((n, x) => n + x.unknown + x.histogram.reduce((a, b) => a + b, 0), 0),
        3,
      );
    }
  assert.equal(c.reasons.get('A'), [1, 0, 2]);
  assert.equal(c.reasons.get('B'), [0, 0, 0]);
  assert.equal(countBallots(shape, [...ballots].reverse()).cells, c.cells, 'the order of ballots does not matter');
  assert.throws(() => countBallots(shape, [{ stratum: 'x', answers: { A: { law: 'basic' } as never, B: 'basic' } }]), /ballot 0 .* unit A, indicator service/);
  assert.throws(() => countBallots(shape, [ballot('x', 'basic', 'basic', { A: [4] })]), /reason 4/);
});

/** Two strata answering unlike each other, over three units and two indicators. */
function twoStrata(over: Partial<DesignTallyInput> = {}): DesignTallyInput {
  const ballots: CountedBallot[] = [];
  const answers = ['satisfied', 'basic', 'dissatisfied', 'unknown'];
  for (let b = 0; b < 60; b++) {
    const stratum = b % 3 === 0 ? '服务对象' : '机关干部';
    // 服务对象 only ever answers satisfied or basic; 机关干部 give every answer.
    const pick = (k: number) => answers[(b + k) % (stratum === '服务对象' ? 2 : 4)] as string;
    ballots.push({
      stratum,
      answers: Object.fromEntries(['A', 'B', 'C'].map((u, j) => [u, { law: pick(j), service: pick(j + 1) }])) as never,
    });
  }
  const counts = countBallots({ scale: 'satisfaction4', unitCodes: ['A', 'B', 'C'], indicators: ['law', 'service'], reasons: 0 }, ballots);
  return {
    scale: 'satisfaction4',
    points: [100, 70, 30],
    minValid: 5,
    bottomScope: 'overall',
    units: ['A', 'B', 'C'].map((code) => ({ code, category: 'X' })),
    previousBottom3: null,
    seed: 'two strata',
    resamples: 200,
    indicators: [
      { key: 'law', weight: 2 },
      { key: 'service', weight: 1 },
    ],
    strataWeights: null,
    reasons: [],
    cells: counts.cells,
    strata: counts.strata,
    reasonCounts: counts.reasons,
    ...over,
  };
}

inv('weights: S(u,i) is the weighted mean of the strata’s own scores; equal weights are not pooling; scaling all weights changes nothing', () => {
  const pooled = tallyDesign(twoStrata());
  const equal = tallyDesign(twoStrata({ strataWeights: { 服务对象: 1, 机关干部: 1 } }));
  const scaled = tallyDesign(twoStrata({ strataWeights: { 服务对象: 3, 机关干部: 3 } }));
  const heavy = tallyDesign(twoStrata({ strataWeights: { 服务对象: 3, 机关干部: 1 } }));
  const byCode = (r: DesignUnitResult[]) => Object.fromEntries(r.map((u) => [u.code, u]));
  const [p, e, s, h] = [pooled, equal, scaled, heavy].map(byCode) as [
    Record<string, DesignUnitResult>,
    Record<string, DesignUnitResult>,
    Record<string, DesignUnitResult>,
    Record<string, DesignUnitResult>,
  ];
  for (const code of ['A', 'B', 'C']) {
    const strata = p[code]!.byStratum;
    assert.is(strata.length, 2, 'both strata have 10 ballots or more');
    const own = Object.fromEntries(strata.map((x) => [x.stratum, x.score!]));
    // With equal weights the unit's score is the mean of the two strata's scores, not the pooled score.
    assert.ok(Math.abs(e[code]!.score! - (own.服务对象! + own.机关干部!) / 2) < 1e-9, `${code}: equal weights`);
    assert.ok(Math.abs(h[code]!.score! - (3 * own.服务对象! + own.机关干部!) / 4) < 1e-9, `${code}: 3:1`);
    assert.ok(Math.abs(s[code]!.score! - e[code]!.score!) < 1e-9, `${code}: scaled weights`);
    // Per-stratum figures do not depend on the weights.
    assert.equal(h[code]!.byStratum, strata);
    // S(u) = Σ ω S(u,i) / Σ ω with ω = 2, 1.
    const [law, service] = h[code]!.indicators;
    assert.ok(Math.abs(h[code]!.score! - (2 * law!.score! + service!.score!) / 3) < 1e-9, `${code}: indicator weights`);
  }
  assert.not.equal(
    pooled.map((u) => u.score),
    equal.map((u) => u.score),
    'a stratum answering twice as often outweighs the other only when ballots are pooled',
  );
});

inv('per-stratum figures only for strata with at least 10 ballots; reasons listed for every reason, in order', () => {
  const input = twoStrata({ reasons: ['办事拖拉', '态度生硬'], reasonCounts: new Map([['A', [2, 0]]]) });
  const few = new Map(input.strata!);
  few.set('服务对象', 9);
  const r = tallyDesign({ ...input, strata: few });
  for (const u of r)
    assert.equal(
      u.byStratum.map((x) => x.stratum),
      ['机关干部'],
    );
  const a = r.find((u) => u.code === 'A')!;
  assert.equal(a.reasons, [
    { reason: '办事拖拉', count: 2 },
    { reason: '态度生硬', count: 0 },
  ]);
  assert.equal(r.find((u) => u.code === 'B')!.reasons, [
    { reason: '办事拖拉', count: 0 },
    { reason: '态度生硬', count: 0 },
  ]);
});

inv('a ranked unit has a rank for each indicator; an indicator nobody could judge leaves the unit unranked with a null score', () => {
  const input = twoStrata();
  const cells = input.cells.map((c) =>
    c.unit === 'C' && c.indicator === 'service' ? { ...c, unknown: c.unknown + c.histogram.reduce((a, b) => a + b), histogram: [0, 0, 0] } : c,
  );
  const r = tallyDesign({ ...input, cells });
  const c = r.find((u) => u.code === 'C')!;
  assert.equal([c.ranked, c.valid, c.score, c.rank, c.indicators[1]!.score, c.indicators[0]!.rank], [false, 0, null, null, null, null]);
  assert.ok(c.indicators[0]!.score !== null, 'the other indicator keeps its score');
  for (const u of r.filter((x) => x.ranked)) for (const d of u.indicators) assert.ok(d.rank !== null && d.rank <= 2, `${u.code}.${d.key}`);
});

inv('with weights, a stratum without a weight is refused; intervals are resampled per stratum and contain the point estimates', () => {
  assert.throws(() => tallyDesign(twoStrata({ strataWeights: { 服务对象: 1 } })), /stratum 机关干部 has ballots but no weight/);
  const r = tallyDesign(twoStrata({ strataWeights: { 服务对象: 3, 机关干部: 1 }, resamples: 500 }));
  for (const u of r.filter((x) => x.ranked)) {
    assert.ok(u.scoreInterval![0] <= u.score! && u.score! <= u.scoreInterval![1], `${u.code}: ${u.score} in ${u.scoreInterval}`);
    assert.ok(u.rankInterval![0] <= u.rank! && u.rank! <= u.rankInterval![1], u.code);
  }
  assert.equal(r, tallyDesign(twoStrata({ strataWeights: { 服务对象: 3, 机关干部: 1 }, resamples: 500 })), 'same input, same intervals');
});

inv.run();
