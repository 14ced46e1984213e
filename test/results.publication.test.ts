// Guards the publication of a round with a ballot design (docs/SPEC.md, Open data; The method: indicators and
// weights): the JSON and CSV gain the design's fields in their order, a weighted round publishes its cells, the
// console warns before publishing a weighted round with a thin stratum, and the pages show the items, the reasons
// and the strata. A round with the default ballot publishes exactly what it did before the design existed.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import { CSV_COLUMNS } from '../server/results/public-data.js';
import { publishResults } from '../server/results/publish.js';
import { checkBody, type ResultsDocument } from '../server/results/snapshot.js';
import type { DesignInput } from '../server/rounds/design.js';
import { closeRound } from '../server/rounds/rounds.js';
import type { Answer } from '../server/survey/ballot.js';
import { castBallot } from '../server/survey/cast.js';
import { loggedIn } from './helpers.js';
import { defaultRoundResults } from './results-default-round.js';
import { fullBallot, ok, openSurvey, post, YEAR, type Survey } from './survey-fixture.js';

const UNITS = demoUnits()
  .filter((_, i) => i % 5 === 0)
  .slice(0, 6);
const KEYS = ['law', 'service', 'efficiency'];
const CHOICES = ['satisfied', 'basic', 'dissatisfied', 'unknown'] as const;
const WEIGHTED: DesignInput = {
  indicators: 'law:依法办事,service:服务质量,efficiency:办事效率',
  indicatorWeights: '2,1,1',
  strataWeights: '企业代表:2,社区居民:1',
  reasons: '办事拖拉;态度生硬;推诿扯皮',
};
const UNWEIGHTED: DesignInput = { ...WEIGHTED, strataWeights: '' };

/**
 * A designed round with `qy` ballots from 企业代表 seats and `sq` from 社区居民 ones, cast straight into the store,
 * closed; also the reasons ticked per unit, as cast.
 */
async function designedRound(design: DesignInput, qy = 15, sq = 8): Promise<{ s: Survey; ticked: Map<string, number[]> }> {
  const s = await openSurvey({ units: UNITS, design });
  await s.db.updateTable('rounds').set({ min_valid: 5 }).execute();
  const seats = [...s.seats.filter((x) => x.code.startsWith('QY')).slice(0, qy), ...s.seats.filter((x) => x.code.startsWith('SQ')).slice(0, sq)];
  const ticked = new Map(UNITS.map((u) => [u.code, [0, 0, 0]]));
  for (const [b, seat] of seats.entries()) {
    const answers: Record<string, Answer[]> = {};
    const reasons: Record<string, number[]> = {};
    UNITS.forEach((u, j) => {
      answers[u.code] = KEYS.map((_, k) => CHOICES[(b * (j + 1) + 2 * j + k * (b % 3)) % 4] as Answer);
      if (answers[u.code]?.includes('dissatisfied') && b % 2 === 0) {
        const r = 1 + ((b + j) % 3);
        reasons[u.code] = [r];
        (ticked.get(u.code) as number[])[r - 1]!++;
      }
    });
    const cast = await castBallot(s.store, s.clock, 'Asia/Shanghai', {
      token: seat.token,
      roundId: await roundId(s),
      stratum: s.pool.find((p) => p.code === seat.code)?.stratum,
      answers,
      reasons,
      comments: {},
      comment: null,
    });
    assert.ok(cast.ok);
  }
  ok(await closeRound(s.store, s.audit, YEAR, 'test'), 'close');
  return { s, ticked };
}

async function roundId(s: Survey): Promise<string> {
  return (await s.db.selectFrom('rounds').select('id').where('year', '=', YEAR).executeTakeFirstOrThrow()).id;
}

async function published(s: Survey): Promise<{ body: string; doc: ResultsDocument }> {
  ok(await publishResults(s.db, s.audit, { year: YEAR, note: '' }, 'test'), 'publish');
  const res = await s.app.request(`/results/${YEAR}.json`);
  assert.is(res.status, 200);
  const body = await res.text();
  return { body, doc: JSON.parse(body) as ResultsDocument };
}

// ---------------------------------------------------------------------------------------------------------------

const data = suite('open data of a round with a ballot design');

data('a round with the default ballot publishes exactly what it did before the design existed', async () => {
  const { doc, close } = await defaultRoundResults();
  const before = readFileSync(new URL('./fixtures/results-default-round.json', import.meta.url), 'utf8').trimEnd();
  assert.is(JSON.stringify(doc), before);
  await close();
});

data('the JSON gains the design, the categories’ order and (weighted) the cells, before audit and receipts', async () => {
  const { s } = await designedRound(WEIGHTED);
  const { body, doc } = await published(s);
  assert.ok(checkBody(body), 'the sha256 field checks');
  const keys = Object.keys(doc);
  assert.equal(keys.slice(keys.indexOf('units')), ['units', 'indicators', 'strataWeights', 'reasons', 'categories', 'cells', 'audit', 'receipts', 'sha256']);
  assert.equal(doc.indicators, [
    { key: 'law', label: '依法办事', weight: 2 },
    { key: 'service', label: '服务质量', weight: 1 },
    { key: 'efficiency', label: '办事效率', weight: 1 },
  ]);
  assert.equal(doc.strataWeights, { 企业代表: 2, 社区居民: 1 });
  assert.equal(doc.reasons, ['办事拖拉', '态度生硬', '推诿扯皮']);
  assert.equal(doc.categories, [...new Set(UNITS.map((u) => u.category))]);
  // One cell per unit, item and stratum; each holds every ballot of its stratum.
  assert.is(doc.cells?.length, UNITS.length * 3 * 2);
  for (const c of doc.cells ?? []) {
    assert.is(c.unknown + c.histogram.reduce((a, b) => a + b, 0), c.stratum === '企业代表' ? 15 : 8, `${c.unit}.${c.indicator}.${c.stratum}`);
  }
  await s.store.destroy();
});

data('each unit adds its items, the strata with 10 ballots or more, and its reasons; the score weighs cells as §2.7 says', async () => {
  const { s, ticked } = await designedRound(WEIGHTED);
  const { doc } = await published(s);
  for (const u of doc.units) {
    const keys = Object.keys(u);
    assert.equal(keys.slice(keys.indexOf('ranked')), ['ranked', 'indicators', 'byStratum', 'reasons']);
    assert.is(u.counts, null, 'no single set of counts with several items');
    assert.equal(
      u.indicators?.map((d) => Object.keys(d)),
      KEYS.map(() => ['key', 'valid', 'unknown', 'counts', 'score', 'satisfactionRate', 'rank']),
    );
    assert.equal(
      u.byStratum?.map((b) => [b.stratum, b.ballots]),
      [['企业代表', 15]],
      'only the stratum with at least 10 ballots',
    );
    assert.equal(
      u.reasons,
      ['办事拖拉', '态度生硬', '推诿扯皮'].map((reason, i) => ({ reason, count: ticked.get(u.code)?.[i] })),
    );
    // S(u) = Σ ω·S(u,i) / Σ ω, S(u,i) = Σ w·S(u,i,s) / Σ w over the strata with answers: from the cells alone.
    const cellScore = (key: string, stratum: string) => {
      const h = doc.cells?.find((c) => c.unit === u.code && c.indicator === key && c.stratum === stratum)?.histogram ?? [];
      const n = h.reduce((a, b) => a + b, 0);
      return n ? (100 * h[0]! + 70 * h[1]! + 30 * h[2]!) / n : null;
    };
    const item = (key: string) => {
      const parts = (['企业代表', '社区居民'] as const).map((st) => [cellScore(key, st), st === '企业代表' ? 2 : 1] as const).filter(([x]) => x !== null);
      return parts.reduce((a, [x, w]) => a + (x as number) * w, 0) / parts.reduce((a, [, w]) => a + w, 0);
    };
    if (u.ranked) {
      const expected = (2 * item('law') + item('service') + item('efficiency')) / 4;
      assert.ok(Math.abs((u.score as number) - expected) < 1e-9, `${u.code}: ${u.score} ≠ ${expected}`);
      for (const d of u.indicators ?? []) assert.ok(Math.abs((d.score as number) - item(d.key)) < 1e-9, `${u.code}.${d.key}`);
    }
  }
  await s.store.destroy();
});

data('an unweighted design publishes no cells; the CSV flattens the new unit fields; a default round’s CSV is as before', async () => {
  const { s } = await designedRound(UNWEIGHTED, 12, 11);
  const { doc } = await published(s);
  assert.is(doc.strataWeights, null);
  assert.not.ok('cells' in doc);
  assert.equal(
    doc.units[0]?.byStratum?.map((b) => b.stratum),
    ['企业代表', '社区居民'],
  );
  const csv = await (await s.app.request(`/results/${YEAR}.csv`)).text();
  const [header, first] = csv
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .map((l) => l.split(','));
  assert.equal(header?.slice(0, CSV_COLUMNS.length), [...CSV_COLUMNS]);
  const extra = header?.slice(CSV_COLUMNS.length);
  assert.equal(extra?.slice(0, 8), [
    'indicators.law.valid',
    'indicators.law.unknown',
    'indicators.law.counts.satisfied',
    'indicators.law.counts.basic',
    'indicators.law.counts.dissatisfied',
    'indicators.law.score',
    'indicators.law.satisfactionRate',
    'indicators.law.rank',
  ]);
  assert.equal(extra?.slice(24), [
    'byStratum.企业代表.ballots',
    'byStratum.企业代表.score',
    'byStratum.企业代表.satisfactionRate',
    'byStratum.社区居民.ballots',
    'byStratum.社区居民.score',
    'byStratum.社区居民.satisfactionRate',
    'reasons.办事拖拉',
    'reasons.态度生硬',
    'reasons.推诿扯皮',
  ]);
  const u = doc.units[0]!;
  const at = (name: string) => first?.[header?.indexOf(name) ?? -1];
  assert.is(at('indicators.service.score'), String(u.indicators?.[1]?.score));
  assert.is(at('byStratum.社区居民.score'), String(u.byStratum?.[1]?.score));
  assert.is(at('reasons.态度生硬'), String(u.reasons?.[1]?.count));
  await s.store.destroy();

  const plain = await openSurvey({ units: UNITS });
  for (const token of plain.tokens.slice(0, 12)) assert.is((await post(plain, token, fullBallot(UNITS))).status, 303);
  ok(await closeRound(plain.store, plain.audit, YEAR, 'test'), 'close');
  await published(plain);
  const plainCsv = await (await plain.app.request(`/results/${YEAR}.csv`)).text();
  assert.is(plainCsv.replace(/^\uFEFF/, '').split('\r\n')[0], CSV_COLUMNS.join(','));
  await plain.store.destroy();
});

data.run();

// ---------------------------------------------------------------------------------------------------------------

const warn = suite('the console warns before publishing a weighted round with a thin stratum');

warn('weighted, 社区居民 with 8 ballots: warned, naming it; unweighted: no warning', async () => {
  const { s } = await designedRound(WEIGHTED);
  const admin = await loggedIn(s);
  const html = await (await admin.get(`/admin/rounds/${YEAR}/results`)).text();
  assert.match(html, /<p class="alert" role="alert">注意：本轮按界别加权，界别“社区居民”只有 8 张测评票（少于 10 张）/);
  assert.not.match(html, /“企业代表”只有/);
  assert.not.match(html, /id="results-check"/, 'the draft preview offers no check: there is no published file yet');
  await s.store.destroy();

  const u = await designedRound(UNWEIGHTED);
  const page = await (await (await loggedIn(u.s)).get(`/admin/rounds/${YEAR}/results`)).text();
  assert.not.match(page, /只有 8 张测评票/);
  await u.s.store.destroy();
});

warn.run();

// ---------------------------------------------------------------------------------------------------------------

const pages = suite('pages of a round with a ballot design');

pages('the results page shows the items (lowest marked), the reasons, the strata and the design', async () => {
  const { s, ticked } = await designedRound(WEIGHTED);
  const { doc } = await published(s);
  const html = await (await s.app.request(`/results/${YEAR}`)).text();
  const section = (id: string) => new RegExp(`<section id="${id}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
  const items = section('indicators');
  assert.match(items, /<th scope="col" class="num">依法办事<\/th><th scope="col" class="num">服务质量<\/th><th scope="col" class="num">办事效率<\/th>/);
  assert.is((items.match(/<tr>/g) ?? []).length, UNITS.length + 1);
  assert.is((items.match(/class="flag low"/g) ?? []).length, doc.units.filter((u) => u.indicators?.every((d) => d.score !== null)).length);
  assert.match(items, /<canvas id="indicators-chart"/);
  const reasons = section('reasons');
  const withReasons = UNITS.filter((u) => ticked.get(u.code)?.some((n) => n > 0));
  assert.ok(withReasons.length > 0);
  assert.is((reasons.match(/<tr>/g) ?? []).length, withReasons.length + 1);
  const strata = section('strata');
  assert.match(strata, /企业代表（15 票）/);
  assert.not.match(strata, /社区居民/, 'a stratum under 10 ballots is not shown');
  assert.match(section('method'), /评价指标（括号内为权重）：依法办事（2）、服务质量（1）、办事效率（1）/);
  assert.match(section('method'), /界别权重：企业代表（2）、社区居民（1）/);
  assert.not.match(html, /id="answers-chart"/, 'no answer-split chart without a single question per unit');

  const unit = await (await s.app.request(`/units/${UNITS[0]?.code}`)).text();
  assert.match(unit, /<table class="by-item" id="unit-items-table">/);
  const law = doc.units.find((u) => u.code === UNITS[0]?.code)?.indicators?.[0];
  assert.match(unit, new RegExp(`<td class="num">${law?.score?.toFixed(2)}${law?.rank ? ` \\(${law.rank}\\)` : ''}</td>`));

  const about = await (await s.app.request('/about')).text();
  assert.match(about, /<section id="design">/);
  assert.match(about, /2026 年度的测评票/);
  await s.store.destroy();
});

pages('a round with the default ballot: none of the design’s sections', async () => {
  const plain = await openSurvey({ units: UNITS });
  for (const token of plain.tokens.slice(0, 12)) assert.is((await post(plain, token, fullBallot(UNITS))).status, 303);
  ok(await closeRound(plain.store, plain.audit, YEAR, 'test'), 'close');
  await published(plain);
  const html = await (await plain.app.request(`/results/${YEAR}`)).text();
  for (const id of ['indicators', 'reasons', 'strata']) assert.not.match(html, new RegExp(`id="${id}"`));
  assert.match(html, /id="answers-chart"/);
  const unit = await (await plain.app.request(`/units/${UNITS[0]?.code}`)).text();
  assert.not.match(unit, /unit-items-table/);
  await plain.store.destroy();
});

pages.run();
