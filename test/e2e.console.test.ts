// The administrators' console in a real browser: log in, create a round through the form, freeze, draw with a
// public random value, open, (representatives answer through their links), close, preview the results, publish;
// the public results page then exists. axe-core on every kind of console page. Screenshots:
// artifacts/e2e/console-*.png.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import {
  ADMIN,
  describeTargets,
  DESKTOP,
  expectCharts,
  horizontalOverflow,
  newContext,
  overflowCulprits,
  PHONE,
  shot,
  smallTargets,
  startCity,
  watchErrors,
  type City,
  assertAxeClean,
} from './e2e-fixture.js';

const CHOICES = ['satisfied', 'basic', 'dissatisfied', 'unknown'] as const;

let city: City;
let year = 0;

async function logIn(page: Page) {
  await page.goto(`${city.base}/admin/login`);
  await page.fill('#username', ADMIN.username);
  await page.fill('#password', ADMIN.password);
  await Promise.all([page.waitForURL(`${city.base}/admin`), page.locator('main form button[type=submit]').click()]);
}

/** Submits one of the round page's action forms (found by its action), ticking its confirmation when it has one. */
async function act(page: Page, action: string, fields: Record<string, string> = {}) {
  const form = page.locator(`form[action="/admin/rounds/${year}/${action}"]`);
  assert.is(await form.count(), 1, `the round page offers no "${action}" form`);
  for (const [name, value] of Object.entries(fields)) await form.locator(`[name="${name}"]`).fill(value);
  const confirm = form.locator('input[name=confirm]');
  if (await confirm.count()) await confirm.check();
  await Promise.all([page.waitForURL((u) => u.searchParams.has('done')), form.locator('button[type=submit]').click()]);
}

// ---------------------------------------------------------------------------------------------------------------

const Round = suite('an administrator runs a whole round in the console');
let desk: BrowserContext;
let page: Page;
let errors: string[] = [];

Round.before(async () => {
  city = await startCity();
  year = city.thisYear + 1;
  desk = await newContext(city, DESKTOP);
  page = await desk.newPage();
  errors = watchErrors(page);
});
Round.after(async () => {
  await desk?.close();
});

Round('logs in', async () => {
  await logIn(page);
  assert.ok(await page.locator('nav.console-nav').isVisible(), 'no console navigation after login');
  await shot(page, 'console-01-dashboard', { fullPage: false });
});

Round('creates a round for a new year through the form', async () => {
  await page.goto(`${city.base}/admin/rounds`);
  const form = page.locator('form[action="/admin/rounds"]');
  await form.locator('#year').fill(String(year));
  await form.locator('#title').fill(`${year}年度部门单位工作作风民主测评（浏览器测试）`);
  await form.locator('#sample').fill('24');
  await form.locator('#minValid').fill('3');
  await form.locator('#opens').fill(new Date(Date.now() - 3600_000).toISOString());
  await form.locator('#closes').fill(new Date(Date.now() + 7 * 86400_000).toISOString());
  await shot(page, 'console-02-create-form');
  await Promise.all([page.waitForURL(`${city.base}/admin/rounds/${year}?done=created`), form.locator('button[type=submit]').click()]);
  assert.match((await page.locator('h1').textContent()) ?? '', String(year));
  assert.ok(await page.locator('p.notice').isVisible(), 'no notice after creating');
  await shot(page, 'console-03-created', { fullPage: false });
});

Round('freezes the pool (the confirmation ticked)', async () => {
  await act(page, 'freeze');
  assert.match(page.url(), /done=frozen/);
  const hash = await page.locator('dl.timeline code').first().textContent();
  assert.match(hash ?? '', /^[0-9a-f]{64}$/, 'no pool hash shown after the freeze');
  await shot(page, 'console-04-frozen', { fullPage: false });
});

Round('draws with a public random value', async () => {
  await act(page, 'draw', { publicRandom: `福彩3D ${year}001期 3 1 4`, source: '中国福利彩票 3D 开奖公告' });
  assert.match(page.url(), /done=drawn&n=24/);
  const seats = await city.db
    .selectFrom('round_links')
    .innerJoin('rounds', 'rounds.id', 'round_links.round_id')
    .select('round_links.code')
    .where('rounds.year', '=', year)
    .execute();
  assert.is(seats.length, 24);
  await shot(page, 'console-05-drawn', { fullPage: false });
  const pub = await page.context().newPage();
  assert.is((await pub.goto(`${city.base}/draw/${year}`))?.status(), 200);
  await pub.close();
});

let tokens: string[] = [];
Round('opens the round; representatives answer through their links', async () => {
  await act(page, 'open');
  assert.match(page.url(), /done=opened/);
  await shot(page, 'console-06-opened', { fullPage: false });
  tokens = await city.unusedTokens(year);
  assert.is(tokens.length, 24);
  const units = await city.db.selectFrom('units').select('code').where('active', '=', 1).execute();
  for (const [i, token] of tokens.slice(0, 5).entries()) {
    const body = units.map((u, k) => `u.${u.code}=${CHOICES[(i + k) % 3]}`).join('&');
    const res = await fetch(`${city.base}/s/${token}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    assert.is(res.status, 303, `ballot ${i}`);
  }
  await page.goto(`${city.base}/admin/rounds/${year}/turnout`);
  assert.match((await page.locator('main').textContent()) ?? '', /5 \/ 24|5 of 24/);
  await shot(page, 'console-07-turnout');
});

Round('closes the round', async () => {
  await page.goto(`${city.base}/admin/rounds/${year}`);
  await act(page, 'close');
  assert.match(page.url(), /done=closed/);
  const closed = await fetch(`${city.base}/s/${tokens[10]}`);
  assert.is(closed.status, 410, 'a link still works after the close');
  await shot(page, 'console-08-closed', { fullPage: false });
});

Round('previews the results, then publishes them', async () => {
  await page.goto(`${city.base}/admin/rounds/${year}/results`);
  const rows = page.locator('section.draft table tbody tr');
  assert.is(await rows.count(), 40, 'rows in the draft ranking');
  await shot(page, 'console-09-results-preview');
  const form = page.locator(`form[action="/admin/rounds/${year}/publish"]`);
  await form.locator('#note').fill('浏览器测试发布');
  await form.locator('input[name=confirm]').check();
  await Promise.all([page.waitForURL((u) => u.searchParams.get('done') === 'published'), form.locator('button[type=submit]').click()]);
  assert.ok(await page.locator('p.notice').isVisible(), 'no notice after publishing');
  await shot(page, 'console-10-published', { fullPage: false });
});

Round('the public results page then exists, with its ranking and charts', async () => {
  const pub = await newContext(city, PHONE);
  const p = await pub.newPage();
  const perr = watchErrors(p);
  const res = await p.goto(`${city.base}/results/${year}`);
  assert.is(res?.status(), 200);
  assert.is(await p.locator('table.ranking tbody tr').count(), 40);
  await expectCharts(p, `/results/${year}`);
  await shot(p, 'console-11-public-results');
  assert.equal(perr, []);
  await pub.close();
});

Round('no console errors on the way', () => {
  assert.equal(errors, []);
});

Round.run();

// ---------------------------------------------------------------------------------------------------------------

const Pages = suite('every kind of console page at 360 px: passes axe, no sideways scrolling, tap targets ≥ 44 px');
let phone: BrowserContext;
let pp: Page;
const small: string[] = [];
const wide: string[] = [];

Pages.before(async () => {
  phone = await newContext(city, PHONE);
  pp = await phone.newPage();
});
Pages.after(async () => {
  await phone?.close();
  await city?.close();
});

function consolePage(name: string, path: () => string) {
  Pages(name, async () => {
    const res = await pp.goto(`${city.base}${path()}`);
    assert.is(res?.status(), 200, `${path()}: status`);
    const over = await horizontalOverflow(pp);
    if (over > 0) wide.push(`${path()}: ${over} px (${(await overflowCulprits(pp)).join(', ')})`);
    small.push(...describeTargets(path(), await smallTargets(pp, 44)));
    await shot(pp, `console-12-${name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '')}`, { fullPage: false });
    await assertAxeClean(pp, path());
  });
}

consolePage('login', () => '/admin/login');
Pages('(logging in)', () => logIn(pp));
consolePage('dashboard', () => '/admin');
consolePage('units', () => '/admin/units');
consolePage('pool', () => '/admin/pool');
consolePage('pool composition', () => '/admin/pool/composition');
consolePage('rounds', () => '/admin/rounds');
consolePage('an open round', () => `/admin/rounds/${city.thisYear}`);
consolePage('a published round', () => `/admin/rounds/${year}`);
consolePage('turnout', () => `/admin/rounds/${city.thisYear}/turnout`);
consolePage('not answered yet', () => `/admin/rounds/${city.thisYear}/missing`);
consolePage('comments', () => `/admin/rounds/${city.thisYear}/comments`);
consolePage('results preview', () => `/admin/rounds/${year}/results`);
consolePage('audit log', () => '/admin/audit');

Pages('no console page scrolls sideways at 360 px', () => {
  assert.ok(wide.length === 0, `pages wider than 360 px:\n${wide.join('\n')}`);
});

Pages('every tap target on the console pages ≥ 44×44 px', () => {
  assert.ok(small.length === 0, `tap targets under 44×44:\n${small.join('\n')}`);
});

Pages.run();
