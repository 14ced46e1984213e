// Guards the survey's refusals (docs/SPEC.md, Anonymity and trust; README, Web pages and routes; docs/SPEC.md, Decisions and their reasons "never a partial write"): a refused ballot answers 422 with
// every problem marked at its unit and every answer kept, and stores nothing; wrong content types and huge bodies
// are refused; a round not open answers 410, an unknown, malformed, foreign, re-issued or replaced link 404, a
// used one 409 — and none of them changes anything.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import { linkToken } from '../server/links/tokens.js';
import { closeRound, reissueLink, replaceMember } from '../server/rounds/rounds.js';
import { countRows } from './helpers.js';
import { fullBallot, mainText, ok, openSurvey, overallComment, post, problemSummary, SECRET, unitBlocks, usedOn, YEAR, type Survey } from './survey-fixture.js';

/** Everything a submission could change: links (used_on, active), ballots, the audit log. */
async function snapshot(s: Survey) {
  return {
    links: await s.db.selectFrom('round_links').selectAll().orderBy('code').orderBy('generation').execute(),
    ballots: await s.db.selectFrom('ballots').selectAll().orderBy('id').execute(),
    audit: await countRows(s.db, 'audit_log'),
  };
}

async function assertUnchanged(s: Survey, before: Awaited<ReturnType<typeof snapshot>>, what: string) {
  const after = await snapshot(s);
  assert.is(after.ballots.length, before.ballots.length, `${what}: no ballot stored`);
  assert.equal(after.links, before.links, `${what}: no link marked used`);
  assert.is(after.audit, before.audit, `${what}: nothing logged as done`);
}

interface Refused {
  html: string;
  blocks: Map<string, ReturnType<typeof unitBlocks>[number]>;
  summary: { lines: string[]; links: string[] };
}

/** Sends fields that must be refused; checks 422, nothing stored, the link still unused, and returns the page. */
async function refuse(s: Survey, token: string, body: string | Record<string, string>, what: string): Promise<Refused> {
  const before = await snapshot(s);
  const res = await post(s, token, body);
  assert.is(res.status, 422, `${what}: 422`);
  const html = await res.text();
  await assertUnchanged(s, before, what);
  assert.is(await usedOn(s, token), null, `${what}: link still unused`);
  const summary = problemSummary(html);
  assert.ok(summary, `${what}: the problems are listed at the top`);
  const blocks = new Map(unitBlocks(html).map((b) => [b.code, b]));
  assert.is(blocks.size, s.units.length, `${what}: the whole form comes back`);
  for (const code of summary?.links ?? []) assert.ok(blocks.has(code), `${what}: summary link #unit-${code} leads to its unit`);
  return { html, blocks, summary: summary as Refused['summary'] };
}

/** Every unit except `except` shows exactly the choice that was sent, and no error. */
function assertKept(r: Refused, fields: Record<string, string>, except: string[], what: string) {
  for (const [code, b] of r.blocks) {
    if (except.includes(code)) continue;
    assert.equal(b.checked, [fields[`u.${code}`]], `${what}: ${code} keeps its answer`);
    assert.not.ok(b.hasError, `${what}: ${code} not marked`);
  }
}

function assertMarked(r: Refused, code: string, message: string, what: string) {
  const b = r.blocks.get(code);
  assert.ok(b?.hasError, `${what}: ${code} is marked`);
  assert.match(b?.error ?? '', message, `${what}: ${code} says why`);
  assert.match(b?.openTag ?? '', `aria-describedby="err-${code}"`, `${what}: the message is tied to the fieldset`);
  assert.ok(r.summary.links.includes(code), `${what}: the summary links to ${code}`);
}

const MISSING = '请选择一项';
const INVALID = '这个选项无效';
const SCORE = '请填写 0 到 100 之间的整数';

// ---------------------------------------------------------------------------------------------------------------
const answers = suite('refused answers (422, nothing stored)');

answers('a missing unit is marked; every other answer and every comment is kept', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  const fields = fullBallot(s.units);
  delete fields['u.U07'];
  const r = await refuse(s, token, { ...fields, 'c.U07': '这里还没选', 'c.U12': 'keep <me> & "this"', comment: '总体意见保留' }, 'missing');
  assertMarked(r, 'U07', MISSING, 'missing');
  assert.equal(r.blocks.get('U07')?.checked, []);
  assertKept(r, fields, ['U07'], 'missing');
  assert.is(r.summary.links.length, 1, 'one problem listed');
  assert.is(r.blocks.get('U07')?.comment, '这里还没选', 'comment of the marked unit kept');
  assert.is(r.blocks.get('U12')?.comment, 'keep <me> & "this"', 'another comment kept, escaped');
  assert.is(overallComment(r.html), '总体意见保留', 'overall comment kept');
  // The same link then works: a refusal does not spend it.
  assert.is((await post(s, token, fullBallot(s.units))).status, 303);
});

answers('an invalid value is marked, and several problems are all listed at once', async () => {
  const s = await openSurvey();
  const fields = { ...fullBallot(s.units), 'u.U07': 'excellent', 'u.U30': 'SATISFIED' };
  delete (fields as Record<string, string>)['u.U22'];
  const r = await refuse(s, s.tokens[0] as string, fields, 'invalid');
  assertMarked(r, 'U07', INVALID, 'invalid');
  assertMarked(r, 'U30', INVALID, 'invalid (case matters)');
  assertMarked(r, 'U22', MISSING, 'invalid + missing');
  assert.is(r.summary.links.length, 3);
  assert.match(r.html, '还有 3 处需要修改');
  assertKept(r, fields, ['U07', 'U30', 'U22'], 'invalid');
});

answers('a unit code that is not in the round is refused and named', async () => {
  const s = await openSurvey();
  const fields = { ...fullBallot(s.units), 'u.ZZ99': 'satisfied' };
  const r = await refuse(s, s.tokens[0] as string, fields, 'foreign unit');
  assert.ok(
    r.summary.lines.some((l) => l.includes('ZZ99')),
    'the summary names the unknown unit',
  );
  assertKept(r, fields, [], 'foreign unit');
  // A comment on a unit outside the round is refused too, even when every real unit is answered.
  const r2 = await refuse(s, s.tokens[0] as string, { ...fullBallot(s.units), 'c.ZZ98': 'x' }, 'foreign comment');
  assert.ok(r2.summary.lines.some((l) => l.includes('ZZ98')));
});

answers('a unit comment of 501 characters is refused and kept; 500 are accepted (characters, not bytes)', async () => {
  const s = await openSurvey();
  const fields = fullBallot(s.units);
  const long = '评'.repeat(501);
  const r = await refuse(s, s.tokens[0] as string, { ...fields, 'c.U07': long }, 'comment 501');
  assertMarked(r, 'U07', '意见不能超过 500 字（现有 501 字）', 'comment 501');
  assert.is(r.blocks.get('U07')?.comment, long, 'the long comment comes back to be shortened');
  assert.equal(r.blocks.get('U07')?.checked, [fields['u.U07']], 'comment 501: U07 keeps its answer');
  assertKept(r, fields, ['U07'], 'comment 501');

  assert.is((await post(s, s.tokens[1] as string, { ...fields, 'c.U07': '评'.repeat(500) })).status, 303, '500 CJK characters');
  // Characters outside the BMP count once each, as a person counts them.
  assert.is((await post(s, s.tokens[2] as string, { ...fields, 'c.U07': '𠀀'.repeat(500) })).status, 303, '500 astral characters');
  const stored = (await s.db.selectFrom('ballots').select('comments').execute()).map((b) => [...(JSON.parse(b.comments) as { U07: string }).U07].length);
  assert.equal(stored, [500, 500]);
});

answers('an overall comment over 2,000 characters is refused and kept; 2,000 are accepted', async () => {
  const s = await openSurvey();
  const fields = fullBallot(s.units);
  const long = '议'.repeat(2001);
  const r = await refuse(s, s.tokens[0] as string, { ...fields, comment: long }, 'overall 2001');
  assert.ok(
    r.summary.lines.some((l) => l.includes('2000') && l.includes('2001')),
    'the summary says the limit and the length',
  );
  assert.is(overallComment(r.html), long);
  assertKept(r, fields, [], 'overall 2001');
  assert.is((await post(s, s.tokens[1] as string, { ...fields, comment: '议'.repeat(2000) })).status, 303);
});

answers('repeated fields for one unit are refused', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  const rest = fullBallot(s.units.filter((u) => u.code !== 'U07'));
  const base = new URLSearchParams(rest).toString();
  const r = await refuse(s, token, `${base}&u.U07=satisfied&u.U07=dissatisfied`, 'conflicting repeat');
  assertMarked(r, 'U07', INVALID, 'conflicting repeat');
  assertKept(r, rest, ['U07'], 'conflicting repeat');
  const r2 = await refuse(s, token, `${base}&u.U07=satisfied&u.U07=satisfied`, 'identical repeat');
  assertMarked(r2, 'U07', INVALID, 'identical repeat');
});

answers('an empty body marks every unit', async () => {
  const s = await openSurvey();
  const r = await refuse(s, s.tokens[0] as string, '', 'empty');
  for (const u of s.units) assertMarked(r, u.code, MISSING, 'empty');
  assert.is(r.summary.links.length, s.units.length);
});

const score = suite('refused scores (score100)');

score('101, -1, 1.5, abc, an empty field, and a number with "unknown" are each marked in one refusal', async () => {
  const s = await openSurvey({ scale: 'score100' });
  const good = Object.fromEntries(s.units.map((u, i) => [`u.${u.code}`, i % 5 === 0 ? 'unknown' : String(i * 2)]));
  const bad: Record<string, string> = { U01: '101', U02: '-1', U03: '1.5', U04: 'abc', U05: '1e2', U06: '' };
  const params = new URLSearchParams({ ...good, ...Object.fromEntries(Object.entries(bad).map(([c, v]) => [`u.${c}`, v])) });
  params.append('u.U07', 'unknown'); // U07 already has a number: both
  const r = await refuse(s, s.tokens[0] as string, params.toString(), 'score100');
  for (const [code, value] of Object.entries(bad)) {
    assertMarked(r, code, code === 'U06' ? MISSING : SCORE, `score ${JSON.stringify(value)}`);
    if (value) assert.is(r.blocks.get(code)?.score, value, `score ${value} kept as typed`);
  }
  assertMarked(r, 'U07', '不能同时选择', 'number and unknown');
  assert.is(r.summary.links.length, 7, 'seven problems listed');
  for (const [code, b] of r.blocks) {
    if (bad[code] !== undefined || code === 'U07') continue;
    const sent = good[`u.${code}`];
    if (sent === 'unknown') assert.equal(b.checked, ['unknown'], `${code}: unknown kept`);
    else assert.is(b.score, sent, `${code}: score kept`);
    assert.not.ok(b.hasError, `${code}: not marked`);
  }
});

score('a number together with "unknown" comes back with both as given, so the person sees what to fix', async () => {
  const s = await openSurvey({ scale: 'score100', units: demoUnits().slice(0, 3) });
  const r = await refuse(s, s.tokens[0] as string, 'u.U01=73&u.U01=unknown&u.U02=10&u.U03=20', 'both');
  const b = r.blocks.get('U01');
  assert.match(b?.error ?? '', '不能同时选择');
  assert.is(b?.score, '73', 'the number is kept');
  assert.equal(b?.checked, ['unknown'], 'the ticked "unknown" box is kept too');
});

// ---------------------------------------------------------------------------------------------------------------
const bodies = suite('bodies that are not a survey form');

bodies('multipart, JSON, plain text or no content type answer 415 and change nothing', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  const fields = fullBallot(s.units);
  const before = await snapshot(s);
  const multipart = new FormData();
  for (const [k, v] of Object.entries(fields)) multipart.set(k, v);
  const cases: [string, RequestInit][] = [
    ['multipart', { method: 'POST', body: multipart }],
    ['json', { method: 'POST', body: JSON.stringify(fields), headers: { 'content-type': 'application/json' } }],
    ['text', { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'text/plain' } }],
    ['none', { method: 'POST', body: new Blob([new URLSearchParams(fields).toString()]) }],
  ];
  for (const [what, init] of cases) {
    const res = await s.app.request(`/s/${token}`, init);
    assert.is(res.status, 415, what);
    await assertUnchanged(s, before, what);
  }
  assert.is((await post(s, token, fields)).status, 303, 'the link still works');
});

bodies('a body over 1 MiB answers 413 and changes nothing', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  const before = await snapshot(s);
  const huge = `${new URLSearchParams(fullBallot(s.units)).toString()}&comment=${'x'.repeat(1024 * 1024 + 10)}`;
  const res = await post(s, token, huge);
  assert.is(res.status, 413);
  await assertUnchanged(s, before, 'huge');
  // Also when the body is streamed without a declared length.
  const bytes = new TextEncoder().encode(huge);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
      controller.close();
    },
  });
  const streamed = await s.app.request(`/s/${token}`, {
    method: 'POST',
    body: stream,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    duplex: 'half',
  } as RequestInit);
  assert.is(streamed.status, 413, 'streamed');
  await assertUnchanged(s, before, 'huge streamed');
  assert.is(await usedOn(s, token), null);
});

// ---------------------------------------------------------------------------------------------------------------
const timing = suite('a round not open (410)');

timing('before it opens: 410 saying when it opens, in city time; from the opening minute the form is there', async () => {
  // 15:59 UTC on 28 February is 23:59 in Shanghai, a minute before the round opens at 00:00 on 1 March.
  const s = await openSurvey({ now: '2026-02-28T15:59:00Z' });
  const token = s.tokens[0] as string;
  const before = await snapshot(s);
  const get = await s.app.request(`/s/${token}`);
  assert.is(get.status, 410);
  const text = mainText(await get.text());
  assert.match(text, '尚未开始');
  assert.match(text, '2026-03-01 00:00');
  assert.is((await post(s, token, fullBallot(s.units))).status, 410, 'POST refused too');
  await assertUnchanged(s, before, 'before opening');
  s.clock.set('2026-02-28T16:00:00Z');
  assert.is((await s.app.request(`/s/${token}`)).status, 200, 'open at opens_at');
});

timing('a drawn round not yet opened by the office: 410 "not started"', async () => {
  const s = await openSurvey({ open: false });
  const token = s.tokens[0] as string;
  const before = await snapshot(s);
  const res = await s.app.request(`/s/${token}?lang=en`);
  assert.is(res.status, 410);
  assert.match(mainText(await res.text()), 'has not started');
  assert.is((await post(s, token, fullBallot(s.units))).status, 410);
  await assertUnchanged(s, before, 'not opened');
});

timing('at the closing time: 410 saying it has closed; a minute earlier it is still open', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  s.clock.set('2026-03-30T15:59:00Z'); // 23:59 on 30 March in Shanghai
  assert.is((await s.app.request(`/s/${token}`)).status, 200);
  s.clock.set('2026-03-30T16:00:00Z'); // 00:00 on 31 March: closes_at
  const before = await snapshot(s);
  const res = await s.app.request(`/s/${token}`);
  assert.is(res.status, 410);
  const text = mainText(await res.text());
  assert.match(text, '已经结束');
  assert.match(text, '2026-03-31 00:00');
  assert.is((await post(s, token, fullBallot(s.units))).status, 410);
  await assertUnchanged(s, before, 'after closing');
});

timing('a round closed by the office within its dates: 410 closed, nothing stored', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  ok(await closeRound(s.store, s.audit, YEAR, 'test'));
  const before = await snapshot(s);
  const res = await s.app.request(`/s/${token}?lang=en`);
  assert.is(res.status, 410);
  assert.match(mainText(await res.text()), 'has closed');
  assert.is((await post(s, token, fullBallot(s.units))).status, 410);
  await assertUnchanged(s, before, 'closed');
});

// The 410 page tells the person when to come back or that it is over; a time it gives must agree with the clock.
timing('a drawn round never opened whose closing time has passed says it is over, not that it opens on a past date', async () => {
  const s = await openSurvey({ open: false, now: '2026-04-02T02:00:00Z' });
  const res = await s.app.request(`/s/${s.tokens[0] as string}?lang=en`);
  assert.is(res.status, 410);
  const text = mainText(await res.text());
  assert.not.match(text, 'has not started', `after the closing time: ${text}`);
  assert.not.match(text, 'opens on 2026-03-01', 'no opening time in the past offered as a time to come back');
});

timing('a drawn round the office has not opened yet, inside its dates, does not announce an opening time already past', async () => {
  const s = await openSurvey({ open: false });
  const text = mainText(await (await s.app.request(`/s/${s.tokens[0] as string}?lang=en`)).text());
  assert.not.match(text, 'opens on 2026-03-01 00:00', `it is 2026-03-10: ${text}`);
});

timing('a round closed early by the office does not claim it closed at its (future) closing time', async () => {
  const s = await openSurvey();
  ok(await closeRound(s.store, s.audit, YEAR, 'test'));
  const text = mainText(await (await s.app.request(`/s/${s.tokens[0] as string}?lang=en`)).text());
  assert.match(text, 'has closed');
  assert.not.match(text, 'closed on 2026-03-31 00:00', `it is 2026-03-10: ${text}`);
});

// ---------------------------------------------------------------------------------------------------------------
const tokens = suite('links that do not work (404) or were used (409)');

async function assertDead(s: Survey, token: string, what: string) {
  const before = await snapshot(s);
  const get = await s.app.request(`/s/${token}`);
  assert.is(get.status, 404, `${what}: GET`);
  assert.match(mainText(await get.text()), '链接无效', `${what}: says the link does not work`);
  assert.is((await post(s, token, fullBallot(s.units))).status, 404, `${what}: POST`);
  await assertUnchanged(s, before, what);
}

tokens('an unknown token of the right shape', async () => {
  const s = await openSurvey();
  await assertDead(s, 'AAAAAAAAAAAAAAAAAAAAAA', 'unknown');
  const real = s.tokens[0] as string;
  const flipped = (real[0] === 'a' ? 'b' : 'a') + real.slice(1);
  await assertDead(s, flipped, 'one character changed');
});

tokens('malformed tokens: too short, too long (23), bad characters, encoded junk', async () => {
  const s = await openSurvey();
  const real = s.tokens[0] as string;
  for (const [what, token] of [
    ['short', real.slice(0, 21)],
    ['23 chars', `${real}A`],
    ['bad characters', `${real.slice(0, 20)}+=`],
    ['dots', '......................'],
    ['encoded', encodeURIComponent(`${real.slice(0, 10)}/../${real.slice(0, 8)}`)],
    ['unicode', encodeURIComponent('链接链接链接链接链接链接链接链接链接链接链接')],
  ] as const) {
    await assertDead(s, token, what);
  }
  assert.is(await usedOn(s, real), null);
});

tokens('a foreign token: made with another secret, or for another year', async () => {
  const s = await openSurvey();
  const code = s.seats[0]?.code as string;
  await assertDead(s, linkToken('another-installation-secret-0123456789', YEAR, code, 1), 'other secret');
  await assertDead(s, linkToken(SECRET, YEAR - 1, code, 1), 'other year');
  const reserve = s.pool.find((p) => !s.seats.some((x) => x.code === p.code))?.code as string;
  await assertDead(s, s.tokenOf(reserve), 'a reserve not (yet) seated');
});

tokens('a re-issued link: the old token is dead, the new one works', async () => {
  const s = await openSurvey();
  const { code, token: old } = s.seats[0] as { code: string; token: string };
  const { generation } = ok(await reissueLink(s.db, s.audit, { year: YEAR, code, secret: SECRET }, 'test'));
  assert.is(generation, 2);
  await assertDead(s, old, 're-issued');
  const fresh = s.tokenOf(code, 2);
  assert.is((await s.app.request(`/s/${fresh}`)).status, 200);
  assert.is((await post(s, fresh, fullBallot(s.units))).status, 303);
  assert.is((await post(s, old, fullBallot(s.units))).status, 404, 'the old token stays dead after the new one is used');
});

tokens("a replaced representative's link is dead; the reserve's link works", async () => {
  const s = await openSurvey();
  const { code, token: old } = s.seats[1] as { code: string; token: string };
  const out = ok(await replaceMember(s.db, s.audit, { year: YEAR, code, reason: '因病无法参加', secret: SECRET, timeZone: 'Asia/Shanghai' }, 'test'));
  await assertDead(s, old, 'replaced');
  const theirs = s.tokenOf(out.in);
  assert.is((await s.app.request(`/s/${theirs}`)).status, 200);
  assert.is((await post(s, theirs, fullBallot(s.units))).status, 303);
  assert.is(await usedOn(s, theirs), '2026-03-10');
});

tokens('a used token answers 409 to GET and POST and stores nothing more', async () => {
  const s = await openSurvey();
  const token = s.tokens[0] as string;
  assert.is((await post(s, token, fullBallot(s.units))).status, 303);
  const before = await snapshot(s);
  assert.is((await s.app.request(`/s/${token}`)).status, 409);
  assert.is(
    (
      await post(
        s,
        token,
        fullBallot(s.units, () => 'dissatisfied'),
      )
    ).status,
    409,
  );
  assert.is((await post(s, token, '')).status, 409, 'even a malformed submission on a used link');
  await assertUnchanged(s, before, 'reused');
});

tokens('the thank-you page shows a receipt only from a well-formed cookie, never from the address', async () => {
  const s = await openSurvey();
  for (const [q, cookie] of [
    ['', ''],
    ['?receipt=K7QM-2XDA', ''],
    ['', 'receipt='],
    ['', 'receipt=abcd-efgh'],
    ['', 'receipt=K7QM-2XDA-X'],
    ['', 'receipt=<script>'],
  ]) {
    const res = await s.app.request(`/thanks${q}`, { headers: { cookie: cookie as string } });
    assert.is(res.status, 200, `${q} ${cookie}`);
    const html = await res.text();
    assert.not.match(html, 'id="receipt"', `${q} ${cookie}: no receipt`);
    assert.not.match(html, '<script>', 'nothing echoed');
  }
  assert.match(await (await s.app.request('/thanks', { headers: { cookie: 'receipt=K7QM-2XDA' } })).text(), '<p class="receipt" id="receipt">K7QM-2XDA</p>');
});

answers.run();
score.run();
bodies.run();
timing.run();
tokens.run();
