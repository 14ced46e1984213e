// A round with a ballot design in a real browser (Chromium at 360×740): three indicators, strata weights and
// reasons for 不满意 (docs/SPEC.md, The ballot). With JavaScript, in English: a row of answers per indicator, no
// label broken inside a word, the reasons shown as soon as an answer is 不满意 and kept over a reload. Without
// JavaScript: the reasons as a second step, nothing lost. Screenshots: artifacts/e2e/design-*.png.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import { DEMO_DESIGN } from '../server/demo/rounds.js';
import {
  assertAxeClean,
  assertNoSidewaysScroll,
  brokenWords,
  newContext,
  paintedCanvases,
  PHONE,
  shot,
  smallTargets,
  startCity,
  watchErrors,
  type City,
} from './e2e-fixture.js';

const KEYS = ['law', 'service', 'efficiency'];
const RECEIPT = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;

let city: City;
/** Unused seats of the current round: each test takes its own. */
let seats: { token: string; stratum: string }[] = [];
const nextSeat = () => {
  const s = seats.shift();
  if (!s) throw new Error('out of unused links');
  return s;
};

async function unitOrder(page: Page): Promise<string[]> {
  return page.$$eval('form#survey fieldset.unit', (els) => els.map((el) => el.id.replace(/^unit-/, '')));
}

const radio = (code: string, key: string, value: string) => `fieldset#item-${code}\\.${key} label.choice:has(input[value="${value}"])`;

/** Every answer of the form (by field name) and every reason ticked, as the page holds them. */
async function formState(page: Page): Promise<{ answers: Record<string, string>; reasons: Record<string, string[]> }> {
  return page.$eval('form', (form) => {
    const answers: Record<string, string> = {};
    const reasons: Record<string, string[]> = {};
    for (const el of form.querySelectorAll<HTMLInputElement>('input:checked')) {
      if (el.name.startsWith('u.')) answers[el.name] = el.value;
      if (el.name.startsWith('r.')) reasons[el.name] = [...(reasons[el.name] ?? []), el.value];
    }
    return { answers, reasons };
  });
}

/** Ticks answers through the DOM (`u.{code}.{key}` → value), then lets the page's script see one change. */
async function tickAll(page: Page, answers: Record<string, string>) {
  await page.evaluate((a) => {
    for (const [name, value] of Object.entries(a)) {
      const input = document.querySelector<HTMLInputElement>(`input[name="${CSS.escape(name)}"][value="${value}"]`);
      if (input) input.checked = true;
    }
    document.querySelector('form')?.dispatchEvent(new Event('change', { bubbles: true }));
  }, answers);
}

async function submit(page: Page) {
  const committed = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/s/'));
  await page.locator('button.send').tap();
  const [res] = await Promise.all([posted, committed]);
  await page.waitForLoadState('load');
  return res;
}

async function stored(receipt: string) {
  const row = await city.db.selectFrom('ballots').select(['answers', 'reasons', 'stratum']).where('receipt', '=', receipt).executeTakeFirst();
  assert.ok(row, `no ballot stored with receipt ${receipt}`);
  return { answers: JSON.parse(row.answers) as Record<string, string[]>, reasons: row.reasons === null ? null : JSON.parse(row.reasons), stratum: row.stratum };
}

/** Answers as stored (per unit, in the order of the indicators) from the form's fields. */
function asStored(answers: Record<string, string>, order: string[]): Record<string, string[]> {
  return Object.fromEntries(order.map((code) => [code, KEYS.map((k) => answers[`u.${code}.${k}`] as string)]));
}

// ---------------------------------------------------------------------------------------------------------------

const Phone = suite('a three-indicator round on a 360 px phone with JavaScript, in English');
let phone: BrowserContext;
let page: Page;
let errors: string[] = [];
let seat = { token: '', stratum: '' };
let order: string[] = [];
const given: Record<string, string> = {};

Phone.before(async () => {
  city = await startCity({ design: DEMO_DESIGN });
  const rows = await city.db
    .selectFrom('round_links')
    .innerJoin('rounds', 'rounds.id', 'round_links.round_id')
    .innerJoin('round_pool', (j) => j.onRef('round_pool.round_id', '=', 'round_links.round_id').onRef('round_pool.code', '=', 'round_links.code'))
    .select(['round_links.code', 'round_links.generation', 'round_pool.stratum'])
    .where('rounds.year', '=', city.thisYear)
    .where('round_links.active', '=', 1)
    .where('round_links.used_on', 'is', null)
    .orderBy('round_links.code')
    .execute();
  seats = rows.map((r) => ({ token: city.tokenOf(city.thisYear, r.code, r.generation), stratum: r.stratum }));
  phone = await newContext(city, { ...PHONE, locale: 'en' });
  page = await phone.newPage();
  errors = watchErrors(page);
  seat = nextSeat();
});
Phone.after(async () => {
  await phone?.close();
});

Phone('each unit holds a row of answers per indicator; nothing breaks inside a word or scrolls sideways', async () => {
  const res = await page.goto(`${city.base}/s/${seat.token}?lang=en`);
  assert.is(res?.status(), 200);
  order = await unitOrder(page);
  assert.ok(order.length >= 30, `the form shows ${order.length} units`);
  assert.is(await page.locator('fieldset.item').count(), order.length * 3);
  assert.equal(await page.$$eval(`fieldset#unit-${order[0]} fieldset.item legend`, (els) => els.map((e) => e.textContent)), [
    '依法办事',
    '服务质量',
    '办事效率',
  ]);
  assert.equal(await brokenWords(page, 'label.choice span, legend'), [], 'a label broken inside a word');
  await assertNoSidewaysScroll(page, 'the form with indicators');
  assert.equal(await smallTargets(page, 44), [], 'tap targets under 44×44');
  await shot(page, 'design-01-form-en', { fullPage: false });
});

Phone('axe: the form with indicators', () => assertAxeClean(page, '/s/{token} with indicators'));

Phone('a 不满意 answer shows that unit’s reasons; taking it back removes them; progress counts every answer', async () => {
  const [first] = order as [string];
  await page.locator(radio(first, 'law', 'satisfied')).tap();
  await page.locator(radio(first, 'service', 'dissatisfied')).tap();
  const reasons = page.locator(`fieldset#unit-${first} fieldset.reasons`);
  assert.is(await reasons.count(), 1, 'no reasons after 不满意');
  assert.equal(await reasons.locator('input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).name)), Array(4).fill(`r.${first}`));
  assert.is(await page.locator('fieldset.reasons').count(), 1, 'reasons shown for a unit without 不满意');
  assert.equal(await brokenWords(page, `fieldset#unit-${first} label.choice span, fieldset#unit-${first} legend`), []);
  await assertNoSidewaysScroll(page, 'the reasons');
  await page.locator(radio(first, 'service', 'basic')).tap();
  assert.is(await reasons.count(), 0, 'the reasons stay after the 不满意 was taken back');
  await page.locator(radio(first, 'service', 'dissatisfied')).tap();
  await page.locator(`fieldset#unit-${first} label.reason:has(input[value="2"])`).tap();
  assert.is((await page.locator('#progress').textContent())?.trim(), `2 of ${order.length * 3} answered`);
  await shot(page, 'design-02-reasons-en', { fullPage: false });
  Object.assign(given, { [`u.${first}.law`]: 'satisfied', [`u.${first}.service`]: 'dissatisfied' });
});

Phone('a reload keeps the answers and the reason ticked', async () => {
  await page.reload();
  const state = await formState(page);
  assert.equal(state.answers, given);
  assert.equal(state.reasons, { [`r.${order[0]}`]: ['2'] });
});

Phone('all answered, the ballot is stored with its reasons and its seat’s stratum only', async () => {
  const choices = ['satisfied', 'basic', 'unknown'];
  order.forEach((code, i) => {
    for (const [k, key] of KEYS.entries()) given[`u.${code}.${key}`] ??= choices[(i + k) % 3] as string;
  });
  await tickAll(page, given);
  assert.is((await page.locator('#progress').textContent())?.trim(), `${order.length * 3} of ${order.length * 3} answered`);
  const res = await submit(page);
  assert.is(res.status(), 303);
  const receipt = ((await page.locator('#receipt').textContent()) ?? '').trim();
  assert.match(receipt, RECEIPT);
  const ballot = await stored(receipt);
  assert.equal(ballot.answers, asStored(given, order));
  assert.equal(ballot.reasons, { [order[0] as string]: [2] });
  assert.is(ballot.stratum, seat.stratum);
});

Phone('axe: the reasons step (reached with the script’s own field taken out)', async () => {
  const other = await phone.newPage();
  await other.goto(`${city.base}/s/${nextSeat().token}?lang=en`);
  const codes = await unitOrder(other);
  await tickAll(other, Object.fromEntries(codes.flatMap((code, i) => KEYS.map((key) => [`u.${code}.${key}`, i === 0 ? 'dissatisfied' : 'satisfied']))));
  await other.evaluate(() => document.querySelector('input[name="reasonsAsked"]')?.remove());
  assert.is((await submit(other)).status(), 200);
  assert.is(await other.locator('form#survey-reasons fieldset.reasons').count(), 1);
  assert.equal(await brokenWords(other, 'label.choice span, legend, button'), []);
  await assertAxeClean(other, 'the reasons step');
  await shot(other, 'design-04-reasons-step-en', { fullPage: false });
  await other.close();
});

Phone('no console errors on the way', () => {
  assert.equal(errors, []);
});

Phone.run();

// ---------------------------------------------------------------------------------------------------------------

const NoJs = suite('a three-indicator round with JavaScript off: the reasons as a second step');
let nojs: BrowserContext;
let np: Page;
const answers: Record<string, string> = {};
let units: string[] = [];

NoJs.before(async () => {
  nojs = await newContext(city, { ...PHONE, javaScriptEnabled: false });
  np = await nojs.newPage();
});
NoJs.after(async () => {
  await nojs?.close();
});

NoJs('a ballot with a 不满意 answer asks for reasons before it is cast, every answer carried along', async () => {
  const s = nextSeat();
  await np.goto(`${city.base}/s/${s.token}`);
  units = await unitOrder(np);
  units.forEach((code, i) => {
    for (const [k, key] of KEYS.entries()) answers[`u.${code}.${key}`] = i === 2 && k === 2 ? 'dissatisfied' : k === 1 ? 'basic' : 'satisfied';
  });
  await tickAll(np, answers);
  const step = await submit(np);
  assert.is(step.status(), 200);
  assert.is(await np.locator('form#survey-reasons fieldset.unit').count(), 1);
  assert.match((await np.locator(`fieldset#unit-${units[2]}`).textContent()) ?? '', /办事效率/);
  assert.is(await np.locator('input[type=hidden][name^="u."]').count(), units.length * 3);
  await assertNoSidewaysScroll(np, 'the reasons step');
  await shot(np, 'design-03-nojs-reasons-step', { fullPage: false });

  await np.locator(`fieldset#unit-${units[2]} label.reason:has(input[value="1"])`).tap();
  await np.locator(`fieldset#unit-${units[2]} label.reason:has(input[value="3"])`).tap();
  const sent = await submit(np);
  assert.is(sent.status(), 303);
  const receipt = ((await np.locator('#receipt').textContent()) ?? '').trim();
  const ballot = await stored(receipt);
  assert.equal(ballot.answers, asStored(answers, units));
  assert.equal(ballot.reasons, { [units[2] as string]: [1, 3] });
  assert.is(ballot.stratum, s.stratum);
});

NoJs.run();

// ---------------------------------------------------------------------------------------------------------------

const Results = suite('the published results of a three-indicator weighted round, at 360 px');
let rp: Page;
let rctx: BrowserContext;

Results.before(async () => {
  rctx = await newContext(city, PHONE);
  rp = await rctx.newPage();
});
Results.after(async () => {
  await rctx?.close();
  await city?.close();
});

Results('the items, reasons and strata show and fit; the grouped chart is drawn', async () => {
  const year = city.thisYear - 1;
  const errs = watchErrors(rp);
  const res = await rp.goto(`${city.base}/results/${year}`);
  assert.is(res?.status(), 200);
  for (const id of ['indicators', 'reasons', 'strata']) assert.ok(await rp.locator(`section#${id}`).isVisible(), `section ${id}`);
  assert.is(await rp.locator('#indicators-table tbody tr').count(), 40);
  assert.ok((await rp.locator('#indicators-table .flag.low').count()) > 0, 'no lowest item marked');
  await assertNoSidewaysScroll(rp, 'the results of a designed round');
  const painted = await paintedCanvases(rp);
  const chart = painted.find((c) => c.id === 'indicators-chart');
  assert.ok(chart && chart.painted > 0.01, `the grouped chart is not drawn: ${JSON.stringify(painted)}`);
  await rp.locator('section#indicators').scrollIntoViewIfNeeded();
  await shot(rp, 'design-05-results-items', { fullPage: false });
  await assertAxeClean(rp, `/results/${year} with a design`);
  assert.equal(errs, []);
});

Results('the check in the browser recomputes the ranking and flags and says they match', async () => {
  const button = rp.locator('#results-check');
  assert.ok(await button.isVisible(), 'the check button stays hidden');
  assert.ok(await rp.locator('#results-check-nojs').isHidden());
  await button.tap();
  const verdict = rp.locator('#results-check-result.ok');
  await verdict.waitFor({ timeout: 15_000 });
  assert.match((await verdict.textContent()) ?? '', /^✓ 完全一致/);
  assert.match((await verdict.textContent()) ?? '', /按 \d{4} 年度公布的结果核对/);
  await verdict.scrollIntoViewIfNeeded();
  await shot(rp, 'design-06-results-check', { fullPage: false });
});

Results.run();
