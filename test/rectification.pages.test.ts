// Guards issue 16's public side: `/rectification/{year}` (flagged units first, their measure or the days pending,
// items with status and overdue flags, comment counts and only the pairs made public), `/rectification/{year}.json`
// in the field order of the README, readable from any site, the unit's follow-up on `/units/{code}`, and the link
// from `/results/{year}`. Nothing an administrator keeps (withheld or unreleased comments, reasons, overall comments,
// who did what) and no personal data ever reaches these pages.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeCommentPublic, releaseComment, replyToComment, withholdComment } from '../server/rectification/comments.js';
import { addItem, addUpdate } from '../server/rectification/items.js';
import { recordMeasure } from '../server/rectification/measures.js';
import { DATES, followUpJson, followUpWorld, handed, type World } from './followup-fixture.js';
import { mainText } from './survey-fixture.js';

const pages = suite('the public follow-up pages and open data');

let w: World;
const TZ = 'Asia/Shanghai';
let itemOverdue = '';

function must<T>(r: { ok: true; value: T } | { ok: false; problems: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

pages.before(async () => {
  w = await followUpWorld({ publish2026: true, now: '2026-04-03T02:00:00Z' });
  const rows = await handed(w, 2026);
  const byText = (t: string) => Number(rows.find((r) => r.text === t)!.id);
  const release = (text: string) => releaseComment(w.db, w.audit, { year: 2026, id: byText(text), replyDays: 30, timeZone: TZ }, 'office');
  for (let i = 0; i < 5; i++) must(await release(`2026年第${i}票对城管的意见`));
  must(await release('2026年对教育局的意见'));
  must(await withholdComment(w.db, w.audit, { year: 2026, id: byText('2026年第5票对城管的意见'), reason: '写了店名和电话' }, 'office'));
  must(await replyToComment(w.db, w.audit, { id: byText('2026年第0票对城管的意见'), unit: 'U05', reply: '公开的答复' }, 'u05'));
  must(await replyToComment(w.db, w.audit, { id: byText('2026年第1票对城管的意见'), unit: 'U05', reply: '未公开的答复' }, 'u05'));
  must(await makeCommentPublic(w.db, w.audit, { year: 2026, id: byText('2026年第0票对城管的意见') }, 'office'));
  const item = must(
    await addItem(w.db, w.audit, { year: 2026, unit: 'U05', problem: '占道经营', measure: '网格巡查', deadline: '2026-05-31', timeZone: TZ }, 'u05'),
  );
  itemOverdue = item.id;
  must(await addUpdate(w.db, w.audit, { id: item.id, status: 'in_progress', note: '已开始', unit: 'U05', timeZone: TZ }, 'u05'));
  const done = must(
    await addItem(w.db, w.audit, { year: 2026, unit: 'U01', problem: '咨询电话难打通', measure: '增加坐席', deadline: '2026-05-31', timeZone: TZ }, 'office'),
  );
  must(await addUpdate(w.db, w.audit, { id: done.id, status: 'done', note: '已增加坐席', unit: null, timeZone: TZ }, 'office'));
  must(
    await recordMeasure(
      w.db,
      w.audit,
      { year: 2026, unit: 'U05', measure: '诫勉谈话', decidedOn: '2026-04-03', note: '对主要负责人诫勉谈话', timeZone: TZ },
      'office',
    ),
  );
  w.clock.set('2026-06-10T02:00:00Z');
});

const KEPT_BACK = [
  '2026年第5票对城管的意见',
  '写了店名和电话',
  '未公开的答复',
  '2026年第2票对城管的意见',
  '对交通的意见',
  '总体意见',
  '跟进代表',
  'office',
  'u05',
];

pages('/rectification/2026: flagged units first, the measure or the days pending, items with overdue flags, the public pairs only', async () => {
  const res = await w.app.request('/rectification/2026?lang=en');
  assert.is(res.status, 200);
  const html = await res.text();
  const text = mainText(html);
  assert.match(text, 'Follow-up 2026: rectification, measures and comments');
  const order = [...html.matchAll(/<section class="followup-unit[^"]*" id="unit-([^"]+)"/g)].map((m) => m[1]);
  assert.equal(order, ['U05', 'U06', 'U03', 'U01'], 'two years running, then the bottom three, then the others with anything to show');
  assert.match(text, '诫勉谈话 (decided on 2026-04-03)');
  assert.match(text, 'Pending (69 days since publication)', 'U06: 2 April to 10 June');
  assert.match(text, 'No rectification plan yet');
  assert.match(html, `id="item-${itemOverdue}"`);
  assert.match(/<li class="public-item overdue" id="item-[^"]+">[\s\S]*?<\/li>/.exec(html)?.[0] ?? '', 'Overdue');
  assert.match(text, '5 handed over, 2 answered, 3 overdue.');
  assert.match(text, '2026年第0票对城管的意见');
  assert.match(text, '公开的答复');
  for (const secret of KEPT_BACK) assert.not.match(text, secret, `"${secret}" is not public`);
  assert.not.match(html, '<script', 'a page that needs no script');
});

pages('the page is in Chinese by default, in English when asked', async () => {
  const zh = mainText(await (await w.app.request('/rectification/2026')).text());
  assert.match(zh, '2026 年度整改与意见办理');
  assert.match(zh, '待决定（结果公布已 69 天）');
  assert.match(zh, '已逾期');
});

pages('/rectification/2026.json: the open data in the README field order, readable from any site, as of today', async () => {
  const res = await w.app.request('/rectification/2026.json');
  assert.is(res.status, 200);
  assert.is(res.headers.get('access-control-allow-origin'), '*');
  assert.match(res.headers.get('content-type') ?? '', 'application/json');
  const doc = await followUpJson(w, 2026);
  assert.equal(Object.keys(doc), ['year', 'publishedAt', 'units']);
  assert.is(doc.publishedAt, '2026-04-02T02:00:00.000Z');
  const u05 = doc.units.find((u) => u.code === 'U05')!;
  assert.equal(Object.keys(u05), ['code', 'name', 'bottom3', 'bottom3TwoYears', 'measure', 'measurePendingDays', 'items', 'comments']);
  assert.equal(Object.keys(u05.items[0]!), ['id', 'problem', 'measure', 'deadline', 'status', 'overdue', 'updates']);
  assert.equal(u05.items[0]!.updates, [{ date: '2026-04-03', status: 'in_progress', note: '已开始' }]);
  assert.equal(Object.keys(u05.comments), ['released', 'replied', 'overdue', 'public']);
  assert.equal(u05.comments.public, [{ comment: '2026年第0票对城管的意见', reply: '公开的答复', repliedOn: '2026-04-03' }]);
  assert.equal(u05.measure, { measure: '诫勉谈话', decidedOn: '2026-04-03', note: '对主要负责人诫勉谈话' });
  assert.equal(
    doc.units.map((u) => [u.code, u.bottom3, u.bottom3TwoYears, u.measurePendingDays]),
    [
      ['U01', false, false, null],
      ['U02', false, false, null],
      ['U04', false, false, null],
      ['U03', true, false, null],
      ['U05', true, true, null],
      ['U06', true, true, 69],
    ],
  );
  assert.equal(
    doc.units.find((u) => u.code === 'U01')?.items.map((i) => [i.status, i.overdue]),
    [['done', false]],
  );
  const body = JSON.stringify(doc);
  for (const secret of KEPT_BACK) assert.not.match(body, secret, `"${secret}" is not in the open data`);
  // The previous year too, with no follow-up recorded: every flagged unit is listed, with nothing done.
  const y2025 = await followUpJson(w, 2025);
  assert.equal(
    y2025.units.filter((u) => u.bottom3).map((u) => [u.code, u.items.length, u.comments.released]),
    [
      ['U04', 0, 0],
      ['U05', 0, 0],
      ['U06', 0, 0],
    ],
  );
});

pages('years without published results, and other names, answer 404', async () => {
  const closed = await followUpWorld({ now: DATES[2026].close });
  for (const path of ['/rectification/2024', '/rectification/2024.json', '/rectification/abc', '/rectification/2026.csv', '/rectification/20266']) {
    assert.is((await w.app.request(path)).status, 404, path);
  }
  assert.is((await closed.app.request('/rectification/2026')).status, 404, 'closed but not published');
  const json = await closed.app.request('/rectification/2026.json');
  assert.is(json.status, 404);
  assert.match(json.headers.get('content-type') ?? '', 'application/json');
});

pages('/results/2026 links to the follow-up beside the flags', async () => {
  const html = await (await w.app.request('/results/2026?lang=en')).text();
  const bottom = html.indexOf('id="bottom3-h"');
  const link = html.indexOf('href="/rectification/2026"');
  assert.ok(bottom > 0 && link > bottom, 'the link follows the bottom three');
  assert.ok(link < html.indexOf('id="ranking"'), 'before the ranking');
});

pages("/units/{code}: the unit's follow-up across the years", async () => {
  const u05 = mainText(await (await w.app.request('/units/U05?lang=en')).text());
  assert.match(u05, 'Follow-up');
  assert.match(u05, '诫勉谈话 (decided on 2026-04-03)');
  assert.match(u05, '占道经营');
  assert.match(u05, 'No rectification plan yet', '2025: in the bottom three, no plan');
  assert.match(u05, '公开的答复');
  for (const secret of KEPT_BACK) assert.not.match(u05, secret);
  const u02 = mainText(await (await w.app.request('/units/U02?lang=en')).text());
  assert.match(u02, 'No items, measures or comments handed over.');
  const u01 = await (await w.app.request('/units/U01?lang=en')).text();
  assert.match(u01, 'href="/rectification/2026#unit-U01"');
});

pages.run();
