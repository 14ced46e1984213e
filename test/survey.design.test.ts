// Guards the form of a round with a ballot design (docs/SPEC.md, The ballot): one row of answers per indicator,
// fields `u.{unit}.{key}`, all-or-nothing as before; reasons `r.{unit}` only beside a 不满意 (or < 60) answer;
// without JavaScript the reasons as a second step that carries every answer along, so nothing is ever lost; the
// ballot stored with its seat's stratum.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import { ballotCount, mainText, openSurvey, post, unescapeHtml, unitBlocks, usedOn, type Survey } from './survey-fixture.js';

const UNITS = demoUnits()
  .filter((_, i) => i % 4 === 0)
  .slice(0, 8);
const DESIGN = {
  indicators: 'law:依法办事,service:服务质量,efficiency:办事效率',
  indicatorWeights: '2,1,1',
  strataWeights: '企业代表:2,社区居民:1',
  reasons: '办事拖拉;态度生硬;推诿扯皮',
};
const KEYS = ['law', 'service', 'efficiency'];
const CHOICES = ['satisfied', 'basic', 'dissatisfied', 'unknown'];

const designed = (opts: Parameters<typeof openSurvey>[0] = {}) => openSurvey({ units: UNITS, design: DESIGN, ...opts });

/** Every indicator of every unit answered; `choose` picks by unit index and indicator index. */
function answers(choose: (u: number, k: number) => string = (u, k) => CHOICES[(u + k) % 2] as string): [string, string][] {
  return UNITS.flatMap((u, i) => KEYS.map((key, k): [string, string] => [`u.${u.code}.${key}`, choose(i, k)]));
}

async function storedBallots(s: Survey) {
  const rows = await s.db.selectFrom('ballots').select(['answers', 'reasons', 'stratum', 'comments', 'comment']).execute();
  return rows.map((r) => ({ ...r, answers: JSON.parse(r.answers), reasons: r.reasons === null ? null : JSON.parse(r.reasons) }));
}

/** The hidden fields of a page's form, as a browser would send them back. */
function hiddenFields(html: string): [string, string][] {
  return [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [unescapeHtml(m[1] as string), unescapeHtml(m[2] as string)]);
}

const form = suite('survey with indicators: the form');

form('each unit has one row of answers per indicator, named u.{unit}.{key}; progress counts every answer; the reasons wait in a template', async () => {
  const s = await designed();
  const res = await s.app.request(`/s/${s.tokens[0]}`);
  assert.is(res.status, 200);
  const html = await res.text();
  const blocks = unitBlocks(html);
  assert.is(blocks.length, UNITS.length);
  for (const b of blocks) {
    const items = [...b.html.matchAll(/<fieldset class="item" id="item-([^"]+)"><legend>([^<]+)<\/legend>/g)].map((m) => [m[1], m[2]]);
    assert.equal(items, [
      [`${b.code}.law`, '依法办事'],
      [`${b.code}.service`, '服务质量'],
      [`${b.code}.efficiency`, '办事效率'],
    ]);
    for (const key of KEYS) assert.is((b.html.match(new RegExp(`name="u\\.${b.code}\\.${key}"`, 'g')) ?? []).length, 4, `${b.code}.${key}: four answers`);
    assert.not.match(b.html, /name="r\./, 'no reasons until an answer is 不满意');
  }
  assert.match(html, new RegExp(`data-total="${UNITS.length * 3}"`));
  assert.match(html, /<template id="reasons-template"><fieldset class="reasons" id="reasons-__unit__">/);
  assert.match(mainText(html), /请对下列每个部门单位的每一项指标作出评价/);
  // A second link gets the same fragments from the cache, in its own order.
  const again = await (await s.app.request(`/s/${s.tokens[1]}`)).text();
  assert.equal(
    unitBlocks(again)
      .map((b) => b.code)
      .sort(),
    blocks.map((b) => b.code).sort(),
  );
});

form('a complete ballot is stored with its answers in the round’s order of indicators and the stratum of its seat', async () => {
  const s = await designed();
  const token = s.tokens[0] as string;
  const res = await post(s, token, [...answers((u, k) => CHOICES[(u + k) % 4] as string), ['reasonsAsked', '1'], [`r.${UNITS[0]?.code}`, '2']]);
  assert.is(res.status, 303);
  const [ballot] = await storedBallots(s);
  const seat = s.seats.find((x) => x.token === token)!;
  assert.is(ballot?.stratum, s.pool.find((p) => p.code === seat.code)?.stratum);
  assert.equal(ballot?.answers, Object.fromEntries(UNITS.map((u, i) => [u.code, KEYS.map((_, k) => CHOICES[(i + k) % 4])])));
  // Unit 0 answers satisfied, basic, dissatisfied: its reason 2 counts; no other unit ticked any.
  assert.equal(ballot?.reasons, { [UNITS[0]!.code]: [2] });
});

form('all or nothing: a missing answer names the items left, keeps every answer and marks the rows', async () => {
  const s = await designed();
  const given = answers().filter(([name]) => name !== `u.${UNITS[2]?.code}.service` && name !== `u.${UNITS[2]?.code}.efficiency`);
  const res = await post(s, s.tokens[0] as string, [...given, ['comment', '整体不错']]);
  assert.is(res.status, 422);
  const html = await res.text();
  const block = unitBlocks(html).find((b) => b.code === UNITS[2]?.code)!;
  assert.ok(block.hasError);
  assert.is(unescapeHtml(block.error ?? '').replace(/^⚠ /, ''), '请对以下各项作出选择：服务质量、办事效率');
  assert.match(block.html, /<fieldset class="item missing" id="item-[^"]+\.service">/);
  assert.match(block.html, /<fieldset class="item" id="item-[^"]+\.law">/);
  for (const b of unitBlocks(html).filter((x) => x.code !== UNITS[2]?.code)) assert.is(b.checked.length, 3, `${b.code} keeps its answers`);
  assert.match(html, />整体不错<\/textarea>/);
  assert.is(await ballotCount(s), 0);
  assert.is(await usedOn(s, s.tokens[0] as string), null);
});

form('refused: a unit’s answer without an indicator, an unknown indicator, a reason without 不满意, a reason out of range', async () => {
  const s = await designed();
  const token = s.tokens[0] as string;
  const base = answers(() => 'satisfied');
  const cases: [[string, string][], RegExp][] = [
    [[...base, [`u.${UNITS[0]?.code}`, 'satisfied']], /表单中有不属于本次测评的项目 u\.U\d+/],
    [[...base, [`u.${UNITS[0]?.code}.speed`, 'satisfied']], /表单中有不属于本次测评的项目 u\.U\d+\.speed/],
    [[...base, ['reasonsAsked', '1'], [`r.${UNITS[1]?.code}`, '1']], /只有评为“不满意”（百分制低于 60 分）时才能选择原因/],
    [[...answers(() => 'dissatisfied'), ['reasonsAsked', '1'], [`r.${UNITS[1]?.code}`, '4']], /所选原因不在本次测评的选项中/],
    [[...base, ['r.NOPE', '1']], /表单中有不属于本次测评的单位 NOPE/],
  ];
  for (const [fields, message] of cases) {
    const res = await post(s, token, fields);
    assert.is(res.status, 422, String(message));
    assert.match(mainText(await res.text()), message);
  }
  assert.is(await ballotCount(s), 0);
});

form('a round with the default ballot refuses a reason as any field it does not know', async () => {
  const s = await openSurvey({ units: UNITS });
  const fields: [string, string][] = UNITS.map((u) => [`u.${u.code}`, 'dissatisfied']);
  const res = await post(s, s.tokens[0] as string, [...fields, [`r.${UNITS[0]?.code}`, '1']]);
  assert.is(res.status, 422);
  assert.is((await post(s, s.tokens[0] as string, fields)).status, 303, 'and casts without one, as before (no reasons step)');
});

form.run();

// ---------------------------------------------------------------------------------------------------------------

const step = suite('survey with reasons, JavaScript off: the reasons as a second step');

step('a ballot with 不满意 answers and no reasons offered yet: the reasons step (200), nothing stored, every answer carried along', async () => {
  const s = await designed();
  const token = s.tokens[0] as string;
  const given = answers((u, k) => ((u === 1 && k === 2) || (u === 4 && k === 0) ? 'dissatisfied' : 'basic'));
  const res = await post(s, token, [...given, [`c.${UNITS[3]?.code}`, '大厅排队久'], ['comment', '总体还行']]);
  assert.is(res.status, 200);
  const html = await res.text();
  assert.is(await ballotCount(s), 0, 'nothing cast yet');
  assert.is(await usedOn(s, token), null);
  assert.match(mainText(html), /还差一步：不满意的原因/);
  // The two units rated 不满意 offer their reasons, saying on which item.
  const asked = unitBlocks(html);
  assert.equal(
    asked.map((b) => b.code),
    [UNITS[1]?.code, UNITS[4]?.code],
  );
  assert.match(unescapeHtml(asked[0]!.html), /评为不满意的指标：办事效率/);
  assert.match(unescapeHtml(asked[1]!.html), /评为不满意的指标：依法办事/);
  for (const b of asked) assert.is((b.html.match(new RegExp(`name="r\\.${b.code}"`, 'g')) ?? []).length, 3);
  // Every answer and comment is in the page, to be sent again with the reasons.
  const carried = hiddenFields(html);
  assert.equal(
    carried.filter(([n]) => n.startsWith('u.')),
    given,
  );
  assert.ok(carried.some(([n, v]) => n === `c.${UNITS[3]?.code}` && v === '大厅排队久'));
  assert.ok(carried.some(([n, v]) => n === 'comment' && v === '总体还行'));
  assert.ok(carried.some(([n, v]) => n === 'reasonsAsked' && v === '1'));

  // Sent with two reasons ticked: the ballot is the one first given, with its reasons.
  const sent = await post(s, token, [...carried, [`r.${UNITS[4]?.code}`, '3'], [`r.${UNITS[4]?.code}`, '1']]);
  assert.is(sent.status, 303);
  const [ballot] = await storedBallots(s);
  assert.equal(ballot?.reasons, { [UNITS[4]!.code]: [1, 3] });
  assert.equal(ballot?.answers[UNITS[1]!.code], ['basic', 'basic', 'dissatisfied']);
  assert.equal(ballot?.comments, JSON.stringify({ [UNITS[3]!.code]: '大厅排队久' }));
  assert.is(ballot?.comment, '总体还行');
});

step('sent on without ticking anything: cast without reasons; "change my answers": the whole form again, every answer kept (200)', async () => {
  const s = await designed();
  const [t0, t1] = s.tokens as [string, string];
  const given = answers((u) => (u === 0 ? 'dissatisfied' : 'satisfied'));
  const carried = hiddenFields(await (await post(s, t0, given)).text());
  assert.is((await post(s, t0, carried)).status, 303);
  assert.equal((await storedBallots(s))[0]?.reasons, null);

  const second = hiddenFields(await (await post(s, t1, [...given, ['comment', '保留']])).text());
  const back = await post(s, t1, [...second, ['review', '1']]);
  assert.is(back.status, 200);
  const html = await back.text();
  assert.not.match(html, /class="problems"/, 'no problems listed');
  const blocks = unitBlocks(html);
  assert.is(blocks.length, UNITS.length);
  assert.equal(blocks.find((b) => b.code === UNITS[0]?.code)?.checked, ['dissatisfied', 'dissatisfied', 'dissatisfied']);
  assert.match(html, />保留<\/textarea>/);
  assert.is(await usedOn(s, t1), null);
});

step('score100 with indicators: a score under 60 opens the reasons; 60 does not', async () => {
  const s = await designed({ scale: 'score100' });
  const token = s.tokens[0] as string;
  const scores = (low: string) => UNITS.flatMap((u, i) => KEYS.map((key, k): [string, string] => [`u.${u.code}.${key}`, i === 0 && k === 1 ? low : '80']));
  assert.is((await post(s, token, scores('60'))).status, 303, '60 is not under 60');
  const other = s.tokens[1] as string;
  const res = await post(s, other, scores('59'));
  assert.is(res.status, 200);
  assert.equal(
    unitBlocks(await res.text()).map((b) => b.code),
    [UNITS[0]?.code],
  );
  const sent = await post(s, other, [...scores('59'), ['reasonsAsked', '1'], [`r.${UNITS[0]?.code}`, '2']]);
  assert.is(sent.status, 303);
  const ballots = await storedBallots(s);
  assert.ok(ballots.some((b) => JSON.stringify(b.reasons) === JSON.stringify({ [UNITS[0]!.code]: [2] }) && b.answers[UNITS[0]!.code][1] === 59));
});

step.run();
