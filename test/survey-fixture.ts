// Shared by the survey.*.test.ts files only: an open round on a fresh app, its link tokens, ballots to send, and
// small readers for the survey pages' HTML (the form is plain server-rendered markup, so patterns suffice).
import { demoUnits } from '../server/demo/city.js';
import type { Config } from '../server/config.js';
import { linkToken, tokenHash } from '../server/links/tokens.js';
import { upsertRepresentatives, type RepresentativeInput } from '../server/pool/representatives.js';
import { createRound, drawRound, freezeRound, openRound } from '../server/rounds/rounds.js';
import type { DesignInput } from '../server/rounds/design.js';
import { parseSettings } from '../server/rounds/settings.js';
import { upsertUnits, type UnitInput } from '../server/units/units.js';
import type { Outcome } from '../server/validate.js';
import type { TestStoreOptions } from './db.js';
import { createTestApp, type TestApp } from './helpers.js';

export const SECRET = 'survey-test-secret-0123456789-abcdefghij';
export const YEAR = 2026;
export const TITLE = '2026年度民主评议测评';
export const OPENS = '2026-03-01T00:00:00+08:00';
export const CLOSES = '2026-03-31T00:00:00+08:00';
/** 10:00 on 10 March in Shanghai: inside the round. */
export const NOW = '2026-03-10T02:00:00Z';
export const CHOICES = ['satisfied', 'basic', 'dissatisfied', 'unknown'] as const;

export function ok<T>(o: Outcome<T>, what = 'action'): T {
  if (!o.ok) throw new Error(`${what} refused: ${o.problems.map((p) => p.key).join(', ')}`);
  return o.value;
}

/** A small pool in two strata; names, phones and e-mails are distinctive so a test can look for them anywhere. */
export function smallPool(size = 40): RepresentativeInput[] {
  return Array.from({ length: size }, (_, i) => {
    const code = `${i % 2 ? 'QY' : 'SQ'}${String(i).padStart(4, '0')}`;
    return {
      code,
      name: `代表姓名${code}`,
      stratum: i % 2 ? '企业代表' : '社区居民',
      district: '南河区',
      phone: `1900000${String(i).padStart(4, '0')}`,
      email: `${code.toLowerCase()}@example.org`,
      active: true,
    };
  });
}

export interface SurveyOptions {
  scale?: 'satisfaction4' | 'score100';
  /** Seats drawn; the rest of the pool are reserves. */
  sample?: number;
  /** The pool's size (40 by default). */
  poolSize?: number;
  units?: UnitInput[];
  opens?: string;
  closes?: string;
  now?: string;
  /** Leave the round drawn (not yet opened). */
  open?: boolean;
  config?: Partial<Config>;
  /** How the SQLite store is opened (its group commit's clock, say). */
  store?: TestStoreOptions;
  /** The round's ballot design (indicators, weights, reasons); the default ballot without it. */
  design?: DesignInput;
}

export interface Seat {
  code: string;
  token: string;
}

export type Survey = TestApp & {
  units: UnitInput[];
  pool: RepresentativeInput[];
  seats: Seat[];
  tokens: string[];
  /** The current token of a drawn (or replacing) representative. */
  tokenOf(code: string, generation?: number): string;
};

/** A fresh app with a 2026 round frozen, drawn and (unless `open: false`) opened, on the 40 demo units by default. */
export async function openSurvey(opts: SurveyOptions = {}): Promise<Survey> {
  const t = await createTestApp({ config: { minPool: 20, secret: SECRET, ...opts.config }, now: opts.now ?? NOW, store: opts.store });
  const units = opts.units ?? demoUnits();
  const pool = smallPool(opts.poolSize);
  await upsertUnits(t.db, t.audit, units, 'test');
  await upsertRepresentatives(t.db, t.audit, pool, { actor: 'test' });
  const parsed = parseSettings(
    {
      year: String(YEAR),
      title: TITLE,
      sample: String(opts.sample ?? 30),
      scale: opts.scale ?? 'satisfaction4',
      opens: opts.opens ?? OPENS,
      closes: opts.closes ?? CLOSES,
      design: opts.design,
    },
    'Asia/Shanghai',
    (y) => `Round ${y}`,
  );
  if (!parsed.ok) throw new Error(`settings refused: ${parsed.problems.map((p) => p.key).join(', ')}`);
  ok(await createRound(t.db, t.audit, parsed.settings, 'test'), 'create');
  ok(await freezeRound(t.db, t.audit, YEAR, 20, 'test'), 'freeze');
  ok(await drawRound(t.db, t.audit, { year: YEAR, publicRandom: 'survey tests', source: '', secret: SECRET }, 'test'), 'draw');
  if (opts.open !== false) ok(await openRound(t.db, t.audit, YEAR, 'test'), 'open');
  const links = await t.db.selectFrom('round_links').select(['code', 'generation']).where('active', '=', 1).orderBy('code').execute();
  const seats = links.map((l) => ({ code: l.code, token: linkToken(SECRET, YEAR, l.code, l.generation) }));
  return Object.assign(t, {
    units,
    pool,
    seats,
    tokens: seats.map((s) => s.token),
    tokenOf: (code: string, generation = 1) => linkToken(SECRET, YEAR, code, generation),
  });
}

/** A complete satisfaction4 ballot: `u.{code}` for every unit, choices cycling through the scale unless given. */
export function fullBallot(
  units: readonly { code: string }[],
  choose: (code: string, i: number) => string = (_, i) => CHOICES[i % 4] as string,
): Record<string, string> {
  return Object.fromEntries(units.map((u, i) => [`u.${u.code}`, choose(u.code, i)]));
}

/** POSTs an urlencoded body given as text (so a field may repeat) or as fields. */
export function post(t: Pick<TestApp, 'app'>, token: string, body: string | Record<string, string> | [string, string][], headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : new URLSearchParams(body).toString();
  return t.app.request(`/s/${token}`, { method: 'POST', body: text, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

export async function ballotCount(t: TestApp): Promise<number> {
  const r = await t.db
    .selectFrom('ballots')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The link's used_on (undefined when no link has this token's hash). */
export async function usedOn(t: TestApp, token: string): Promise<string | null | undefined> {
  const row = await t.db.selectFrom('round_links').select('used_on').where('token_hash', '=', tokenHash(token)).executeTakeFirst();
  return row?.used_on;
}

// ---- reading the pages ----

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };
export const unescapeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (m) => ENTITIES[m] as string);

export function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?/g)) if (m[1]) out[m[1]] = unescapeHtml(m[2] ?? '');
  return out;
}

export function tags(html: string, name: string): string[] {
  return html.match(new RegExp(`<${name}\\b[^>]*>`, 'gi')) ?? [];
}

export interface UnitBlock {
  code: string;
  openTag: string;
  html: string;
  legend: string;
  hasError: boolean;
  error: string | undefined;
  /** The checked radio's (or box's) value, if any. */
  checked: string[];
  /** The number field's value (score100), if any. */
  score: string | undefined;
  comment: string;
}

/** Every unit fieldset of a form, in page order (with what it holds: the fieldsets of its indicators and reasons). */
export function unitBlocks(html: string): UnitBlock[] {
  return [...html.matchAll(/<fieldset\b[^>]*\bid="unit-([^"]+)"[^>]*>/g)].map((m) => {
    // The fieldset's content up to its own end tag, over any fieldsets nested in it.
    const from = (m.index as number) + m[0].length;
    const fieldsetTags = /<(\/?)fieldset\b[^>]*>/g;
    fieldsetTags.lastIndex = from;
    let depth = 1;
    let end = html.length;
    for (let t = fieldsetTags.exec(html); t; t = fieldsetTags.exec(html)) {
      depth += t[1] ? -1 : 1;
      if (depth === 0) {
        end = t.index;
        break;
      }
    }
    const inner = html.slice(from, end);
    const inputs = tags(inner, 'input').map(attrs);
    const score = inputs.find((a) => a.type === 'number');
    return {
      code: unescapeHtml(m[1] as string),
      openTag: m[0],
      html: inner,
      legend: unescapeHtml(/<legend>([\s\S]*?)<\/legend>/.exec(inner)?.[1] ?? ''),
      hasError: /\bhas-error\b/.test(m[0]),
      error: /<p class="field-error"[^>]*>([\s\S]*?)<\/p>/.exec(inner)?.[1]?.replace(/<[^>]+>/g, ''),
      checked: inputs.filter((a) => 'checked' in a).map((a) => a.value ?? ''),
      score: score?.value,
      comment: unescapeHtml(/<textarea\b[^>]*>([\s\S]*?)<\/textarea>/.exec(inner)?.[1] ?? ''),
    };
  });
}

export function unitOrder(html: string): string[] {
  return unitBlocks(html).map((b) => b.code);
}

/** The overall comment box's text. */
export function overallComment(html: string): string {
  return unescapeHtml(/<textarea\b[^>]*name="comment"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1] ?? '');
}

/** The refused form's summary: its lines, and the units it links to. */
export function problemSummary(html: string): { lines: string[]; links: string[] } | undefined {
  const box = /<div class="problems"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1];
  if (box === undefined) return undefined;
  const lines = [...box.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => unescapeHtml((m[1] as string).replace(/<[^>]+>/g, '')));
  const links = [...box.matchAll(/href="#unit-([^"]+)"/g)].map((m) => unescapeHtml(m[1] as string));
  return { lines, links };
}

/** The visible text of a page's main element, tags removed. */
export function mainText(html: string): string {
  const main = /<main\b[^>]*>([\s\S]*?)<\/main>/.exec(html)?.[1] ?? html;
  return unescapeHtml(main.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')).trim();
}
