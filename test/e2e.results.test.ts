// The public pages in a real browser (Chromium at 360×740): the results page draws its charts (the canvases hold
// pixels) with no console errors and no sideways scrolling; with JavaScript off the ranking table is complete; printed
// it fits one A4 page. axe-core and tap-target sizes on every kind of public page. Screenshots and the PDF:
// artifacts/e2e/results-*.
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import {
  ARTIFACTS,
  describeTargets,
  expectCharts,
  fontSize,
  newContext,
  paintedCanvases,
  pdfPages,
  PHONE,
  saveArtifact,
  shot,
  smallTargets,
  startCity,
  watchErrors,
  type City,
  assertAxeClean,
  assertNoSidewaysScroll,
} from './e2e-fixture.js';

let city: City;
let year = 0;
/** Tap targets too small, gathered over every page of this file and asserted at the end. */
const small: string[] = [];
const smallLarge: string[] = [];

interface OpenUnit {
  code: string;
  name: string;
  rank: number | null;
}

async function openData(y: number): Promise<{ units: OpenUnit[] }> {
  const res = await fetch(`${city.base}/results/${y}.json`);
  assert.is(res.status, 200);
  return (await res.json()) as { units: OpenUnit[] };
}

// ---------------------------------------------------------------------------------------------------------------

const Phone = suite('results page on a 360 px phone');
let phone: BrowserContext;
let page: Page;
let errors: string[] = [];

Phone.before(async () => {
  city = await startCity();
  year = city.pastYears[city.pastYears.length - 1] as number;
  phone = await newContext(city, PHONE);
  page = await phone.newPage();
  errors = watchErrors(page);
});
Phone.after(async () => {
  await phone?.close();
});

Phone('the charts are drawn (their canvases hold pixels)', async () => {
  const res = await page.goto(`${city.base}/results/${year}`);
  assert.is(res?.status(), 200);
  await expectCharts(page, `/results/${year}`);
  const ids = await page.$$eval('canvas', (els) => els.filter((c) => (c as HTMLCanvasElement).checkVisibility()).map((c, i) => c.id || `canvas-${i}`));
  for (const [i, id] of ids.entries())
    await page
      .locator('canvas')
      .filter({ visible: true })
      .nth(i)
      .screenshot({ path: join(ARTIFACTS, `results-02-chart-${id}.png`) });
  await shot(page, 'results-01-page-phone');
});

Phone('the turnout the page states agrees with the seats actually drawn (its own turnout table)', async () => {
  // The demo's rounds ask for 1,000 seats from a pool of 159: everyone is drawn (docs/SPEC.md, The draw), so 159 is the base.
  const doc = (await (await fetch(`${city.base}/results/${year}.json`)).json()) as { ballots: number; turnoutByStratum: { seats: number }[] };
  const seats = doc.turnoutByStratum.reduce((n, s) => n + s.seats, 0);
  const expected = `${((100 * doc.ballots) / seats).toFixed(1)}%`;
  const stated = ((await page.locator('#turnout p').first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const rates = stated.match(/\d+(\.\d)?%/g) ?? [];
  assert.ok(
    rates.length > 0 && rates.every((r) => r === expected),
    `#turnout says "${stated}", but ${doc.ballots} ballots from the ${seats} representatives drawn (the table below it) is ${expected}`,
  );
  const figures = await page
    .locator('dl.figures')
    .first()
    .textContent()
    .catch(() => null);
  if (figures !== null)
    assert.ok((figures ?? '').includes(expected), `the figures at the top say "${(figures ?? '').replace(/\s+/g, ' ').trim()}", not ${expected}`);
});

Phone('nothing scrolls sideways; body text ≥ 16 px', async () => {
  await assertNoSidewaysScroll(page, `/results/${year}`);
  assert.ok((await fontSize(page, 'body')) >= 16);
  small.push(...describeTargets(`/results/${year}`, await smallTargets(page, 44)));
});

Phone('no console errors and no page errors', () => {
  assert.equal(errors, []);
});

Phone('axe: the results page', () => assertAxeClean(page, `/results/${year}`));

Phone('large text: body ≥ 22 px, the charts drawn, nothing scrolls sideways', async () => {
  await page.goto(`${city.base}/results/${year}?text=large`);
  assert.ok((await fontSize(page, 'body')) >= 22, `body text is ${await fontSize(page, 'body')} px`);
  await expectCharts(page, `/results/${year}?text=large`);
  await assertNoSidewaysScroll(page, `/results/${year}?text=large`);
  smallLarge.push(...describeTargets(`/results/${year} (大字)`, await smallTargets(page, 60)));
  await shot(page, 'results-03-large-text-top', { fullPage: false });
  await page.goto(`${city.base}/results/${year}?text=normal`);
  assert.equal(errors, []);
});

Phone.run();

// ---------------------------------------------------------------------------------------------------------------

const NoJs = suite('results page with JavaScript off');
let nojs: BrowserContext;

NoJs.after(async () => {
  await nojs?.close();
});

NoJs('the ranking table is complete: every unit, with its rank', async () => {
  nojs = await newContext(city, { ...PHONE, javaScriptEnabled: false });
  const p = await nojs.newPage();
  const res = await p.goto(`${city.base}/results/${year}`);
  assert.is(res?.status(), 200);
  const { units } = await openData(year);
  const rows = await p.$$eval('table.ranking tbody tr', (trs) =>
    trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );
  assert.is(rows.length, units.length, 'rows in the ranking table');
  for (const u of units) {
    const row = rows.find((cells) => cells.some((cell) => cell.startsWith(u.name)));
    assert.ok(row, `${u.name} is missing from the ranking table`);
    if (u.rank !== null) assert.ok(row.includes(String(u.rank)), `${u.name}: rank ${u.rank} not in its row ${JSON.stringify(row)}`);
  }
  assert.ok(await p.locator('table.ranking').isVisible());
  assert.equal(await paintedCanvases(p), [], 'a chart box shows without JavaScript');
  await assertNoSidewaysScroll(p, `/results/${year} without JavaScript`);
  await shot(p, 'results-04-no-js');
});

NoJs.run();

// ---------------------------------------------------------------------------------------------------------------

const Print = suite('results page printed');
let printCtx: BrowserContext;

Print.after(async () => {
  await printCtx?.close();
});

/*
 * The check: Chromium's own print pipeline (page.pdf, A4, the stylesheet's @page margins, print media) lays the
 * page out and the PDF it writes must have exactly one page object. That is what a newspaper gets when it prints.
 * The same page in print media at A4 width is also kept as a PNG to look at.
 */
Print('the ranking table prints on one A4 page, and only the heading and the table print', async () => {
  printCtx = await newContext(city, { viewport: { width: 794, height: 1123 }, locale: 'zh-CN' });
  const p = await printCtx.newPage();
  await p.goto(`${city.base}/results/${year}`);
  await p.emulateMedia({ media: 'print' });
  const { units } = await openData(year);
  assert.is(await p.locator('table.ranking tbody tr').filter({ visible: true }).count(), units.length, 'rows printed');
  assert.equal(await paintedCanvases(p), [], 'a chart prints');
  const pdf = await p.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  saveArtifact('results-05-print.pdf', pdf);
  await shot(p, 'results-05-print-media');
  assert.is(pdfPages(pdf), 1, `the printed results take ${pdfPages(pdf)} A4 pages`);
});

Print.run();

// ---------------------------------------------------------------------------------------------------------------

const Pages = suite('every other kind of public page: fits 360 px, passes axe, tap targets ≥ 44 px (≥ 60 in 大字)');
let pc: BrowserContext;
let pp: Page;
let lc: BrowserContext;
let lp: Page;
let pageErrors: string[] = [];

Pages.before(async () => {
  pc = await newContext(city, PHONE);
  pp = await pc.newPage();
  pageErrors = watchErrors(pp);
  lc = await newContext(city, PHONE);
  lp = await lc.newPage();
  await lp.goto(`${city.base}/healthz?text=large`); // the switch is a cookie: every later page is large
});
Pages.after(async () => {
  await pc?.close();
  await lc?.close();
  await city?.close();
});

/** One kind of page: status, 360 px, tap targets (normal and 大字), a screenshot, then axe (asserted last). */
function publicPage(name: string, path: () => string, opts: { status?: number; charts?: boolean } = {}) {
  Pages(name, async () => {
    const res = await pp.goto(`${city.base}${path()}`);
    assert.is(res?.status(), opts.status ?? 200, `${path()}: status`);
    await assertNoSidewaysScroll(pp, path());
    if (opts.charts) await expectCharts(pp, path());
    small.push(...describeTargets(path(), await smallTargets(pp, 44)));
    await shot(pp, `results-06-${name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '')}`, { fullPage: false });
    await lp.goto(`${city.base}${path()}`);
    await assertNoSidewaysScroll(lp, `${path()} in large-text mode`);
    smallLarge.push(...describeTargets(`${path()} (大字)`, await smallTargets(lp, 60)));
    await assertAxeClean(pp, path());
  });
}

publicPage('home', () => '/');
publicPage('about', () => '/about');
publicPage('draw of the open round', () => `/draw/${city.thisYear}`);
publicPage('draw of a past round', () => `/draw/${year}`);
publicPage('receipts', () => `/results/${year}/receipts`);
publicPage('one unit across the years (with its chart)', () => '/units/U27', { charts: true });
publicPage('not found', () => '/no-such-page', { status: 404 });
publicPage('results not published', () => `/results/${city.thisYear}`, { status: 404 });

Pages('no console errors on these pages (other than the 404 answers themselves)', () => {
  assert.equal(
    pageErrors.filter((e) => !/status of 404/.test(e)),
    [],
  );
});

Pages('every tap target on the public pages ≥ 44×44 px at 360 px', () => {
  assert.ok(small.length === 0, `tap targets under 44×44:\n${small.join('\n')}`);
});

Pages('every tap target on the public pages ≥ 60×60 px in large-text mode', () => {
  assert.ok(smallLarge.length === 0, `tap targets under 60×60:\n${smallLarge.join('\n')}`);
});

Pages.run();
