// The representative's side in a real browser (Chromium at 360×740): open a link, tap answers, reload halfway,
// submit, see the receipt; the link then refuses another ballot. Also with 大字 on, with JavaScript off (the 422
// path), and axe-core on every kind of survey page. Screenshots: artifacts/e2e/survey-*.png.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { fontSize, newContext, PHONE, shot, smallTargets, startCity, watchErrors, type City, assertAxeClean, assertNoSidewaysScroll } from './e2e-fixture.js';

const CHOICES = ['satisfied', 'basic', 'dissatisfied', 'unknown'] as const;
const RECEIPT = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;

let city: City;
let tokens: string[] = [];
/** Each test takes its own never-used link. */
const nextToken = () => {
  const t = tokens.shift();
  if (!t) throw new Error('out of unused links');
  return t;
};

/** The unit codes of the form's fieldsets, in the order the page shows them. */
async function unitOrder(page: Page): Promise<string[]> {
  return page.$$eval('fieldset.unit', (els) => els.map((el) => el.id.replace(/^unit-/, '')));
}

/** The answer button (a label around a radio) for one unit and one value of the form's contract (`u.{code}`). */
function choiceLabel(page: Page, code: string, choice: string): Locator {
  return page.locator(`fieldset#unit-${code} label.choice:has(input[type=radio][value="${choice}"])`);
}

async function checkedAnswers(page: Page): Promise<Record<string, string>> {
  return page.$$eval('fieldset.unit', (els) =>
    Object.fromEntries(
      els.flatMap((el) => {
        const checked = el.querySelector<HTMLInputElement>('input[type=radio]:checked');
        return checked ? [[el.id.replace(/^unit-/, ''), checked.value]] : [];
      }),
    ),
  );
}

async function storedAnswers(receipt: string): Promise<Record<string, string>> {
  const row = await city.db.selectFrom('ballots').select('answers').where('receipt', '=', receipt).executeTakeFirst();
  assert.ok(row, `no ballot stored with receipt ${receipt}`);
  return JSON.parse(row.answers) as Record<string, string>;
}

/** Taps the send button and waits for the page that answers (the 422 form, or the thank-you page after the 303). */
async function submitForm(page: Page) {
  const committed = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/s/'));
  await page.locator('button.send').tap();
  const [res] = await Promise.all([posted, committed]);
  await page.waitForLoadState('load');
  return res;
}

/** Ticks answers through the DOM, for the parts of a test where tapping forty buttons is not the point. */
async function tickAll(page: Page, answers: Record<string, string>) {
  await page.evaluate((a) => {
    for (const [code, value] of Object.entries(a)) {
      const input = document.querySelector<HTMLInputElement>(`fieldset#unit-${code} input[type=radio][value="${value}"]`);
      if (input) input.checked = true;
    }
  }, answers);
}

// ---------------------------------------------------------------------------------------------------------------

const Phone = suite('survey on a 360 px phone with JavaScript');
let phone: BrowserContext;
let page: Page;
let errors: string[] = [];
let token = '';
let order: string[] = [];
const given: Record<string, string> = {};

Phone.before(async () => {
  city = await startCity();
  tokens = await city.unusedTokens();
  phone = await newContext(city, PHONE);
  page = await phone.newPage();
  errors = watchErrors(page);
  token = nextToken();
});
Phone.after(async () => {
  await phone?.close();
});

Phone('the form opens, fits 360 px, and its text and answer buttons are large enough', async () => {
  const res = await page.goto(`${city.base}/s/${token}`);
  assert.is(res?.status(), 200);
  order = await unitOrder(page);
  assert.ok(order.length >= 30, `the form shows ${order.length} units`);
  await assertNoSidewaysScroll(page, 'the survey form');
  const body = await fontSize(page, 'body');
  assert.ok(body >= 16, `body text is ${body} px`);
  assert.ok((await fontSize(page, 'label.choice span')) >= 16, 'answer text under 16 px');
  const lineHeight = await page.$eval('body', (el) => parseFloat(getComputedStyle(el).lineHeight) / parseFloat(getComputedStyle(el).fontSize));
  assert.ok(lineHeight >= 1.3, `line height ${lineHeight}`);
  const labels = await page.$$eval('label.choice', (els) => els.map((el) => el.getBoundingClientRect()).map((r) => [r.width, r.height]));
  assert.is(labels.length, order.length * 4);
  const small = labels.filter(([w, h]) => (w as number) < 44 || (h as number) < 44);
  assert.is(small.length, 0, `answer labels under 44×44: ${JSON.stringify(small.slice(0, 5))}`);
  await shot(page, 'survey-01-form-top', { fullPage: false });
});

Phone('every tap target on the form is at least 44×44 px', async () => {
  const small = await smallTargets(page, 44);
  assert.equal(small, [], `tap targets under 44×44 on the survey form: ${JSON.stringify(small)}`);
});

Phone('axe: the survey form', () => assertAxeClean(page, `/s/{token}`));

Phone('half the answers, and a comment, survive a reload', async () => {
  const half = Math.floor(order.length / 2);
  for (let i = 0; i < half; i++) {
    const code = order[i] as string;
    const choice = CHOICES[i % 4] as string;
    await choiceLabel(page, code, choice).tap();
    given[code] = choice;
  }
  const first = order[0] as string;
  await page.locator(`fieldset#unit-${first} details.unit-comment summary`).tap();
  await page.locator(`fieldset#unit-${first} textarea`).fill('窗口办事排队时间较长。');
  const progress = page.locator('#progress');
  assert.is((await progress.textContent())?.trim(), `已答 ${half} / ${order.length} 项`);
  await page.locator(`fieldset#unit-${order[half - 1]}`).scrollIntoViewIfNeeded();
  await shot(page, 'survey-02-half-answered', { fullPage: false });

  await page.reload();
  assert.equal(await checkedAnswers(page), given, 'the answers after the reload differ from those tapped');
  assert.is((await progress.textContent())?.trim(), `已答 ${half} / ${order.length} 项`);
  assert.is(await page.locator(`fieldset#unit-${first} textarea`).inputValue(), '窗口办事排队时间较长。');
  assert.ok(
    await page.locator(`fieldset#unit-${first} details.unit-comment`).evaluate((d) => (d as HTMLDetailsElement).open),
    'the comment box is closed again',
  );
  assert.is(await page.locator('fieldset.unit.answered').count(), half);
  await shot(page, 'survey-03-after-reload', { fullPage: false });
});

Phone('all answered: the progress says so; the ballot is sent and the receipt shown', async () => {
  for (let i = 0; i < order.length; i++) {
    const code = order[i] as string;
    if (given[code]) continue;
    const choice = CHOICES[(i + 1) % 4] as string;
    await choiceLabel(page, code, choice).tap();
    given[code] = choice;
  }
  const progress = page.locator('#progress');
  assert.is((await progress.textContent())?.trim(), `已答 ${order.length} / ${order.length} 项`);
  assert.ok(await progress.evaluate((el) => el.classList.contains('complete')), 'the progress bar is not marked complete');
  await page.locator('button.send').scrollIntoViewIfNeeded();
  await shot(page, 'survey-04-all-answered', { fullPage: false });
  await shot(page, 'survey-04b-whole-form');

  const res = await submitForm(page);
  assert.is(res.status(), 303);
  assert.match(page.url(), /\/thanks$/, 'the receipt is not in the address');
  const receipt = ((await page.locator('#receipt').textContent()) ?? '').trim();
  assert.match(receipt, RECEIPT);
  assert.equal(
    await page
      .context()
      .cookies()
      .then((cs) => cs.filter((c) => c.name === 'receipt')),
    [],
    'and its cookie is gone once shown',
  );
  await assertNoSidewaysScroll(page, 'the thank-you page');
  assert.equal(await storedAnswers(receipt), given, 'the stored ballot is not what was tapped');
  const drafts = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('pingyi:s:')));
  assert.equal(drafts, [], 'the draft answers stay on the phone after the ballot was sent');
  await shot(page, 'survey-05-receipt', { fullPage: false });
});

Phone('axe: the thank-you page', () => assertAxeClean(page, '/thanks'));

Phone('the link then refuses another ballot (409), by GET and by POST', async () => {
  const res = await page.goto(`${city.base}/s/${token}`);
  assert.is(res?.status(), 409);
  assert.is((await page.locator('h1').textContent())?.trim(), '此链接已经提交过');
  assert.is(await page.locator('form#survey').count(), 0);
  await assertNoSidewaysScroll(page, 'the 409 page');
  await shot(page, 'survey-06-used-link', { fullPage: false });
  const again = await fetch(`${city.base}/s/${token}`, {
    method: 'POST',
    body: order.map((c) => `u.${c}=satisfied`).join('&'),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  assert.is(again.status, 409);
});

Phone('axe: the used-link page (409)', () => assertAxeClean(page, '/s/{used token} (409)'));

Phone('no console errors on the way', () => {
  // Chromium logs the 409 answer to a GET as a failed resource; anything else is a fault.
  assert.equal(
    errors.filter((e) => !/status of 409/.test(e)),
    [],
  );
});

Phone.run();

// ---------------------------------------------------------------------------------------------------------------

const Large = suite('survey in 大字 (large text) mode');
let large: BrowserContext;
let lp: Page;

Large.before(async () => {
  large = await newContext(city, PHONE);
  lp = await large.newPage();
});
Large.after(async () => {
  await large?.close();
});

Large('body text ≥ 22 px, every tap target ≥ 60×60 px, nothing scrolls sideways', async () => {
  const res = await lp.goto(`${city.base}/s/${nextToken()}?text=large`);
  assert.is(res?.status(), 200);
  assert.ok(await lp.locator('html.large-text').count(), 'the large-text class is missing');
  assert.ok((await fontSize(lp, 'body')) >= 22, `body text is ${await fontSize(lp, 'body')} px`);
  assert.ok((await fontSize(lp, 'label.choice span')) >= 22, 'answer text under 22 px');
  const labels = await lp.$$eval('label.choice', (els) => els.map((el) => el.getBoundingClientRect()).map((r) => [r.width, r.height]));
  const small = labels.filter(([w, h]) => (w as number) < 60 || (h as number) < 60);
  assert.is(small.length, 0, `answer labels under 60×60: ${JSON.stringify(small.slice(0, 5))}`);
  assert.equal(await smallTargets(lp, 60), [], 'tap targets under 60×60 in large-text mode');
  await assertNoSidewaysScroll(lp, 'the survey form in large-text mode');
  await shot(lp, 'survey-07-large-text', { fullPage: false });
});

Large('axe: the survey form in large-text mode', () => assertAxeClean(lp, '/s/{token}?text=large'));

Large('the switch is remembered: the next page is large too', async () => {
  await lp.goto(`${city.base}/about`);
  assert.ok((await fontSize(lp, 'body')) >= 22, 'large text is not remembered');
});

Large.run();

// ---------------------------------------------------------------------------------------------------------------

const NoJs = suite('survey with JavaScript off');
let nojs: BrowserContext;
let np: Page;
let left = '';
const answers: Record<string, string> = {};

NoJs.before(async () => {
  nojs = await newContext(city, { ...PHONE, javaScriptEnabled: false });
  np = await nojs.newPage();
});
NoJs.after(async () => {
  await nojs?.close();
});

NoJs('a unit left out gets a 422 with the problem marked and the other answers kept', async () => {
  await np.goto(`${city.base}/s/${nextToken()}`);
  const units = await unitOrder(np);
  assert.ok(await np.locator('#progress').isHidden(), 'the progress line shows without JavaScript');
  left = units[units.length - 3] as string;
  for (const [i, code] of units.entries()) if (code !== left) answers[code] = CHOICES[i % 4] as string;
  // A few real taps (labels work without script), the rest ticked directly.
  for (const code of units.slice(0, 3)) await choiceLabel(np, code, answers[code] as string).tap();
  await tickAll(np, answers);
  const refused = await submitForm(np);
  assert.is(refused.status(), 422);
  const problems = np.locator('#problems');
  assert.ok(await problems.isVisible(), 'no list of problems');
  const leftName = ((await np.locator(`fieldset#unit-${left} legend`).textContent()) ?? '').trim();
  assert.match((await problems.textContent()) ?? '', leftName);
  assert.ok(await np.locator(`fieldset#unit-${left}.has-error .field-error`).isVisible(), 'the left-out unit is not marked');
  assert.is(await np.locator('fieldset.unit.has-error').count(), 1);
  assert.equal(await checkedAnswers(np), answers, 'answers were lost on the 422 page');
  await assertNoSidewaysScroll(np, 'the 422 page');
  await shot(np, 'survey-08-nojs-422-top', { fullPage: false });
});

NoJs('the problem link leads to the unit; answering it sends the ballot', async () => {
  await np.locator(`#problems a[href="#unit-${left}"]`).tap();
  assert.match(np.url(), new RegExp(`#unit-${left}$`));
  await shot(np, 'survey-09-nojs-422-marked-unit', { fullPage: false });
  await choiceLabel(np, left, 'basic').tap();
  answers[left] = 'basic';
  const sent = await submitForm(np);
  assert.is(sent.status(), 303);
  assert.match(np.url(), /\/thanks$/);
  const receipt = ((await np.locator('#receipt').textContent()) ?? '').trim();
  assert.match(receipt, RECEIPT);
  assert.equal(await storedAnswers(receipt), answers);
  await shot(np, 'survey-10-nojs-receipt', { fullPage: false });
});

NoJs.run();

// ---------------------------------------------------------------------------------------------------------------

const Refusals = suite('unknown and closed links: a clear page that fits 360 px and passes axe');
let rc: BrowserContext;
let rp: Page;

Refusals.before(async () => {
  rc = await newContext(city, PHONE);
  rp = await rc.newPage();
});
Refusals.after(async () => {
  await rc?.close();
  await city?.close();
});

Refusals('an unknown link: 404', async () => {
  const res = await rp.goto(`${city.base}/s/${'A'.repeat(22)}`);
  assert.is(res?.status(), 404);
  assert.is((await rp.locator('h1').textContent())?.trim(), '链接无效');
  await assertNoSidewaysScroll(rp, 'the 404 page');
  await shot(rp, 'survey-11-unknown-link', { fullPage: false });
  await assertAxeClean(rp, '/s/{unknown} (404)');
});

Refusals('a link of a closed round: 410', async () => {
  const [closed] = await city.unusedTokens(city.pastYears[city.pastYears.length - 1]);
  const res = await rp.goto(`${city.base}/s/${closed}`);
  assert.is(res?.status(), 410);
  assert.is((await rp.locator('h1').textContent())?.trim(), '测评已经结束');
  await assertNoSidewaysScroll(rp, 'the 410 page');
  await shot(rp, 'survey-12-closed-round', { fullPage: false });
  await assertAxeClean(rp, '/s/{closed round} (410)');
});

Refusals('the 422 form (with JavaScript, as most will see it)', async () => {
  await rp.goto(`${city.base}/s/${nextToken()}`);
  const [first] = await unitOrder(rp);
  await choiceLabel(rp, first as string, 'satisfied').tap();
  const res = await submitForm(rp);
  assert.is(res.status(), 422);
  assert.is(await rp.evaluate(() => document.activeElement?.id), 'problems', 'the list of problems does not take the focus');
  await assertNoSidewaysScroll(rp, 'the 422 page');
  await assertAxeClean(rp, '/s/{token} (422)');
});

Refusals('a problem link shows the unit it names, not hidden under the sticky progress bar', async () => {
  const link = rp.locator('#problems a').nth(5);
  const target = (await link.getAttribute('href')) ?? '';
  await link.tap();
  await rp.waitForFunction((h) => location.hash === h, target);
  const { legendTop, barBottom } = await rp.evaluate((h) => {
    const legend = document.querySelector(`${h} legend`)?.getBoundingClientRect();
    const bar = document.getElementById('progress')?.getBoundingClientRect();
    return { legendTop: legend?.top ?? 0, barBottom: bar && bar.height > 0 ? bar.bottom : 0 };
  }, target);
  await shot(rp, 'survey-13-problem-link-js', { fullPage: false });
  assert.ok(
    legendTop >= barBottom,
    `after following ${target} the unit's name (legend top ${legendTop.toFixed(0)} px) is under the sticky progress bar (bottom ${barBottom.toFixed(0)} px)`,
  );
});

Refusals.run();
