// Shared by the rectification.*.test.ts and liaisons.*.test.ts files: six units ranked in two years so that the
// flags are known (2025: U04, U05, U06 in the bottom three; 2026: U03, U05, U06, so U05 and U06 two years running),
// ballots with unit and overall comments, the 2025 round published and the 2026 round closed (or left open), on a
// settable clock. Readers for the console's pages and for `/rectification/{year}.json`.
import { createAdmin } from '../server/admin/accounts.js';
import { createLiaison } from '../server/admin/liaisons.js';
import { linkToken } from '../server/links/tokens.js';
import { upsertRepresentatives, type RepresentativeInput } from '../server/pool/representatives.js';
import type { FollowUpDocument } from '../server/rectification/follow-up.js';
import { publishResults } from '../server/results/publish.js';
import { closeRound, createRound, drawRound, findRound, freezeRound, openRound } from '../server/rounds/rounds.js';
import { parseSettings } from '../server/rounds/settings.js';
import type { Answer } from '../server/survey/ballot.js';
import { castBallot } from '../server/survey/cast.js';
import { upsertUnits, type UnitInput } from '../server/units/units.js';
import { Browser, createTestApp, TEST_PASSWORD, type TestApp } from './helpers.js';

export const SECRET = 'followup-test-secret-0123456789-abcdefgh';
export const UNITS: UnitInput[] = [
  { code: 'U01', name: '市教育局', category: '公共服务部门', active: true },
  { code: 'U02', name: '市卫生健康委', category: '公共服务部门', active: true },
  { code: 'U03', name: '市人社局', category: '公共服务部门', active: true },
  { code: 'U04', name: '市市场监管局', category: '行政执法部门', active: true },
  { code: 'U05', name: '市城管局', category: '行政执法部门', active: true },
  { code: 'U06', name: '市交通运输局', category: '行政执法部门', active: true },
];
const POOL: RepresentativeInput[] = Array.from({ length: 24 }, (_, i) => ({
  code: `FU${String(i).padStart(3, '0')}`,
  name: `跟进代表${i}`,
  stratum: i % 2 ? '企业代表' : '社区居民',
  district: null,
  phone: null,
  email: null,
  active: true,
}));

/** How each unit fares in the first and the second year: every ballot gives it this answer. */
const ANSWERS: Record<'first' | 'second', Record<string, Answer>> = {
  first: { U01: 'satisfied', U02: 'satisfied', U03: 'satisfied', U04: 'basic', U05: 'dissatisfied', U06: 'dissatisfied' },
  second: { U01: 'satisfied', U02: 'satisfied', U03: 'basic', U04: 'satisfied', U05: 'dissatisfied', U06: 'dissatisfied' },
};

/** A year's round: when it opens, when ballots are cast, when it closes and when its results are published (UTC). */
export function datesOf(year: number) {
  return {
    opens: `${year}-03-01T00:00:00+08:00`,
    closes: `${year}-03-31T00:00:00+08:00`,
    cast: `${year}-03-10T02:00:00Z`,
    close: `${year}-03-31T02:00:00Z`,
    publish: `${year}-04-02T02:00:00Z`,
  };
}
export const DATES = { 2025: datesOf(2025), 2026: datesOf(2026) } as const;

/** The comments the ballots of a year make: ballot i comments on the units listed, with texts naming the ballot. */
export function ballotComments(year: number, i: number): Record<string, string> {
  const out: Record<string, string> = {};
  if (i < 6) out.U05 = `${year}年第${i}票对城管的意见`;
  if (i < 4) out.U06 = `${year}年第${i}票对交通的意见`;
  if (i === 0) out.U01 = `${year}年对教育局的意见`;
  return out;
}

export type World = TestApp & {
  /** Tokens of each year's seats, in code order. */
  tokens: Record<number, string[]>;
};

/** What building the years needs: the database, and a clock the audit trail reads that can be set. */
export interface Builder {
  db: TestApp['db'];
  store: TestApp['store'];
  audit: TestApp['audit'];
  clock: { set(t: string): void; now(): Date };
}

async function buildRound(
  t: Builder,
  year: number,
  answers: Record<string, Answer>,
  opts: { ballots: number; close: boolean; publish: boolean },
): Promise<string[]> {
  const d = datesOf(year);
  t.clock.set(d.opens);
  const parsed = parseSettings({ year: String(year), sample: '20', minValid: '1', opens: d.opens, closes: d.closes }, 'Asia/Shanghai', (y) => `Round ${y}`);
  if (!parsed.ok) throw new Error('settings');
  for (const step of [
    () => createRound(t.db, t.audit, parsed.settings, 'test'),
    () => freezeRound(t.db, t.audit, year, 10, 'test'),
    () => drawRound(t.db, t.audit, { year, publicRandom: `follow-up ${year}`, source: '', secret: SECRET }, 'test'),
    () => openRound(t.db, t.audit, year, 'test'),
  ]) {
    const r = await step();
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
  }
  const round = (await findRound(t.db, year))!;
  const links = await t.db.selectFrom('round_links').select(['code', 'generation']).where('round_id', '=', round.id).orderBy('code').execute();
  const tokens = links.map((l) => linkToken(SECRET, year, l.code, l.generation));
  t.clock.set(d.cast);
  for (let i = 0; i < opts.ballots; i++) {
    const cast = await castBallot(t.store, t.clock, 'Asia/Shanghai', {
      token: tokens[i]!,
      roundId: round.id,
      answers: { ...answers },
      comments: ballotComments(year, i),
      comment: i === 1 ? `${year}年的总体意见` : null,
    });
    if (!cast.ok) throw new Error('cast');
  }
  if (opts.close) {
    t.clock.set(d.close);
    const r = await closeRound(t.store, t.audit, year, 'test');
    if (!r.ok) throw new Error('close');
  }
  if (opts.publish) {
    t.clock.set(d.publish);
    const r = await publishResults(t.db, t.audit, { year, note: '' }, 'test');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
  }
  return tokens;
}

/**
 * The units, the pool and two years' rounds from `first`: the first published with 8 ballots; the second with 8
 * ballots, closed unless `openSecond`, published when `publishSecond`. Returns each year's tokens.
 */
export async function buildFollowUp(
  t: Builder,
  first: number,
  opts: { openSecond?: boolean; publishSecond?: boolean } = {},
): Promise<Record<number, string[]>> {
  await upsertUnits(t.db, t.audit, UNITS, 'test');
  await upsertRepresentatives(t.db, t.audit, POOL, { actor: 'test' });
  const tokens: Record<number, string[]> = {};
  tokens[first] = await buildRound(t, first, ANSWERS.first, { ballots: 8, close: true, publish: true });
  tokens[first + 1] = await buildRound(t, first + 1, ANSWERS.second, {
    ballots: 8,
    close: !opts.openSecond,
    publish: !!opts.publishSecond && !opts.openSecond,
  });
  return tokens;
}

/**
 * 2025 published with 8 ballots; 2026 with 8 ballots, closed unless `open2026`, published when `publish2026`.
 * The clock is left at `now` (default: the 2026 round's closing day).
 */
export async function followUpWorld(opts: { open2026?: boolean; publish2026?: boolean; now?: string } = {}): Promise<World> {
  const t = await createTestApp({ config: { minPool: 10, secret: SECRET }, now: '2025-02-01T00:00:00Z' });
  const tokens = await buildFollowUp(t, 2025, { openSecond: opts.open2026, publishSecond: opts.publish2026 });
  t.clock.set(opts.now ?? DATES[2026].close);
  return Object.assign(t, { tokens });
}

/** Creates an account and returns a browser logged in as it, with its CSRF token. */
export async function signIn(t: TestApp, username: string, role: 'admin' | { unit: string }): Promise<Browser & { token: string; username: string }> {
  const made =
    role === 'admin'
      ? await createAdmin(t.db, t.audit, { username, password: TEST_PASSWORD, actor: 'test' })
      : await createLiaison(t.db, t.audit, { username, password: TEST_PASSWORD, unit: role.unit, actor: 'test' });
  if (!made.ok) throw new Error(`account ${username}: ${JSON.stringify(made.problems)}`);
  const b = new Browser(t);
  const res = await b.post('/admin/login', { username, password: TEST_PASSWORD });
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  const page = await (await b.get(res.headers.get('location') ?? '/admin')).text();
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!m?.[1]) throw new Error(`no CSRF token after login of ${username}`);
  return Object.assign(b, { token: m[1], username });
}

/**
 * Moves the clock and logs the browsers in again (a session ends after 12 hours, however active): for tests that
 * follow a year over months.
 */
export async function later(t: TestApp, when: string, ...browsers: (Browser & { token: string; username?: string })[]): Promise<void> {
  (t.clock as unknown as { set(v: string): void }).set(when);
  for (const b of browsers) {
    const username = b.username;
    if (!username) throw new Error('a browser made by signIn');
    const res = await b.post('/admin/login', { username, password: TEST_PASSWORD });
    if (res.status !== 303) throw new Error(`login again failed: ${res.status}`);
    const page = await (await b.get(res.headers.get('location') ?? '/admin')).text();
    b.token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  }
}

/** `/rectification/{year}.json`, parsed (throws unless 200). */
export async function followUpJson(t: TestApp, year: number): Promise<FollowUpDocument> {
  const res = await t.app.request(`/rectification/${year}.json`);
  if (res.status !== 200) throw new Error(`/rectification/${year}.json answered ${res.status}`);
  return (await res.json()) as FollowUpDocument;
}

/** The handed comments of a year, straight from the table, by unit then id. */
export async function handed(t: TestApp, year: number) {
  const round = (await findRound(t.db, year))!;
  return t.db.selectFrom('unit_comments').selectAll().where('round_id', '=', round.id).orderBy('unit_code').orderBy('id').execute();
}

/** Every stored row of the follow-up's tables and the audit log's length, as text: to prove that nothing changed. */
export async function followUpState(t: TestApp): Promise<string> {
  const out: string[] = [];
  for (const table of ['unit_comments', 'rectification_items', 'rectification_updates', 'measures', 'admins'] as const) {
    const rows = await t.db.selectFrom(table).selectAll().execute();
    out.push(`# ${table}`, ...rows.map((r) => JSON.stringify(r)).sort());
  }
  const audit = await t.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  out.push(`# audit ${Number(audit.n)}`);
  return out.join('\n');
}
