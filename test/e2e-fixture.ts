// Shared by the e2e.*.test.ts files: a small demo city in a temporary DATA_DIR (the demo's 40 units, a pool of
// 160 in six strata, two published past years and an open current round), the real server listening on a free
// port in this process, Chromium (test/e2e-browser.ts says which) driven by playwright-core, and the checks every
// page gets: axe-core, horizontal scrolling at 360 px, tap-target sizes, console errors. Screenshots go to
// artifacts/e2e/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as assert from 'uvu/assert';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { demoPool, demoUnits } from '../server/demo/city.js';
import { demoRound } from '../server/demo/rounds.js';
import type { DesignInput } from '../server/rounds/design.js';
import { auditTrail } from '../server/audit/log.js';
import { createAdmin } from '../server/admin/accounts.js';
import { systemClock } from '../server/clock.js';
import { loadConfig, type Config } from '../server/config.js';
import type { Database } from '../server/db/schema.js';
import { linkToken } from '../server/links/tokens.js';
import { openStore } from '../server/db/database.js';
import { startServer } from '../server/main.js';
import { upsertRepresentatives } from '../server/pool/representatives.js';
import { upsertUnits } from '../server/units/units.js';
import { freePort, newPlace, ROOT } from './child-server.js';
import { findChromium } from './e2e-browser.js';

export const ARTIFACTS = join(ROOT, 'artifacts/e2e');
export const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'zh-CN' };
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1100, height: 900 }, locale: 'zh-CN' };
export const ADMIN = { username: 'e2e-admin', password: 'e2e correct horse battery' };
/** Units the made-up ballots treat badly in both past years, so the "bottom three two years running" flag shows. */
export const WEAK = ['U27', 'U12'];

export interface City {
  base: string;
  config: Config;
  db: Database;
  thisYear: number;
  /** Published, oldest first. */
  pastYears: number[];
  browser: Browser;
  /** Tokens of the current round's links nobody has used yet (each one a fresh representative). */
  unusedTokens(year?: number): Promise<string[]>;
  tokenOf(year: number, code: string, generation?: number): string;
  close(): Promise<void>;
}

/** Fails with a clear message when there is no browser, or it does not start: never a skipped test. */
export async function launchBrowser(): Promise<Browser> {
  const found = await findChromium();
  try {
    return await chromium.launch({
      executablePath: found.path,
      env: { ...process.env, ...found.env },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  } catch (e) {
    throw new Error(`Chromium at ${found.path} (${found.from}) did not start: ${(e as Error).message}`);
  }
}

/** A test file that stalls (a browser that never answers) must not hold up `npm test` for ever. */
const WATCHDOG_MS = 300_000;

/**
 * Builds the city, starts the server on a free port and launches Chromium; `design` is the ballot design of the
 * current round and of the last past one.
 */
export async function startCity(opts: { design?: DesignInput } = {}): Promise<City> {
  setTimeout(() => {
    console.error(`e2e: still running after ${WATCHDOG_MS / 1000} s; giving up`);
    process.exit(1);
  }, WATCHDOG_MS).unref();
  const root = mkdtempSync(join(tmpdir(), 'pingyi-e2e-'));
  const port = await freePort();
  const place = await newPlace(join(root, 'data'));
  const config = loadConfig({ ...place.env, MIN_POOL: '100', TZ: 'Asia/Shanghai', HOST: '127.0.0.1', PORT: String(port) });
  const store = await openStore(config);
  const db = store.db;
  const clock = systemClock;
  const audit = auditTrail(config.secret, clock);
  const now = clock.now();
  const thisYear = Number(new Intl.DateTimeFormat('en', { timeZone: config.timeZone, year: 'numeric' }).format(now));
  const pastYears = [thisYear - 2, thisYear - 1];
  await upsertUnits(db, audit, demoUnits(), 'e2e');
  await upsertRepresentatives(db, audit, demoPool(0.05), { actor: 'e2e' });
  for (const year of pastYears)
    await demoRound(store, config, year, { now, current: false, weakest: WEAK, design: year === thisYear - 1 ? opts.design : undefined });
  await demoRound(store, config, thisYear, { now, current: true, weakest: [], design: opts.design });
  const made = await createAdmin(db, audit, { ...ADMIN, actor: 'e2e' });
  if (!made.ok) throw new Error(`createAdmin: ${made.problems.join(', ')}`);

  const { server, stop: stopServer } = await startServer(config, store, { quiet: true });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (e) {
    await stopServer();
    await store.destroy();
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const tokenOf = (year: number, code: string, generation = 1) => linkToken(config.secret, year, code, generation);
  return {
    base,
    config,
    db,
    thisYear,
    pastYears,
    browser,
    tokenOf,
    async unusedTokens(year = thisYear) {
      const rows = await db
        .selectFrom('round_links')
        .innerJoin('rounds', 'rounds.id', 'round_links.round_id')
        .select(['round_links.code', 'round_links.generation'])
        .where('rounds.year', '=', year)
        .where('round_links.active', '=', 1)
        .where('round_links.used_on', 'is', null)
        .orderBy('round_links.code')
        .execute();
      return rows.map((r) => tokenOf(year, r.code, r.generation));
    },
    async close() {
      await browser.close().catch(() => {});
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stopServer();
      await store.destroy();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Console errors and uncaught page errors, as text, from the moment this is called. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return errors;
}

/**
 * A screenshot under artifacts/e2e/: the whole page, or only what the viewport shows. Chromium on a loaded machine
 * now and then answers "Unable to capture screenshot" once; it is asked again a few times before the test fails.
 */
export async function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: opts.fullPage ?? true });
      return;
    } catch (e) {
      if (attempt >= 3 || !/Unable to capture screenshot/.test(String(e))) throw e;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

export function saveArtifact(name: string, bytes: Uint8Array | string): string {
  const path = join(ARTIFACTS, name);
  writeFileSync(path, bytes);
  return path;
}

/** How many CSS pixels the page is wider than its viewport (0 when nothing scrolls sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth);
}

/** The elements that stick out on the right, for a failure message. */
export async function overflowCulprits(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && !el.closest('.table-wrap')) {
        const id = el.id ? `#${el.id}` : '';
        const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
        out.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(r.right)}`);
      }
    }
    return out.slice(0, 10);
  });
}

export interface Target {
  what: string;
  width: number;
  height: number;
}

/**
 * Visible tap targets smaller than `min` CSS px either way. A radio or checkbox inside its label is not counted
 * (the label is the target); neither are links inside running text (WCAG 2.5.8's inline exception) nor the skip
 * link parked off-screen.
 */
export async function smallTargets(page: Page, min: number, scope = 'body'): Promise<Target[]> {
  return page.evaluate(
    ([min, scope]) => {
      const out: { what: string; width: number; height: number }[] = [];
      const root = document.querySelector(scope as string);
      if (!root) return out;
      const sel = 'a[href], button, summary, select, textarea, input:not([type=hidden]), label.choice, [role=tab]';
      for (const el of root.querySelectorAll(sel)) {
        if (el.matches('input[type=radio], input[type=checkbox]') && el.closest('label')) continue;
        const r = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
        if (r.right <= 0 || r.bottom <= -10000) continue;
        if (el.tagName === 'A' && style.display === 'inline' && el.parentElement && /^(P|LI|DD|TD|SPAN|SMALL|STRONG)$/.test(el.parentElement.tagName)) {
          const text = (el.parentElement.textContent ?? '').trim();
          if (text.length > (el.textContent ?? '').trim().length + 2) continue; // a link in a sentence
        }
        if (r.width < (min as number) - 0.5 || r.height < (min as number) - 0.5) {
          const label = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
          const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
          out.push({ what: `${el.tagName.toLowerCase()}${cls} "${label}"`, width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10 });
        }
      }
      return out;
    },
    [min, scope] as const,
  );
}

/** Tap targets as lines for a failure message, identical ones counted once ("×40"). */
export function describeTargets(where: string, list: Target[]): string[] {
  const counts = new Map<string, number>();
  for (const t of list) {
    const line = `${where}: ${t.what} ${t.width}×${t.height}`;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].map(([line, n]) => (n > 1 ? `${line} (×${n})` : line));
}

/** The computed font size, in px, of the first element matching `selector`. */
export async function fontSize(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (el) => parseFloat(getComputedStyle(el).fontSize));
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page as it is and returns the serious and critical violations. The source is evaluated
 * through the DevTools protocol, which the page's CSP (script-src 'self') does not govern. axe needs the page's
 * timers, so it cannot run where JavaScript is off: it gives up after 30 s rather than wait for ever.
 */
export async function axeSerious(page: Page): Promise<AxeFinding[]> {
  const has = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!has) await page.evaluate(AXE_SOURCE);
  const run = page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: Document,
            opts: object,
          ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 300)}`),
    }));
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`axe-core did not finish within 30 s on ${page.url()} (is JavaScript off in this context?)`)), 30_000);
  });
  try {
    const violations = await Promise.race([run, timeout]);
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  } finally {
    clearTimeout(timer);
  }
}

export function describeFindings(where: string, findings: AxeFinding[]): string {
  return findings.map((f) => `${where}: [${f.impact}] ${f.id}: ${f.help}\n    ${f.nodes.join('\n    ')}`).join('\n');
}

/** Opens a context that shares nothing with others (cookies, localStorage). */
export async function newContext(city: City, opts: BrowserContextOptions = PHONE): Promise<BrowserContext> {
  const ctx = await city.browser.newContext(opts);
  ctx.setDefaultTimeout(15_000);
  ctx.setDefaultNavigationTimeout(30_000);
  return ctx;
}

/** Every canvas the reader can see, with the share of its pixels that are painted (alpha > 0). */
export async function paintedCanvases(page: Page): Promise<{ id: string; width: number; height: number; painted: number }[]> {
  return page.$$eval('canvas', (els) =>
    els
      .filter((c) => (c as HTMLCanvasElement).checkVisibility())
      .map((el) => {
        const c = el as HTMLCanvasElement;
        const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++;
        return { id: c.id || c.className, width: c.width, height: c.height, painted: n / Math.max(1, c.width * c.height) };
      }),
  );
}

/** At least one chart is shown, and every chart shown holds pixels (more than 2% of its area painted). */
export async function expectCharts(page: Page, where: string) {
  const canvases = await paintedCanvases(page);
  assert.ok(canvases.length >= 1, `${where}: no chart is shown`);
  for (const c of canvases)
    assert.ok(c.painted > 0.02, `${where}: canvas ${c.id} (${c.width}×${c.height}) is blank (${(c.painted * 100).toFixed(2)}% painted)`);
}

/** Counts the pages of a PDF as Chromium writes it (one `/Type /Page` object per page). */
export function pdfPages(pdf: Uint8Array): number {
  return (
    Buffer.from(pdf)
      .toString('latin1')
      .match(/\/Type\s*\/Page(?![s\w])/g) ?? []
  ).length;
}

/** The page does not scroll sideways (at the phone's 360 px); the message names the elements that stick out. */
export async function assertNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const over = await horizontalOverflow(page);
  assert.is(over, 0, `${where} scrolls sideways by ${over} px at 360 px: ${(await overflowCulprits(page)).join(', ')}`);
}

/** axe-core on the page as it stands: no serious or critical violations. */
export async function assertAxeClean(page: Page, label: string): Promise<void> {
  const findings = await axeSerious(page);
  assert.ok(findings.length === 0, `axe-core found serious or critical violations:\n${describeFindings(label, findings)}`);
}

/**
 * Latin words in the text of `selector`'s elements that the page shows broken over two lines ("Dissatisfi / ed"):
 * each word's own boxes, measured with a Range, must lie on one line.
 */
export async function brokenWords(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) => {
    const broken: string[] = [];
    for (const el of els) {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of (node.textContent ?? '').matchAll(/[A-Za-z'’]+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index ?? 0);
          range.setEnd(node, (m.index ?? 0) + m[0].length);
          const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (lines.size > 1) broken.push(`${m[0]} in "${(el.textContent ?? '').trim().slice(0, 40)}"`);
        }
      }
    }
    return broken;
  });
}
