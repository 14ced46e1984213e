// Guards issue 16's "a whole cycle runs from the console": close → screen → release → answer → publish → plan →
// updates → measure, each step an audited action of the named administrator or liaison, and each step visible in
// `/rectification/{year}.json`. Then every kind of bad input: 422 with the form kept (or 403/404), nothing changed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mainText } from './survey-fixture.js';
import { DATES, followUpJson, followUpState, followUpWorld, handed, later, signIn, type World } from './followup-fixture.js';
import type { Browser } from './helpers.js';

type Signed = Browser & { token: string; username: string };
const cycle = suite('a whole cycle in the console, checked in /rectification/2026.json');

let w: World;
let admin: Signed;
let liaison: Signed;
const ids: Record<string, number> = {};
let itemU05 = '';
let itemU06 = '';

const idOf = async (text: string) => {
  const row = (await handed(w, 2026)).find((r) => r.text === text);
  if (!row) throw new Error(`no handed comment "${text}"`);
  return Number(row.id);
};

/** The last n audit rows, logins left out (the tests log in again whenever the clock jumps). */
async function auditTail(n: number) {
  return (
    await w.db.selectFrom('audit_log').select(['actor', 'action', 'detail']).where('action', '!=', 'admin.login').orderBy('seq', 'desc').limit(n).execute()
  ).reverse();
}

cycle.before(async () => {
  w = await followUpWorld({ open2026: true });
  admin = await signIn(w, 'office', 'admin');
  liaison = await signIn(w, 'chengguan', { unit: 'U05' });
});

cycle('closing hands every unit comment over for screening, pending, none of them public', async () => {
  assert.is((await handed(w, 2026)).length, 0, 'nothing is handed over while the round is open');
  const res = await admin.post('/admin/rounds/2026/close', { _csrf: admin.token, confirm: '1' });
  assert.is(res.status, 303);
  const rows = await handed(w, 2026);
  assert.is(rows.length, 6 + 4 + 1);
  assert.ok(rows.every((r) => r.status === 'pending' && r.public === 0 && r.reply === null));
  assert.is((await w.app.request('/rectification/2026.json')).status, 404, 'no follow-up before publication');
  const page = await (await admin.get('/admin/rounds/2026/comments?lang=en')).text();
  assert.match(page, 'must be withheld', 'the screening page states the rule about names');
  assert.match(page, '2026年第3票对城管的意见');
  assert.match(page, '2026年的总体意见', 'overall comments are shown to administrators');
});

cycle('screening: release, withhold with a reason (audited, by name)', async () => {
  for (let i = 0; i < 6; i++) ids[`U05-${i}`] = await idOf(`2026年第${i}票对城管的意见`);
  for (let i = 0; i < 4; i++) ids[`U06-${i}`] = await idOf(`2026年第${i}票对交通的意见`);
  for (let i = 1; i < 6; i++) {
    const res = await admin.post(`/admin/rounds/2026/comments/${ids[`U05-${i}`]}/release`, { _csrf: admin.token });
    assert.is(res.status, 303);
  }
  for (let i = 0; i < 4; i++) assert.is((await admin.post(`/admin/rounds/2026/comments/${ids[`U06-${i}`]}/release`, { _csrf: admin.token })).status, 303);
  const res = await admin.post(`/admin/rounds/2026/comments/${ids['U05-0']}/withhold`, { _csrf: admin.token, reason: '点名了具体商户' });
  assert.is(res.status, 303);
  const rows = await handed(w, 2026);
  const u05 = rows.filter((r) => r.unit_code === 'U05');
  assert.is(u05.filter((r) => r.status === 'released').length, 5);
  assert.is(u05.find((r) => Number(r.id) === ids['U05-0'])?.status, 'withheld');
  // Released on 31 March (Shanghai): due 30 days later.
  assert.ok(u05.filter((r) => r.status === 'released').every((r) => r.due_on === '2026-04-30'));
  const tail = await auditTail(10);
  assert.equal(
    tail.map((r) => `${r.actor}:${r.action}`),
    [...Array(9).fill('office:comment.release'), 'office:comment.withhold'],
  );
  assert.not.match(JSON.stringify(tail), '城管的意见', 'the audit log names comments by id, not by text');
});

cycle("the liaison sees their unit's released comments only, and answers them", async () => {
  const page = await (await liaison.get('/admin/unit?lang=en')).text();
  const text = mainText(page);
  for (let i = 1; i < 6; i++) assert.match(text, `2026年第${i}票对城管的意见`);
  assert.not.match(text, '2026年第0票对城管的意见', 'not the withheld one');
  assert.not.match(text, '对交通的意见', "not another unit's");
  assert.not.match(text, '总体意见', 'never the overall comments');
  assert.not.match(text, '点名了具体商户', 'never a reason for withholding');
  for (const i of [1, 2]) {
    const res = await liaison.post(`/admin/unit/comments/${ids[`U05-${i}`]}/reply`, { _csrf: liaison.token, reply: `已整改，感谢第${i}条意见。` });
    assert.is(res.status, 303);
    assert.match(res.headers.get('location') ?? '', /^\/admin\/unit\?done=replied/);
  }
  const tail = await auditTail(2);
  assert.equal(
    tail.map((r) => `${r.actor}:${r.action}`),
    ['chengguan:comment.reply', 'chengguan:comment.reply'],
  );
});

cycle('an answered comment is made public by an administrator', async () => {
  const res = await admin.post(`/admin/rounds/2026/comments/${ids['U05-1']}/public`, { _csrf: admin.token });
  assert.is(res.status, 303);
  assert.is((await auditTail(1))[0]?.action, 'comment.public');
});

cycle('publishing the results: /rectification/2026.json shows the flags, the comments handled, no plan, the measure pending', async () => {
  await later(w, DATES[2026].publish, admin, liaison);
  const res = await admin.post('/admin/rounds/2026/publish', { _csrf: admin.token, confirm: '1', note: '' });
  assert.is(res.status, 303);
  const doc = await followUpJson(w, 2026);
  assert.is(doc.year, 2026);
  assert.is(doc.publishedAt, DATES[2026].publish.replace('Z', '.000Z'));
  assert.equal(
    doc.units.map((u) => u.code),
    ['U01', 'U02', 'U04', 'U03', 'U05', 'U06'],
    'in the order of the results',
  );
  const u05 = doc.units.find((u) => u.code === 'U05')!;
  assert.equal(
    { b3: u05.bottom3, two: u05.bottom3TwoYears, measure: u05.measure, pending: u05.measurePendingDays, items: u05.items },
    { b3: true, two: true, measure: null, pending: 0, items: [] },
  );
  assert.equal(u05.comments, {
    released: 5,
    replied: 2,
    overdue: 0,
    public: [{ comment: '2026年第1票对城管的意见', reply: '已整改，感谢第1条意见。', repliedOn: '2026-03-31' }],
  });
  const u03 = doc.units.find((u) => u.code === 'U03')!;
  assert.equal([u03.bottom3, u03.bottom3TwoYears, u03.measurePendingDays], [true, false, null]);
  assert.not.match(JSON.stringify(doc), '总体意见');
  assert.not.match(JSON.stringify(doc), '第0票', 'a withheld comment never reaches the public');
  assert.not.match(JSON.stringify(doc), '第2票对城管', 'nor one answered but not made public');
  const overview = mainText(await (await admin.get('/admin/rectification?lang=en')).text());
  assert.match(overview, 'Bottom-three units without a plan');
  assert.match(overview, '市人社局');
});

cycle('plans: the liaison adds an item for their unit, an administrator for another; both public at once', async () => {
  await later(w, '2026-04-03T02:00:00Z', admin, liaison);
  const res = await liaison.post('/admin/unit/rectification/2026', {
    _csrf: liaison.token,
    problem: '占道经营整治不及时',
    measure: '建立网格巡查和限时处置制度',
    deadline: '2026-06-30',
  });
  assert.is(res.status, 303);
  const res2 = await admin.post('/admin/units/U06/rectification/2026', {
    _csrf: admin.token,
    problem: '公交线路调整未征求意见',
    measure: '线路调整前公示并听证',
    deadline: '2026-05-31',
  });
  assert.is(res2.status, 303);
  const doc = await followUpJson(w, 2026);
  const u05 = doc.units.find((u) => u.code === 'U05')!;
  const u06 = doc.units.find((u) => u.code === 'U06')!;
  assert.is(u05.items.length, 1);
  itemU05 = u05.items[0]!.id;
  itemU06 = u06.items[0]!.id;
  assert.equal(u05.items[0], {
    id: itemU05,
    problem: '占道经营整治不及时',
    measure: '建立网格巡查和限时处置制度',
    deadline: '2026-06-30',
    status: 'planned',
    overdue: false,
    updates: [],
  });
  assert.equal(
    (await auditTail(2)).map((r) => `${r.actor}:${r.action}`),
    ['chengguan:rectification.add', 'office:rectification.add'],
  );
});

cycle('updates: dated progress; the item never changes, its status is the latest update', async () => {
  await later(w, '2026-05-10T02:00:00Z', admin, liaison);
  assert.is(
    (await liaison.post(`/admin/rectification/items/${itemU05}/updates`, { _csrf: liaison.token, status: 'in_progress', note: '已完成一半路段' })).status,
    303,
  );
  await later(w, '2026-05-20T02:00:00Z', admin, liaison);
  assert.is((await admin.post(`/admin/rectification/items/${itemU06}/updates`, { _csrf: admin.token, status: 'done', note: '已建立公示制度' })).status, 303);
  const doc = await followUpJson(w, 2026);
  const u05 = doc.units.find((u) => u.code === 'U05')!;
  assert.equal(u05.items[0]?.updates, [{ date: '2026-05-10', status: 'in_progress', note: '已完成一半路段' }]);
  assert.is(u05.items[0]?.status, 'in_progress');
  assert.is(u05.items[0]?.problem, '占道经营整治不及时', 'the item itself is as written');
  assert.equal(doc.units.find((u) => u.code === 'U06')?.items[0]?.status, 'done');
  assert.equal(
    (await auditTail(2)).map((r) => `${r.actor}:${r.action}`),
    ['chengguan:rectification.update', 'office:rectification.update'],
  );
});

cycle('time passes: the unfinished item and the unanswered comments become overdue; the done item does not', async () => {
  await later(w, '2026-07-02T02:00:00Z', admin, liaison);
  const doc = await followUpJson(w, 2026);
  const u05 = doc.units.find((u) => u.code === 'U05')!;
  assert.is(u05.items[0]?.overdue, true);
  assert.is(u05.comments.overdue, 3, 'three released comments were never answered, due 30 April');
  assert.is(doc.units.find((u) => u.code === 'U06')?.items[0]?.overdue, false, 'done before its deadline');
  assert.is(u05.measurePendingDays, 91, 'days since 2 April');
  const overview = mainText(await (await admin.get('/admin/rectification?lang=en')).text());
  assert.match(overview, 'Overdue items');
  assert.match(overview, '占道经营整治不及时');
  assert.match(overview, 'Replies overdue, by unit');
});

cycle("the office's overview links each overdue item and unit to its page; the follow-up tab is lit there", async () => {
  const overview = await (await admin.get('/admin/rectification')).text();
  assert.match(overview, /<a href="\/admin\/units\/U05\/rectification\/2026#item-[0-9a-f-]{36}">/, 'the overdue item');
  assert.match(overview, 'href="/admin/units/U05/rectification/2026"', 'the unit with replies overdue');
  for (const path of ['/admin/rectification', '/admin/rounds/2026/rectification', '/admin/units/U05/rectification/2026']) {
    const html = await (await admin.get(path)).text();
    assert.match(html, '<a href="/admin/rectification" aria-current="page">', path);
    assert.not.match(html, '<a href="/admin/rounds" aria-current="page">', path);
  }
});

cycle('the measure: recorded once for a unit in the bottom three two years running, and shown instead of "pending"', async () => {
  const res = await admin.post('/admin/rounds/2026/measures', {
    _csrf: admin.token,
    unit: 'U05',
    measure: '诫勉谈话',
    decidedOn: '2026-06-15',
    note: '对主要负责人诫勉谈话',
  });
  assert.is(res.status, 303);
  const doc = await followUpJson(w, 2026);
  const u05 = doc.units.find((u) => u.code === 'U05')!;
  assert.equal(u05.measure, { measure: '诫勉谈话', decidedOn: '2026-06-15', note: '对主要负责人诫勉谈话' });
  assert.is(u05.measurePendingDays, null);
  assert.is(doc.units.find((u) => u.code === 'U06')?.measurePendingDays, 91, 'the other unit is still pending');
  assert.equal(
    (await auditTail(1)).map((r) => `${r.actor}:${r.action}`),
    ['office:measure.record'],
  );
  const page = mainText(await (await w.app.request('/rectification/2026?lang=en')).text());
  assert.match(page, '诫勉谈话');
  assert.match(page, 'Pending (91 days since publication)');
});

cycle.run();

// ---------------------------------------------------------------------------------------------------------------
const bad = suite('bad input answers 422 with the form kept (or 403/404), and changes nothing');

let b: World;
let office: Signed;
let u05: Signed;
let item = '';
let released = 0;
let withheld = 0;
let pendingId = 0;

bad.before(async () => {
  b = await followUpWorld({ publish2026: true, now: '2026-04-05T02:00:00Z' });
  office = await signIn(b, 'office', 'admin');
  u05 = await signIn(b, 'u05liaison', { unit: 'U05' });
  const rows = await handed(b, 2026);
  const mine = rows.filter((r) => r.unit_code === 'U05');
  released = Number(mine[0]!.id);
  withheld = Number(mine[1]!.id);
  pendingId = Number(mine[2]!.id);
  assert.is((await office.post(`/admin/rounds/2026/comments/${released}/release`, { _csrf: office.token })).status, 303);
  assert.is((await office.post(`/admin/rounds/2026/comments/${withheld}/withhold`, { _csrf: office.token, reason: '辱骂' })).status, 303);
  const res = await u05.post('/admin/unit/rectification/2026', { _csrf: u05.token, problem: '问题', measure: '措施', deadline: '2026-09-30' });
  assert.is(res.status, 303);
  item = (await followUpJson(b, 2026)).units.find((u) => u.code === 'U05')!.items[0]!.id;
});

/** Sends a request and checks its status, that nothing stored changed, and (for 422) that the page shows `shows`. */
async function refused(who: Signed, path: string, fields: Record<string, string>, status: number, shows: string[] = []) {
  const before = await followUpState(b);
  const res = await who.post(path, { _csrf: who.token, ...fields });
  assert.is(res.status, status, `${path} ${JSON.stringify(fields).slice(0, 80)}`);
  const html = await res.text();
  for (const s of shows) assert.ok(html.includes(s), `${path}: the refused page shows ${s}`);
  assert.is(await followUpState(b), before, `${path}: nothing changed`);
}

bad('a deadline before publication, a missing or too long text: the item is refused, the form kept', async () => {
  await refused(u05, '/admin/unit/rectification/2026?lang=en', { problem: '早于公布', measure: '措施', deadline: '2026-03-01' }, 422, [
    'The deadline cannot be before the results were published (2026-04-02)',
    '早于公布',
    'value="2026-03-01"',
  ]);
  await refused(u05, '/admin/unit/rectification/2026?lang=en', { problem: '问', measure: '措施', deadline: '2026-02-30' }, 422, ['written YYYY-MM-DD']);
  await refused(u05, '/admin/unit/rectification/2026?lang=en', { problem: 'x'.repeat(501), measure: '措施', deadline: '2026-09-30' }, 422, [
    'Describe the problem (1–500 characters)',
  ]);
  await refused(office, '/admin/units/U01/rectification/2026?lang=en', { problem: '问题', measure: '', deadline: '2026-09-30' }, 422, ['Describe the measure']);
  await refused(office, '/admin/units/U01/rectification/2024', { problem: '问题', measure: '措施', deadline: '2026-09-30' }, 404);
  await refused(office, '/admin/units/NOPE/rectification/2026', { problem: '问题', measure: '措施', deadline: '2026-09-30' }, 404);
});

bad("an item for a unit that is not the liaison's: 422 on their own form, 403 on another unit's route", async () => {
  await refused(u05, '/admin/unit/rectification/2026?lang=en', { unit: 'U06', problem: '问题', measure: '措施', deadline: '2026-09-30' }, 422, [
    'A liaison adds items for their own unit only',
  ]);
  await refused(u05, '/admin/units/U06/rectification/2026', { problem: '问题', measure: '措施', deadline: '2026-09-30' }, 403);
});

bad('an unknown status or a note over its limit: the update is refused, the note kept', async () => {
  await refused(u05, `/admin/rectification/items/${item}/updates?lang=en`, { status: 'finished', note: '保留的说明' }, 422, [
    'The status must be planned, in progress or done',
    '保留的说明',
  ]);
  await refused(office, `/admin/rectification/items/${item}/updates?lang=en`, { status: 'done', note: 'n'.repeat(501) }, 422, ['at most 500 characters']);
  await refused(office, '/admin/rectification/items/00000000-0000-4000-8000-000000000000/updates', { status: 'done', note: '' }, 404);
});

bad("another unit's item or comment: 403 for a liaison", async () => {
  const other = await signIn(b, 'u06liaison', { unit: 'U06' });
  await refused(other, `/admin/rectification/items/${item}/updates`, { status: 'done', note: '' }, 403);
  await refused(other, `/admin/unit/comments/${released}/reply`, { reply: '越权答复' }, 403);
});

bad('a reply to a withheld or unreleased comment, a second reply, a reply over its limit', async () => {
  await refused(u05, `/admin/unit/comments/${withheld}/reply?lang=en`, { reply: '答复被暂缓的意见' }, 422, ['was not released to your unit']);
  await refused(u05, `/admin/unit/comments/${pendingId}/reply?lang=en`, { reply: '答复待交办的意见' }, 422, ['was not released to your unit']);
  await refused(u05, `/admin/unit/comments/${released}/reply?lang=en`, { reply: 'r'.repeat(2001) }, 422, ['Write the reply (1–2000 characters)']);
  await refused(u05, `/admin/unit/comments/${released}/reply?lang=en`, { reply: '   ' }, 422);
  assert.is((await u05.post(`/admin/unit/comments/${released}/reply`, { _csrf: u05.token, reply: '第一次答复' })).status, 303);
  await refused(u05, `/admin/unit/comments/${released}/reply?lang=en`, { reply: '第二次答复' }, 422, ['has already been answered']);
  await refused(u05, '/admin/unit/comments/123/reply', { reply: '不存在' }, 404);
});

bad('screening twice, withholding without a reason, publishing an unanswered comment', async () => {
  await refused(office, `/admin/rounds/2026/comments/${released}/release?lang=en`, {}, 422, ['already been screened']);
  await refused(office, `/admin/rounds/2026/comments/${pendingId}/withhold?lang=en`, { reason: ' ' }, 422, ['Give the reason for withholding']);
  await refused(office, `/admin/rounds/2026/comments/${pendingId}/withhold?lang=en`, { reason: 'r'.repeat(201) }, 422, ['Give the reason for withholding']);
  await refused(office, `/admin/rounds/2026/comments/${pendingId}/public?lang=en`, {}, 422, ['Only a released comment that has been answered']);
  await refused(office, `/admin/rounds/2025/comments/${pendingId}/release`, {}, 404, []);
  await refused(office, '/admin/rounds/2026/comments/9007199254740993/release', {}, 404);
});

bad('measures: only for a unit two years running, once, decided between publication and today', async () => {
  const path = '/admin/rounds/2026/measures?lang=en';
  await refused(office, path, { unit: 'U03', measure: '诫勉谈话', decidedOn: '2026-04-03', note: '' }, 422, ['is not in the bottom three two years running']);
  await refused(office, path, { unit: 'U05', measure: '诫勉谈话', decidedOn: '2026-03-01', note: '保留' }, 422, ['between 2026-04-02 and 2026-04-05', '保留']);
  await refused(office, path, { unit: 'U05', measure: '诫勉谈话', decidedOn: '2026-04-06', note: '' }, 422, ['between 2026-04-02 and 2026-04-05']);
  await refused(office, path, { unit: 'U05', measure: '', decidedOn: '2026-04-03', note: '' }, 422, ['Name the measure']);
  await refused(office, path, { unit: 'U05', measure: 'm'.repeat(101), decidedOn: '2026-04-03', note: '' }, 422, ['Name the measure']);
  await refused(office, '/admin/rounds/2024/measures', { unit: 'U05', measure: '诫勉谈话', decidedOn: '2026-04-03', note: '' }, 404);
  assert.is(
    (await office.post('/admin/rounds/2026/measures', { _csrf: office.token, unit: 'U05', measure: '领导班子调整', decidedOn: '2026-04-03', note: '' })).status,
    303,
  );
  await refused(office, path, { unit: 'U05', measure: '诫勉谈话', decidedOn: '2026-04-04', note: '' }, 422, ['already recorded']);
});

bad('a liaison cannot screen, publish or record measures', async () => {
  await refused(u05, `/admin/rounds/2026/comments/${pendingId}/release`, {}, 403);
  await refused(u05, `/admin/rounds/2026/comments/${released}/public`, {}, 403);
  await refused(u05, '/admin/rounds/2026/measures', { unit: 'U06', measure: '诫勉谈话', decidedOn: '2026-04-03', note: '' }, 403);
});

bad.run();
