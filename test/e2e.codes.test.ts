// The 测评码 in a real browser (Chromium at 360×740), as a representative with a letter or an SMS uses it: open
// `/k`, type the code as read (lower case, spaces, an O for a 0), reach the seat's own form, answer, send, see
// the receipt; with JavaScript off, in 大字 mode and with WeChat's user agent too. Screenshots:
// artifacts/e2e/codes-*.png.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import { groupedCode, linkCode } from '../server/links/codes.js';
import { assertAxeClean, assertNoSidewaysScroll, fontSize, newContext, PHONE, shot, smallTargets, startCity, watchErrors, type City } from './e2e-fixture.js';

const RECEIPT = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;
// WeChat's built-in browser on Android (XWEB): nothing may depend on the browser's name.
const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 12; V2171A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5061 MMWEBSDK/20230202 MMWEBID/1234 MicroMessenger/8.0.33.2320(0x28002151) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';

let city: City;
/** Seats of the open round nobody has used yet, as (pool code, 测评码). */
let seats: { code: string; typed: string }[] = [];

/** The code as a person might type it from a letter: lower case, spaces between the groups, a letter O for each 0. */
function asTyped(code: string): string {
  return groupedCode(code).replace(/-/g, ' ').toLowerCase().replace(/0/g, 'o');
}

function nextSeat() {
  const s = seats.shift();
  if (!s) throw new Error('out of unused seats');
  return s;
}

/** Types the code into `/k`'s one box and sends it by the button; resolves when the seat's form has loaded. */
async function typeCode(page: Page, typed: string) {
  await page.goto(`${city.base}/k`);
  await page.locator('#code').tap();
  await page.locator('#code').fill(typed);
  await Promise.all([page.waitForURL(/\/k\/[0-9A-Z]{16}$/), page.locator('form[action="/k"] button[type=submit]').tap()]);
  await page.waitForLoadState('load');
}

/** Ticks the first answer of every row of the form, then sends it; resolves to the receipt shown. */
async function answerAndSend(page: Page): Promise<string> {
  await page.$$eval('fieldset.unit', (sets) => {
    for (const set of sets) {
      const names = new Set([...set.querySelectorAll<HTMLInputElement>('input[type=radio]')].map((i) => i.name));
      for (const name of names) set.querySelector<HTMLInputElement>(`input[type=radio][name="${name}"][value="satisfied"]`)!.checked = true;
    }
  });
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && /\/k\/[0-9A-Z]{16}$/.test(r.url()));
  await page.locator('button.send').tap();
  assert.is((await posted).status(), 303, 'the ballot sent from the code’s form is cast');
  await page.waitForURL(/\/thanks$/);
  const receipt = ((await page.locator('#receipt').textContent()) ?? '').trim();
  assert.match(receipt, RECEIPT);
  return receipt;
}

async function ballotStored(receipt: string) {
  const row = await city.db.selectFrom('ballots').select('stratum').where('receipt', '=', receipt).executeTakeFirst();
  assert.ok(row, `no ballot with receipt ${receipt}`);
}

const Codes = suite('测评码 on a 360 px phone');
let ctx: BrowserContext;
let page: Page;
let errors: string[] = [];

Codes.before(async () => {
  city = await startCity();
  const rows = await city.db
    .selectFrom('round_links')
    .innerJoin('rounds', 'rounds.id', 'round_links.round_id')
    .select(['round_links.code', 'round_links.generation'])
    .where('rounds.year', '=', city.thisYear)
    .where('round_links.active', '=', 1)
    .where('round_links.used_on', 'is', null)
    .orderBy('round_links.code')
    .limit(10)
    .execute();
  seats = rows.map((r) => ({ code: r.code, typed: asTyped(linkCode(city.config.secret, city.thisYear, r.code, r.generation)) }));
  ctx = await newContext(city, PHONE);
  page = await ctx.newPage();
  errors = watchErrors(page);
});
Codes.after(async () => {
  await ctx?.close();
});

Codes('/k: one large box and a large button, nothing sideways, axe clean', async () => {
  const res = await page.goto(`${city.base}/k`);
  assert.is(res?.status(), 200);
  const box = await page.locator('#code').boundingBox();
  assert.ok(box && box.width >= 280 && box.height >= 44, `the box is ${JSON.stringify(box)}`);
  assert.equal(await smallTargets(page, 44), [], 'tap targets under 44×44 on /k');
  await assertNoSidewaysScroll(page, '/k');
  await assertAxeClean(page, '/k');
  await shot(page, 'codes-01-entry', { fullPage: false });
});

Codes('a code typed in lower case with spaces and an O for a 0 opens the seat’s form, and its ballot is cast', async () => {
  const seat = nextSeat();
  await typeCode(page, seat.typed);
  assert.ok((await page.locator('fieldset.unit').count()) > 10, 'the form with every unit');
  await assertNoSidewaysScroll(page, 'the form at /k/{code}');
  await shot(page, 'codes-02-form', { fullPage: false });
  await ballotStored(await answerAndSend(page));
  await shot(page, 'codes-03-receipt', { fullPage: false });
  assert.equal(errors, []);
  // The same code again: the seat has answered (409, as by its link), and no form is offered.
  const again = page.waitForResponse((r) => /\/k\/[0-9A-Z]{16}$/.test(r.url()));
  await typeCode(page, seat.typed);
  assert.is((await again).status(), 409);
  assert.is(await page.locator('fieldset.unit').count(), 0, 'no form for a seat that has answered');
});

Codes('a code that cannot be one is shown again with what is wrong, 422, at 360 px', async () => {
  await page.goto(`${city.base}/k`);
  await page.locator('#code').fill('K7QM-2XDA-9KTR');
  // The answer, and the page it loads: asserting on the answer alone could look at the page before it.
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/k?code=')),
    page.waitForURL(/\/k\?code=/, { waitUntil: 'load' }),
    page.locator('form[action="/k"] button[type=submit]').tap(),
  ]);
  assert.is(res.status(), 422);
  assert.ok(await page.locator('#code-error').isVisible(), 'no message');
  assert.is(await page.locator('#code').inputValue(), 'K7QM-2XDA-9KTR', 'what was typed is kept');
  await assertNoSidewaysScroll(page, 'the refused code');
  await shot(page, 'codes-04-refused', { fullPage: false });
});

Codes('大字 mode: the box and its button stay large', async () => {
  await page.goto(`${city.base}/k?text=large`);
  assert.ok((await fontSize(page, '#code')) >= 22, `the box's text is ${await fontSize(page, '#code')} px`);
  assert.equal(await smallTargets(page, 60), [], 'tap targets under 60×60 in large-text mode');
  await assertNoSidewaysScroll(page, '/k in large-text mode');
  await shot(page, 'codes-05-large', { fullPage: false });
});

Codes.run();

const Plain = suite('测评码 with JavaScript off, and in WeChat');
Plain.after(async () => {
  await city?.close();
});

Plain('with JavaScript off and WeChat’s user agent, typing the code and sending the form casts the ballot', async () => {
  for (const [label, opts] of [
    ['nojs', { ...PHONE, javaScriptEnabled: false }],
    ['wechat', { ...PHONE, userAgent: WECHAT_UA }],
  ] as const) {
    const c = await newContext(city, opts);
    try {
      const p = await c.newPage();
      await typeCode(p, nextSeat().typed);
      await ballotStored(await answerAndSend(p));
      await shot(p, `codes-06-${label}-receipt`, { fullPage: false });
    } finally {
      await c.close();
    }
  }
});

Plain.run();
