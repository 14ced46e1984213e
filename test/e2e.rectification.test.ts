// The follow-up in a real browser: the public pages (`/rectification/{year}`, the unit page's follow-up, the link
// from `/results/{year}`) and the console pages (the office's follow-up, the screening page, a unit's plan, the
// liaisons, the liaison's own page), each at 360 px and at desktop width: axe-core finds no serious or critical
// violation, nothing scrolls sideways on the phone, tap targets are ≥ 44 px. A liaison answers a comment and records
// progress with plain forms. Screenshots: artifacts/e2e/followup-*.png.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import { demoFollowUp, demoReply } from '../server/demo/followup.js';
import type { FollowUpDocument } from '../server/rectification/follow-up.js';
import {
  ADMIN,
  assertAxeClean,
  assertNoSidewaysScroll,
  describeTargets,
  DESKTOP,
  newContext,
  PHONE,
  shot,
  smallTargets,
  startCity,
  watchErrors,
  type City,
} from './e2e-fixture.js';

const LIAISON_PASSWORD = 'e2e liaison passphrase';

let city: City;
let year = 0;
const small: string[] = [];
const errors: string[] = [];

async function logIn(page: Page, username: string, password: string, lands: string) {
  await page.goto(`${city.base}/admin/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(`${city.base}${lands}`), page.locator('main form button[type=submit]').click()]);
}

/** Opens a page and runs every check on it; `phone` adds the 360 px checks (no sideways scrolling, tap targets). */
async function check(page: Page, path: string, name: string, phone: boolean) {
  const res = await page.goto(`${city.base}${path}`);
  assert.is(res?.status(), 200, `${path}: status`);
  if (phone) {
    await assertNoSidewaysScroll(page, path);
    small.push(...describeTargets(path, await smallTargets(page, 44)));
  }
  await shot(page, `followup-${name}-${phone ? 'phone' : 'desktop'}`, { fullPage: phone });
  await assertAxeClean(page, `${path} (${phone ? '360 px' : 'desktop'})`);
}

const Public = suite('the public follow-up pages, at 360 px and at desktop width');
let phone: BrowserContext;
let desk: BrowserContext;
let pp: Page;
let dp: Page;

Public.before(async () => {
  city = await startCity();
  year = city.pastYears.at(-1) as number;
  await demoFollowUp(city.db, city.config, { now: new Date(), years: city.pastYears, liaisonPassword: LIAISON_PASSWORD });
  phone = await newContext(city, PHONE);
  desk = await newContext(city, DESKTOP);
  pp = await phone.newPage();
  dp = await desk.newPage();
  errors.push(...watchErrors(pp), ...watchErrors(dp));
});
Public.after(async () => {
  await phone?.close();
  await desk?.close();
});

Public('the demo: replies that answer their comments, plans at every stage, an overdue item, a measure', async () => {
  const doc = async (y: number) => (await (await fetch(`${city.base}/rectification/${y}.json`)).json()) as FollowUpDocument;
  const [latest, earlier] = [await doc(year), await doc(year - 1)];
  const pairs = [latest, earlier].flatMap((d) => d.units.flatMap((u) => u.comments.public));
  assert.ok(pairs.length >= 3, `${pairs.length} public pairs`);
  for (const p of pairs) assert.is(p.reply, demoReply(p.comment), `the reply to ${p.comment}`);
  const statuses = new Set(latest.units.filter((u) => u.bottom3).flatMap((u) => u.items.map((i) => i.status)));
  assert.equal([...statuses].sort(), ['done', 'in_progress', 'planned'], "the latest year's plans");
  assert.ok(
    earlier.units.some((u) => u.items.some((i) => i.overdue)),
    'an overdue item the year before',
  );
  assert.ok(
    latest.units.some((u) => u.bottom3TwoYears && u.measure !== null),
    'a measure recorded for the unit two years running',
  );
});

Public('the results page links to the follow-up beside the flags; the link leads there', async () => {
  await pp.goto(`${city.base}/results/${year}`);
  const link = pp.locator('.followup-link a');
  assert.ok(await link.isVisible(), 'the link is shown');
  await Promise.all([pp.waitForURL(`${city.base}/rectification/${year}`), link.click()]);
});

Public(`/rectification/{year}: the flagged units with their measures, items and answered comments`, async () => {
  for (const isPhone of [true, false]) await check(isPhone ? pp : dp, `/rectification/${year}`, 'year', isPhone);
  const text = (await pp.locator('main').textContent()) ?? '';
  assert.match(text, '领导班子调整', 'the measure recorded for a unit two years running');
  assert.ok((await pp.locator('.followup-unit.flagged').count()) >= 3, 'the bottom three are there');
  await check(pp, `/rectification/${year - 1}?lang=en`, 'earlier-year-en', true);
  assert.ok((await pp.locator('.public-item.overdue').count()) >= 1, 'the earlier year shows an overdue item');
});

Public('large text: nothing scrolls sideways, tap targets ≥ 60 px', async () => {
  await pp.goto(`${city.base}/rectification/${year}?text=large`);
  await assertNoSidewaysScroll(pp, `/rectification/${year}?text=large`);
  const large = describeTargets(`/rectification/${year} (大字)`, await smallTargets(pp, 60));
  assert.ok(large.length === 0, `tap targets under 60×60 in large-text mode:\n${large.join('\n')}`);
  await shot(pp, 'followup-year-large-text', { fullPage: false });
  await pp.goto(`${city.base}/rectification/${year}?text=normal`);
});

Public("/units/{code}: the unit's follow-up across the years", async () => {
  for (const isPhone of [true, false]) await check(isPhone ? pp : dp, '/units/U27', 'unit', isPhone);
  assert.ok((await pp.locator('.unit-followup .followup-unit').count()) >= 2, 'both past years');
});

Public('with JavaScript off the page is complete', async () => {
  const off = await city.browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await off.newPage();
  await page.goto(`${city.base}/rectification/${year}`);
  assert.ok((await page.locator('.followup-unit').count()) >= 3);
  assert.ok((await page.locator('table.followup-summary tbody tr').count()) >= 40, 'every unit in the summary');
  await off.close();
});

Public.run();

// ---------------------------------------------------------------------------------------------------------------
const Console = suite('the console follow-up pages, at 360 px and at desktop width');
let admin: BrowserContext;
let adminDesk: BrowserContext;
let ap: Page;
let adp: Page;

Console.before(async () => {
  admin = await newContext(city, PHONE);
  adminDesk = await newContext(city, DESKTOP);
  ap = await admin.newPage();
  adp = await adminDesk.newPage();
  errors.push(...watchErrors(ap), ...watchErrors(adp));
  await logIn(ap, ADMIN.username, ADMIN.password, '/admin');
  await logIn(adp, ADMIN.username, ADMIN.password, '/admin');
});
Console.after(async () => {
  await admin?.close();
  await adminDesk?.close();
});

for (const [name, path] of [
  ['overview', () => '/admin/rectification'],
  ['year', () => `/admin/rounds/${year}/rectification`],
  ['unit-plan', () => `/admin/units/U27/rectification/${year}`],
  ['screening', () => `/admin/rounds/${year}/comments`],
  ['liaisons', () => '/admin/liaisons'],
] as const) {
  Console(`console: ${name}`, async () => {
    await check(ap, path(), `console-${name}`, true);
    await check(adp, path(), `console-${name}`, false);
  });
}

/** The most lines of text any element matching `selector` runs to. */
async function maxLines(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const lines = [...document.querySelectorAll(sel)].map((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.bottom))).size;
    });
    return Math.max(0, ...lines);
  }, selector);
}

Console('at 360 px the follow-up tables read: figures on one line, headings in two at most, names unbroken', async () => {
  for (const path of [`/rectification/${year}?lang=zh-CN`, `/admin/rounds/${year}/rectification`]) {
    await ap.goto(`${city.base}${path}`);
    const table = path.startsWith('/admin') ? 'table.followup-table' : 'table.followup-summary';
    assert.ok((await ap.locator(`${table} tbody tr`).count()) >= 40, `${path}: every unit`);
    assert.is(await maxLines(ap, `${table} td.num`), 1, `${path}: a figure broke across lines`);
    assert.ok((await maxLines(ap, `${table} thead th`)) <= 2, `${path}: a heading runs to more than two lines`);
  }
  await ap.goto(`${city.base}/admin/liaisons`);
  assert.is(await maxLines(ap, 'table.liaisons tbody th'), 1, "a liaison's user name broke across lines");
});

Console('a liaison answers a comment and records progress with plain forms, on a phone', async () => {
  const ctx = await newContext(city, PHONE);
  const page = await ctx.newPage();
  errors.push(...watchErrors(page));
  await logIn(page, 'liaison-u27', LIAISON_PASSWORD, '/admin/unit');
  await check(page, '/admin/unit', 'liaison', true);
  const reply = page.locator('form.reply-form').first();
  if (await reply.count()) {
    await reply.locator('textarea[name=reply]').fill('已安排专人跟进，本月底前答复办理结果。');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('done') === 'replied'), reply.locator('button[type=submit]').click()]);
    assert.ok(await page.locator('p.notice').isVisible(), 'the reply was confirmed');
  }
  const update = page.locator('form.update-form').first();
  await update.locator('input[value=in_progress]').check();
  await update.locator('textarea[name=note]').fill('已完成第一阶段。');
  await Promise.all([page.waitForURL((u) => u.searchParams.get('done') === 'updated'), update.locator('button[type=submit]').click()]);
  assert.match((await page.locator('main').textContent()) ?? '', '已完成第一阶段。');
  await check(page, '/admin/unit', 'liaison-after', false);
  await ctx.close();
});

Console('every tap target ≥ 44×44 px at 360 px; no console errors', () => {
  assert.ok(small.length === 0, `tap targets under 44×44:\n${[...new Set(small)].join('\n')}`);
  assert.equal(errors, []);
});

Console.after(async () => {
  await city?.close();
});

Console.run();
