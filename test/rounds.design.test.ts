// Guards a round's ballot design as a setting (docs/SPEC.md, The ballot): indicators, their weights, strata weights
// and reasons, given on `round create` and `round design` or in the console while the round is a draft, every
// problem named at once, fixed at the freeze, which refuses a pool with a stratum that has no weight.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import { translator } from '../server/i18n/catalogue.js';
import { upsertRepresentatives, type RepresentativeInput } from '../server/pool/representatives.js';
import { defaultDesign, designOf, isDefaultDesign, parseDesign } from '../server/rounds/design.js';
import { findRound } from '../server/rounds/rounds.js';
import { upsertUnits } from '../server/units/units.js';
import { problemText } from '../server/validate.js';
import { newPlace, openPlace, runCli } from './child-server.js';
import { countRows, createTestApp, loggedIn } from './helpers.js';

const en = translator('en');

const parse = suite('ballot design: parsing what people type');

parse('nothing given is the default ballot: one overall question, equal weights, no reasons', () => {
  const r = parseDesign({});
  assert.ok(r.ok && isDefaultDesign(r.design));
  const cleared = parseDesign({ indicators: ' ', indicatorWeights: '', strataWeights: '\n', reasons: '' });
  assert.ok(cleared.ok && isDefaultDesign(cleared.design), 'empty fields are the defaults');
});

parse('the command line’s separators and the console’s lines give the same design', () => {
  const cli = parseDesign({
    indicators: 'law:依法办事,service:服务质量, efficiency:办事效率',
    indicatorWeights: '2,1,1.5',
    strataWeights: '服务对象:2,机关干部:1',
    reasons: '办事拖拉;态度生硬; 推诿扯皮',
  });
  const lines = parseDesign({
    indicators: 'law:依法办事\nservice:服务质量\nefficiency:办事效率\n',
    indicatorWeights: '2, 1, 1.5',
    strataWeights: '服务对象:2\n机关干部:1',
    reasons: '办事拖拉\n态度生硬\n推诿扯皮',
  });
  assert.ok(cli.ok && lines.ok);
  if (!cli.ok || !lines.ok) return;
  assert.equal(cli.design, lines.design);
  assert.equal(cli.design, {
    indicators: [
      { key: 'law', label: '依法办事', weight: 2 },
      { key: 'service', label: '服务质量', weight: 1 },
      { key: 'efficiency', label: '办事效率', weight: 1.5 },
    ],
    strataWeights: { 服务对象: 2, 机关干部: 1 },
    reasons: ['办事拖拉', '态度生硬', '推诿扯皮'],
  });
});

parse('every problem is named at once, each with its field', () => {
  const r = parseDesign({
    indicators: 'Law:依法办事,service:,service:服务质量,service:又一项',
    indicatorWeights: '1,0,1,1',
    strataWeights: '服务对象:two,机关干部:1,机关干部:2',
    reasons: `${'长'.repeat(41)};a;a`,
  });
  assert.not.ok(r.ok);
  if (r.ok) return;
  assert.equal(
    r.problems.map((p) => p.field),
    ['indicators', 'indicators', 'indicators', 'indicatorWeights', 'strataWeights', 'strataWeights', 'reasons', 'reasons'],
  );
  assert.equal(
    r.problems.map((p) => problemText(en, p)),
    [
      'indicator "Law:依法办事": the key must start with a lower-case letter and hold only a–z, 0–9 and _ (at most 20), written key:label',
      'indicator "service:": the label must have 1–30 characters (written key:label)',
      'the indicator key service is given twice',
      'weight "0": a weight must be a positive number',
      '"服务对象:two": write stratum:weight, the stratum 1–50 characters and the weight a positive number',
      'the stratum "机关干部" is given twice',
      `the reason "${'长'.repeat(41)}" is longer than 40 characters`,
      'a reason is given twice',
    ],
  );
  const counts = parseDesign({ indicators: Array.from({ length: 9 }, (_, i) => `k${i}:指标${i}`).join(','), indicatorWeights: '1,2' });
  assert.not.ok(counts.ok);
  if (!counts.ok)
    assert.equal(
      counts.problems.map((p) => p.key),
      ['rounds.error.indicatorCount', 'rounds.error.indicatorWeightCount'],
    );
  const reasons = parseDesign({ reasons: Array.from({ length: 13 }, (_, i) => `原因${i}`).join(';') });
  assert.ok(!reasons.ok && reasons.problems[0]?.key === 'rounds.error.reasonCount');
});

parse('an edit changes only what it names; new indicators without new weights weigh 1', () => {
  const first = parseDesign({ indicators: 'a:甲,b:乙', indicatorWeights: '3,1', reasons: '慢' });
  assert.ok(first.ok);
  if (!first.ok) return;
  const edited = parseDesign({ strataWeights: 'X:2' }, first.design);
  assert.ok(edited.ok);
  if (edited.ok) assert.equal(edited.design, { ...first.design, strataWeights: { X: 2 } });
  const renamed = parseDesign({ indicators: 'a:甲,c:丙' }, first.design);
  assert.ok(renamed.ok);
  if (renamed.ok)
    assert.equal(renamed.design.indicators, [
      { key: 'a', label: '甲', weight: 1 },
      { key: 'c', label: '丙', weight: 1 },
    ]);
});

parse.run();

// ---------------------------------------------------------------------------------------------------------------

function people(sizes: Record<string, number>): RepresentativeInput[] {
  return Object.entries(sizes).flatMap(([stratum, n]) =>
    Array.from({ length: n }, (_, i) => ({
      code: `P${stratum.length}${String(i).padStart(3, '0')}${stratum === '服务对象' ? 'F' : 'J'}`,
      name: `Person ${i}`,
      stratum,
      district: null,
      phone: null,
      email: null,
      active: true,
    })),
  );
}

async function setup() {
  const t = await createTestApp({ config: { minPool: 10 } });
  await upsertUnits(t.db, t.audit, demoUnits().slice(0, 5), 'test');
  await upsertRepresentatives(t.db, t.audit, people({ 服务对象: 8, 机关干部: 8 }), { actor: 'test' });
  const b = await loggedIn(t);
  b.cookies.set('lang', 'en');
  return { t, b };
}

const FORM = {
  year: '2026',
  title: 'Designed',
  sample: '10',
  scale: 'satisfaction4',
  points: '100,70,30',
  stratify: '1',
  stratifyShown: '1',
  bottomScope: 'overall',
  minValid: '5',
  opens: '2026-12-01T09:00:00+08:00',
  closes: '2026-12-20T18:00:00+08:00',
};

const console_ = suite('ballot design: in the console, while the round is a draft');

console_('created with a design; edited while a draft; a refused edit keeps what was typed and changes nothing', async () => {
  const { t, b } = await setup();
  const created = await b.post('/admin/rounds', {
    ...FORM,
    _csrf: b.token,
    indicators: 'law:依法办事\nservice:服务质量\nefficiency:办事效率',
    indicatorWeights: '2,1,1',
    strataWeights: '服务对象:2\n机关干部:1',
    reasons: '办事拖拉\n态度生硬',
  });
  assert.is(created.status, 303);
  const round = (await findRound(t.db, 2026))!;
  assert.equal(designOf(round), {
    indicators: [
      { key: 'law', label: '依法办事', weight: 2 },
      { key: 'service', label: '服务质量', weight: 1 },
      { key: 'efficiency', label: '办事效率', weight: 1 },
    ],
    strataWeights: { 服务对象: 2, 机关干部: 1 },
    reasons: ['办事拖拉', '态度生硬'],
  });
  const page = await (await b.get('/admin/rounds/2026')).text();
  assert.match(page, /<textarea id="indicators" name="indicators"[^>]*>law:依法办事\nservice:服务质量\nefficiency:办事效率<\/textarea>/);
  assert.match(page, /name="indicatorWeights" value="2,1,1"/);

  const audit = await countRows(t.db, 'audit_log');
  const refused = await b.post('/admin/rounds/2026/settings', {
    ...FORM,
    _csrf: b.token,
    indicators: 'law:依法办事\nBAD',
    indicatorWeights: '2,1,1',
    strataWeights: '服务对象:2\n机关干部:1',
    reasons: '办事拖拉',
  });
  assert.is(refused.status, 422);
  const text = await refused.text();
  assert.match(text, /indicator &quot;BAD&quot;: the key must start/);
  assert.match(text, />law:依法办事\nBAD<\/textarea>/, 'what was typed is kept');
  assert.equal(designOf((await findRound(t.db, 2026))!), designOf(round), 'nothing changed');
  assert.is(await countRows(t.db, 'audit_log'), audit);

  const edited = await b.post('/admin/rounds/2026/settings', { ...FORM, _csrf: b.token, indicators: '', indicatorWeights: '', strataWeights: '', reasons: '' });
  assert.is(edited.status, 303);
  assert.ok(isDefaultDesign(designOf((await findRound(t.db, 2026))!)), 'cleared: the default ballot again');
  const row = (await findRound(t.db, 2026))!;
  assert.equal([row.indicators, row.strata_weights, row.reasons], [null, null, null], 'stored as a round before the design was');
});

console_('the freeze refuses a pool with a stratum that has no weight, naming it, and changes nothing; with every stratum weighted it freezes', async () => {
  const { t, b } = await setup();
  assert.is((await b.post('/admin/rounds', { ...FORM, _csrf: b.token, strataWeights: '服务对象:2\n群众代表:1' })).status, 303);
  const audit = await countRows(t.db, 'audit_log');
  const refused = await b.post('/admin/rounds/2026/freeze', { _csrf: b.token, confirm: '1' });
  assert.is(refused.status, 422);
  assert.match(await refused.text(), /These strata of the pool have no weight: 机关干部\. Give every stratum a weight, or set no strata weights\./);
  assert.is((await findRound(t.db, 2026))!.status, 'draft');
  assert.is(await countRows(t.db, 'audit_log'), audit);
  assert.is((await b.post('/admin/rounds/2026/settings', { ...FORM, _csrf: b.token, strataWeights: '服务对象:2\n机关干部:1\n群众代表:1' })).status, 303);
  assert.is((await b.post('/admin/rounds/2026/freeze', { _csrf: b.token, confirm: '1' })).status, 303);
  const frozen = (await findRound(t.db, 2026))!;
  assert.is(frozen.status, 'frozen');
  const locked = await b.post('/admin/rounds/2026/settings', { ...FORM, _csrf: b.token, reasons: '态度生硬' });
  assert.is(locked.status, 422, 'the design is fixed at the freeze');
  assert.equal(designOf((await findRound(t.db, 2026))!), designOf(frozen));
});

console_.run();

// ---------------------------------------------------------------------------------------------------------------

const cli = suite('ballot design: on the command line');

cli('round create with the four options, round design to read and change it, bad options refused with nothing changed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pingyi-design-'));
  const place = await newPlace(join(dir, 'data'));
  try {
    const created = await runCli(place, [
      'round',
      'create',
      '--year',
      '2026',
      '--indicators',
      'law:依法办事,service:服务质量,efficiency:办事效率',
      '--indicator-weights',
      '2,1,1',
      '--strata-weights',
      '服务对象:2,机关干部:1',
      '--reasons',
      '办事拖拉;态度生硬;推诿扯皮',
    ]);
    assert.is(created.code, 0, created.stderr);
    assert.match(created.stdout, /^ {2}indicators: law:依法办事 ×2, service:服务质量 ×1, efficiency:办事效率 ×1$/m);
    assert.match(created.stdout, /^ {2}strata weights: 服务对象 ×2, 机关干部 ×1$/m);
    assert.match(created.stdout, /^ {2}reasons: 办事拖拉; 态度生硬; 推诿扯皮$/m);

    const bad = await runCli(place, ['round', 'design', '--year', '2026', '--indicator-weights', '1,2', '--reasons', 'a;a']);
    assert.is(bad.code, 1);
    assert.match(bad.stderr, /give one weight per indicator: 2 weights for 3 indicators/);
    assert.match(bad.stderr, /a reason is given twice/);

    const changed = await runCli(place, ['round', 'design', '--year', '2026', '--strata-weights', '']);
    assert.is(changed.code, 0, changed.stderr);
    const shown = await runCli(place, ['round', 'design', '--year', '2026']);
    assert.match(shown.stdout, /^strata weights: none \(every ballot counts the same\)$/m);
    assert.match(shown.stdout, /^indicators: law:依法办事 ×2, service:服务质量 ×1, efficiency:办事效率 ×1$/m, 'what was not given stayed');

    const store = await openPlace(place);
    try {
      assert.equal(designOf((await findRound(store.db, 2026))!).reasons, ['办事拖拉', '态度生硬', '推诿扯皮']);
    } finally {
      await store.destroy();
    }
    const plain = await runCli(place, ['round', 'create', '--year', '2027']);
    assert.is(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^ {2}indicators: overall:总体评价 ×1$/m, 'the default ballot');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(isDefaultDesign(defaultDesign()));
});

cli.run();
