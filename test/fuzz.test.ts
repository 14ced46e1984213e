// Guards docs/SPEC.md, Decisions and their reasons Reliability "bad input of any kind gets a clear 4xx, never a 500, and never a partial write", and
// Security "personal data never leaves the console": thousands of hostile requests at every route of the app
// (anonymous, logged in without and with a valid CSRF token), then the CSV importers' parsers fed random and
// mutated files. Generation is seeded (no Math.random): a failure prints its seed and request, and
// FUZZ_SEED=... npx tsx test/fuzz.test.ts replays it; FUZZ_REQUESTS=... sets how many requests are sent.
import { connect } from 'node:net';
import { sql } from 'kysely';
import seedrandom from 'seedrandom';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SESSION_COOKIE } from '../server/admin/sessions.js';
import { decodeText } from '../server/csv/read.js';
import { translator } from '../server/i18n/catalogue.js';
import { linkToken } from '../server/links/tokens.js';
import { parsePoolCsv } from '../server/pool/csv.js';
import { representativeProblems, upsertRepresentatives, type RepresentativeInput } from '../server/pool/representatives.js';
import { publishResults } from '../server/results/publish.js';
import { closeRound, createRound, drawRound, findRound, freezeRound, openRound } from '../server/rounds/rounds.js';
import { parseSettings } from '../server/rounds/settings.js';
import { ballotFields } from '../server/survey/ballot.js';
import { castBallot } from '../server/survey/cast.js';
import { parseUnitsCsv } from '../server/units/import.js';
import { unitProblems, upsertUnits, type UnitInput } from '../server/units/units.js';
import { CODE_PATTERN } from '../server/validate.js';
import { ballotBody, prepareInstallation, startChildServer, type ChildServer, type Installation } from './child-server.js';
import { tableNames, watchWrites } from './db-inspect.js';
import { createTestApp, loggedIn, type TestApp } from './helpers.js';

/** The console's exports of personal data or of links (each writes its audit row). */
const EXPORTS = /^\/admin\/(pool\/export\.(csv|xlsx)|rounds\/\d{4}\/(links\.(csv|xlsx)|sms\.(csv|xlsx)|letters|missing\.(csv|xlsx)))$/;
const SEED = process.env.FUZZ_SEED || 'pingyi-fuzz-1';
const REQUESTS = Number(process.env.FUZZ_REQUESTS || 2000);
console.log(`fuzz seed: ${SEED} (FUZZ_SEED=${SEED} to replay), ${REQUESTS} requests`);

/** CSV files fed to each run of the importers' parsers (half units, half pool). */
const FILES = 2000;
const MiB = 1024 * 1024;
const SECRET = 'fuzz-test-secret-0123456789-abcdefghijkl';
const en = translator('en');
const utf8 = (s: string) => new TextEncoder().encode(s);

function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  const bytes = parts.map((p) => (typeof p === 'string' ? utf8(p) : p));
  const out = new Uint8Array(bytes.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of bytes) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A seeded source of choices. */
class Rng {
  private next: () => number;
  constructor(seed: string) {
    this.next = seedrandom(seed);
  }
  float(): number {
    return this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
}

// ---- the installation under attack ----

const UNITS: UnitInput[] = [
  { code: 'U01', name: '市教育局', category: '公共服务部门', active: true },
  { code: 'U02', name: '市卫生健康委', category: '公共服务部门', active: true },
  { code: 'U03', name: '市人社局', category: '公共服务部门', active: true },
  { code: 'U04', name: '市市场监管局', category: '行政执法部门', active: true },
  { code: 'U05', name: '市城管局', category: '行政执法部门', active: true },
  { code: 'U06', name: '市交通运输局', category: '行政执法部门', active: true },
];
/** Distinctive personal data, looked for in every answer to an anonymous request. */
const POOL: RepresentativeInput[] = Array.from({ length: 24 }, (_, i) => {
  const code = `FZ${String(i).padStart(4, '0')}`;
  return {
    code,
    name: `模糊代表${code}`,
    stratum: i % 2 ? '企业代表' : '社区居民',
    district: '南河区',
    phone: `1380013${String(i).padStart(4, '0')}`,
    email: `fuzz.${code.toLowerCase()}@example.net`,
    active: true,
  };
});
const PERSONAL = POOL.flatMap((p) => [p.name, p.phone as string, p.email as string]);
const CHOICES = ['satisfied', 'basic', 'dissatisfied', 'unknown'];

interface World extends TestApp {
  session: string;
  csrf: string;
  open: string[];
  used: string[];
  closed: string[];
  tables: string[];
  writes: Awaited<ReturnType<typeof watchWrites>>;
}

function ok<T>(o: { ok: true; value: T } | { ok: false; problems: { key: string }[] }, what: string): T {
  if (!o.ok) throw new Error(`${what}: ${o.problems.map((p) => p.key).join(', ')}`);
  return o.value;
}

async function tokensOf(t: TestApp, year: number): Promise<{ token: string; used: boolean }[]> {
  const round = (await findRound(t.db, year))!;
  const links = await t.db
    .selectFrom('round_links')
    .select(['code', 'generation', 'used_on'])
    .where('round_id', '=', round.id)
    .where('active', '=', 1)
    .orderBy('code')
    .execute();
  return links.map((l) => ({ token: linkToken(SECRET, year, l.code, l.generation), used: l.used_on !== null }));
}

/** A 2025 round published with six ballots and a 2026 round open with two ballots cast; an administrator logged in. */
async function buildWorld(): Promise<World> {
  const t = await createTestApp({ config: { minPool: 10, secret: SECRET, trustProxy: true }, now: '2026-03-10T02:00:00Z' });
  await upsertUnits(t.db, t.audit, UNITS, 'test');
  await upsertRepresentatives(t.db, t.audit, POOL, { actor: 'test' });
  for (const year of [2025, 2026]) {
    const parsed = parseSettings(
      { year: String(year), sample: '12', minValid: '1', opens: `${year}-03-01T00:00:00+08:00`, closes: `${year}-03-31T00:00:00+08:00` },
      'Asia/Shanghai',
      (y) => `Round ${y}`,
    );
    if (!parsed.ok) throw new Error('settings');
    ok(await createRound(t.db, t.audit, parsed.settings, 'test'), 'create');
    ok(await freezeRound(t.db, t.audit, year, 10, 'test'), 'freeze');
    ok(await drawRound(t.db, t.audit, { year, publicRandom: `fuzz ${year}`, source: '', secret: SECRET }, 'test'), 'draw');
    ok(await openRound(t.db, t.audit, year, 'test'), 'open');
    const round = (await findRound(t.db, year))!;
    const tokens = await tokensOf(t, year);
    for (let i = 0; i < (year === 2025 ? 6 : 2); i++) {
      const answers = Object.fromEntries(UNITS.map((u, k) => [u.code, CHOICES[(i + k) % 4]])) as never;
      const cast = await castBallot(t.store, t.clock, 'Asia/Shanghai', {
        token: tokens[i]!.token,
        roundId: round.id,
        answers,
        comments: { U01: `意见${i}` },
        comment: null,
      });
      if (!cast.ok) throw new Error('cast');
    }
    if (year === 2025) {
      ok(await closeRound(t.store, t.audit, year, 'test'), 'close');
      ok(await publishResults(t.db, t.audit, { year, note: '' }, 'test'), 'publish');
    }
  }
  const admin = await loggedIn(t, 'fuzzadmin');
  const session = admin.cookies.get(SESSION_COOKIE);
  if (!session) throw new Error('no session cookie');
  const links2026 = await tokensOf(t, 2026);
  const tables = (await tableNames(t.db)).filter((n) => !['login_failures', 'admin_sessions'].includes(n) && !n.startsWith('kysely_'));
  // Every write to the stored data, by table, caught as it happens.
  const writes = await watchWrites(t.db, tables);
  return {
    ...t,
    session,
    csrf: admin.token,
    open: links2026.filter((l) => !l.used).map((l) => l.token),
    used: links2026.filter((l) => l.used).map((l) => l.token),
    closed: (await tokensOf(t, 2025)).map((l) => l.token),
    tables,
    writes,
  };
}

let worldOnce: Promise<World> | undefined;
/** One installation for the whole file: building it (a login with scrypt among it) costs more than a test. */
const world = () => (worldOnce ??= buildWorld());

/** Every row of every table that holds stored data (sessions and login failures change legitimately), as text. */
async function fingerprint(w: World): Promise<string> {
  const out: string[] = [];
  for (const table of w.tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(w.db);
    // The audit rows of exports are expected (see EXPORTS), and each is checked where it is written.
    const kept = rows.rows.filter((r) => !(table === 'audit_log' && String(r.action).startsWith('export.')));
    out.push(`# ${table}`, ...kept.map((r) => JSON.stringify(r)).sort());
  }
  return out.join('\n');
}

// ---- hostile values ----

const POISON = ['<', ' ', '%', '.', '代', '\u0000', '"', '/', '\u202e', '\uFFFD', '\n'];
const TRICKY = [
  '',
  ' ',
  "'; drop table ballots; --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as plain text
  '${7*7}{{7*7}}',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%',
  '%zz',
  '%E4%B8',
  '%C0%AF',
  '\r\n\r\n',
  '\u0000\u0001\u0002',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  '[object Object]',
  '=HYPERLINK("http://evil")',
  '-1',
  '1e309',
  'NaN',
  '0x7E9',
  ' 2026',
  '2026\n',
  '２０２６',
  '+2026',
  '2026.0',
  '代表',
  '满意',
  '😀👍🏽',
  'a\u0301\u0301\u0301',
  '\uFEFFsatisfied',
  'satisfied\u200b',
  'SATISFIED ',
  '\u202eU01',
  'Ｕ０１',
  'U01\u0000',
  'true',
  'on',
];

/**
 * A value no field of any form accepts where it matters: never a valid code, number, choice, year or '1'. Long
 * values (up to 400,000 characters) only when `long`; otherwise at most a few thousand.
 */
function hostile(r: Rng, long = false): string {
  let v: string;
  const k = r.int(10);
  if (k < 4) v = r.pick(TRICKY);
  else if (k < 6) v = Array.from({ length: 1 + r.int(40) }, () => String.fromCharCode(32 + r.int(95))).join('');
  else if (k < 7) v = Array.from({ length: 1 + r.int(20) }, () => String.fromCharCode(r.chance(0.5) ? 0x4e00 + r.int(0x5000) : r.int(0x3000))).join('');
  else if (k < 8) v = r.pick(['A', '代', '😀', '%', '<>']).repeat(long && r.chance(0.15) ? 100_000 + r.int(300_000) : 200 + r.int(3000));
  else if (k < 9) v = r.pick(TRICKY) + r.pick(TRICKY) + r.pick(CHOICES);
  else v = r.pick(CHOICES) + r.pick(POISON);
  if (CODE_PATTERN.test(v.trim())) {
    const at = 1 + r.int(Math.max(1, v.length - 1));
    v = v.slice(0, at) + r.pick(POISON.filter((p) => p.trim() !== '')) + v.slice(at);
  }
  return v;
}

const PLAUSIBLE = [
  '1',
  '0',
  '2025',
  '2026',
  '2027',
  'U01',
  'FZ0001',
  'satisfied',
  'unknown',
  '50',
  'score100',
  'overall',
  'category',
  '2026-03-01T00:00:00+08:00',
  'fuzzadmin',
  'on',
  'true',
  '100,70,30',
];

const FIELD_NAMES = [
  '_csrf',
  'confirm',
  'code',
  'name',
  'category',
  'active',
  'stratum',
  'district',
  'phone',
  'email',
  'year',
  'title',
  'sample',
  'scale',
  'points',
  'stratifyShown',
  'stratify',
  'bottomScope',
  'minValid',
  'opens',
  'closes',
  'publicRandom',
  'source',
  'reason',
  'note',
  'username',
  'password',
  'file',
  'deactivateMissing',
  'comment',
  'u.',
  'c.',
  'u.NOPE',
  'u.U01.x',
  '__proto__',
  'constructor',
  'a[b]',
  'a[]',
  '',
  ' ',
  '代表',
  '%zz',
  'x'.repeat(5000),
  ...UNITS.flatMap((u) => [`u.${u.code}`, `c.${u.code}`]),
];

/** Percent-encodes for a URL or a form without throwing on lone surrogates. */
function enc(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
  }
}

// ---- requests ----

type Mode = 'anon' | 'session' | 'csrf';
type Kind = 'form' | 'form-broken' | 'form-bytes' | 'repeat' | 'huge' | 'json' | 'text' | 'multipart' | 'multipart-broken' | 'empty' | 'oversize';

interface Planned {
  method: string;
  path: string;
  mode: Mode;
  kind: Kind | 'none';
  headers: Record<string, string>;
  body?: Uint8Array;
  expect413: boolean;
}

const UPLOADS = new Set(['/admin/units/import', '/admin/pool/import']);
/** Lifecycle verbs that refuse on this installation's rounds even when confirmed: freeze (not draft), draw (drawn), replace and re-issue (hostile codes). */
const CONFIRM_SAFE = /\/admin\/rounds\/[^/]+\/(freeze|draw|replace|reissue)$/;

class Planner {
  private hugeUploads = 0;
  constructor(
    readonly r: Rng,
    readonly w: World,
    readonly routes: { method: string; path: string }[],
  ) {}

  private token(safeOnly: boolean): string {
    const r = this.r;
    const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const shaped = (n: number) => Array.from({ length: n }, () => base64url[r.int(64)]).join('');
    const k = r.int(10);
    if (k < 3) return r.pick(this.w.open);
    if (k < 4) return r.pick(this.w.used);
    if (k < 5) return r.pick(this.w.closed);
    if (k < 7) return shaped(22);
    if (k < 8) return shaped(r.pick([0, 1, 21, 23, 44, 200]));
    return safeOnly ? hostile(r) : r.pick([hostile(r), r.pick(this.w.open) + r.pick(['=', '.', '%00', '/', '..'])]);
  }

  private year(): string {
    const r = this.r;
    return r.pick(['2025', '2026', '2026', '2024', '1999', '2100', '0000', '9999', '99999', '-2026', '20 26', String(r.int(10000)), hostile(r)]);
  }

  /** A value for a path parameter, already in the form it takes in the URL. */
  private param(name: string, csrf: boolean): string {
    const r = this.r;
    let v: string;
    if (name === 'year') v = this.year();
    else if (name === 'name')
      v = r.pick([this.year(), `${this.year()}.json`, `${this.year()}.csv`, `${this.year()}.xlsx`, `${this.year()}.xml`, '.json', hostile(r)]);
    else if (name === 'token') v = this.token(false);
    else if (name === 'code') v = csrf ? hostile(r) : r.pick([...UNITS.map((u) => u.code), ...POOL.slice(0, 4).map((p) => p.code), hostile(r)]);
    else v = hostile(r);
    const e = enc(v);
    switch (r.int(12)) {
      case 0:
        return v.replace(/[#?]/g, '');
      case 1:
        return `..%2f${e}`;
      case 2:
        return `${e}%00`;
      case 3:
        return `${e}%2F..%2F..%2Fadmin%2Faudit`;
      case 4:
        return `%2e%2e%2f${e}`;
      case 5:
        return enc(e);
      case 6:
        return `${e}${r.pick(['%', '%z', '%E4%B8', '%C0%AF', '%ff', ';x=1', '/', '/.', '//'])}`;
      default:
        return e;
    }
  }

  private path(route: string, csrf: boolean): string {
    const r = this.r;
    if (route === '/assets/*')
      return `/assets/${r.pick(['css/app.css', '../../package.json', '..%2f..%2fpackage.json', '%00', enc(hostile(r)), 'x'.repeat(5000)])}`;
    return route.replace(/:(\w+)/g, (_, name: string) => this.param(name, csrf));
  }

  /** A path that no route was written for: tricks on the way to the console and the data. */
  private freePath(): string {
    const r = this.r;
    return r.pick([
      '/admin/../admin/audit',
      '/%2e%2e/admin/audit',
      '/admin/%2e%2e/admin/pool',
      '/s/..%2f..%2fadmin%2fpool',
      '/admin%2fpool',
      '/%61dmin/pool',
      '/ADMIN/pool',
      '/admin//pool',
      '/admin/./pool',
      '/admin;x=1/pool',
      '/admin/pool%00',
      '/admin/pool/export.csv%00.txt',
      '/admin/rounds/2026/links.csv/',
      '/results/2025.json%00',
      '/results/2025%2Ejson',
      '/draw/2026.json/..',
      '/units/U01%2F..%2F..%2Fadmin',
      '/%00',
      '/%',
      '/%zz',
      '/%ff%fe',
      '/代表/测评',
      `/s/${'A'.repeat(r.pick([23, 1000, 60_000]))}`,
      `/${'x/'.repeat(3000)}`,
      '//evil.example/x',
      '/\\evil.example',
      `/${enc(hostile(r))}`,
      `/${enc(hostile(r))}/${enc(hostile(r))}`,
    ]);
  }

  private query(): string {
    const r = this.r;
    const parts: string[] = [];
    for (let i = 0, n = 1 + r.int(3); i < n; i++) {
      parts.push(
        r.pick([
          `lang=${r.pick(['en', 'zh-CN', 'fr', '', '%', '%zz', 'en%00', enc(hostile(r))])}`,
          `text=${r.pick(['large', 'normal', 'huge', '%', ''])}`,
          `receipt=${r.pick(['ABCD-EFGH', '2345-6789', 'abcd-efgh', '%', enc(hostile(r))])}`,
          `next=${r.pick(['/admin/pool', '//evil.example', 'https://evil.example', '/admin/%2e%2e/x', '%', enc(hostile(r))])}`,
          'unused=1',
          `q=${enc(hostile(r))}`,
          `stratum=${enc(hostile(r))}`,
          `district=${r.pick(['%', '南河区', enc(hostile(r))])}`,
          `page=${r.pick(['-1', '0', '99999999999', 'x', '1.5'])}`,
          `done=${r.pick(['imported', 'added', 'drawn', 'published', 'x'])}&added=%ZZ&n=${enc(hostile(r))}&code=${enc(hostile(r))}&out=%&in=%E4`,
          `version=${r.pick(['1', '0', '-1', '9999', 'x'])}&sha=${enc(hostile(r))}`,
          `bye=1`,
          `${enc(hostile(r))}=${enc(hostile(r))}`,
          'a=1&'.repeat(r.pick([10, 3000])),
          '&&&===&=&',
          '%',
          '%E4%B8%',
          // biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL cannot be part of a URL, so it is taken out
          `${hostile(r).replace(/[#\u0000]/g, '')}`,
        ]),
      );
    }
    return `?${parts.join('&')}`;
  }

  /** Form fields for a route; for a ballot, never a complete valid one (so nothing may be stored). */
  private fields(path: string, mode: Mode): [string, string][] {
    const r = this.r;
    let longs = 0;
    // Plausible values only where a guard refuses anyway: never with a valid token, never in a ballot (where one
    // could complete the form).
    const plausible = mode !== 'csrf' && !path.startsWith('/s/');
    const value = () => (!plausible || r.chance(0.6) ? hostile(r, longs++ === 0) : r.pick(PLAUSIBLE));
    const out: [string, string][] = [];
    if (path.startsWith('/s/')) {
      const broken = r.pick(UNITS).code;
      for (const u of UNITS) {
        if (u.code === broken) {
          if (r.chance(0.5)) out.push([`u.${u.code}`, hostile(r)]);
        } else if (r.chance(0.85)) out.push([`u.${u.code}`, r.chance(0.8) ? r.pick(CHOICES) : hostile(r)]);
        if (r.chance(0.2)) out.push([`c.${u.code}`, r.chance(0.5) ? '意见'.repeat(r.int(400)) : hostile(r)]);
      }
      if (r.chance(0.3)) out.push(['comment', r.chance(0.5) ? '总'.repeat(r.int(3000)) : hostile(r)]);
      if (r.chance(0.1)) out.push([r.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']), hostile(r)]);
    }
    for (let i = 0, n = r.int(6); i < n; i++) out.push([r.pick(FIELD_NAMES), value()]);
    if (mode === 'csrf' && CONFIRM_SAFE.test(path) && r.chance(0.7)) out.push(['confirm', '1']);
    return out;
  }

  private csvFile(path: string, mode: Mode): Uint8Array {
    const r = this.r;
    const pool = path.startsWith('/admin/pool');
    let bytes = r.chance(0.2) ? r.bytes(r.int(2000)) : mutateCsv(r, pool ? validPoolCsv(r) : validUnitsCsv(r));
    // Logged in with a valid token, a file the importer accepts would be a real import: only refused ones go.
    if (mode === 'csrf') {
      const parse = pool ? parsePoolCsv : parseUnitsCsv;
      if (parse(bytes, en).ok) bytes = concat(bytes, '\n"unterminated');
      if (parse(bytes, en).ok) bytes = utf8('x');
    }
    return bytes;
  }

  private multipart(fields: [string, string][], file: Uint8Array | undefined, boundary: string, broken: boolean): Uint8Array {
    const r = this.r;
    const nl = broken && r.chance(0.3) ? '\n' : '\r\n';
    const parts: (Uint8Array | string)[] = [];
    const quote = (s: string) => (broken && r.chance(0.3) ? s : s.replace(/["\r\n]/g, '_'));
    for (const [k, v] of fields) parts.push(`--${boundary}${nl}Content-Disposition: form-data; name="${quote(k)}"${nl}${nl}${v}${nl}`);
    if (file)
      parts.push(
        `--${boundary}${nl}Content-Disposition: form-data; name="file"; filename="${quote(broken ? hostile(r) : 'a.csv')}"${nl}Content-Type: text/csv${nl}${nl}`,
        file,
        nl,
      );
    if (broken) {
      const k = r.int(6);
      if (k === 0)
        parts.push(`--${boundary}`); // no closing "--"
      else if (k === 1) parts.push(`--${boundary}${nl}${nl}headless${nl}--${boundary}--${nl}`);
      else if (k === 2) parts.unshift(`--other${nl}Content-Disposition: form-data; name="x"${nl}${nl}y${nl}`);
      else if (k === 3)
        parts.push(
          `--${boundary}${nl}Content-Disposition: form-data; name="x"${nl}Content-Type: multipart/mixed; boundary=inner${nl}${nl}--inner${nl}x--inner--${nl}--${boundary}--`,
        );
      else if (k === 4) parts.push(`--${boundary}${nl}Content-Disposition: form-data; name="n"${nl}${nl}v${nl}`.repeat(3000), `--${boundary}--${nl}`);
      else parts.splice(r.int(parts.length + 1), 0, r.bytes(1 + r.int(300)));
    } else parts.push(`--${boundary}--${nl}`);
    return concat(...parts);
  }

  private body(path: string, mode: Mode, csrfInBody: boolean): { kind: Kind; ct: string | undefined; body: Uint8Array; expect413: boolean } {
    const r = this.r;
    const fields = this.fields(path, mode);
    if (csrfInBody) fields.splice(r.int(fields.length + 1), 0, ['_csrf', this.w.csrf]);
    const form = 'application/x-www-form-urlencoded';
    const upload = UPLOADS.has(path);
    let kind: Kind = r.pick([
      'form',
      'form',
      'form-broken',
      'form-bytes',
      'repeat',
      'huge',
      'json',
      'text',
      'multipart',
      'multipart',
      'multipart-broken',
      'empty',
      'oversize',
    ]);
    if (kind === 'oversize' && upload && this.hugeUploads >= 2) kind = 'multipart';
    let ct: string | undefined = form;
    let body: Uint8Array;
    const encoded = () => fields.map(([k, v]) => `${enc(k)}=${enc(v)}`);
    switch (kind) {
      case 'form':
        body = utf8(encoded().join('&'));
        break;
      case 'form-broken': {
        // Percent-encoding broken after the value (a name or value with raw '%', '+', '=' and '&' in it).
        const tails = ['%', '%Z', '%E4%B8', '%C0%AF', '%%', '+%2', '=', '&&', '%u4E2D'];
        body = utf8(fields.map(([k, v]) => `${enc(k)}=${enc(v)}${r.pick(tails)}`).join(r.pick(['&', '&&', ';'])));
        break;
      }
      case 'form-bytes': {
        const bad = [[0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe4, 0xb8], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x00]];
        body = concat(...encoded().flatMap((p) => [p, Uint8Array.from(r.pick(bad)), '&']));
        break;
      }
      case 'repeat': {
        const [k, v] = fields[0] ?? ['u.U01', 'satisfied'];
        const one = `${enc(k)}=${enc(v.slice(0, 100))}`;
        body = utf8(Array.from({ length: 1000 + r.int(4000) }, () => (r.chance(0.9) ? one : `${enc(k)}=${enc(hostile(r).slice(0, 100))}`)).join('&'));
        break;
      }
      case 'huge':
        body = utf8([...encoded(), `${enc(r.pick(FIELD_NAMES))}=${'A'.repeat(200_000 + r.int(700_000))}`].join('&'));
        break;
      case 'json':
        body = utf8(JSON.stringify(Object.fromEntries(fields)));
        ct = r.pick(['application/json', form]);
        break;
      case 'text':
        body = utf8(fields.map(([k, v]) => `${k}=${v}`).join('\n'));
        ct = r.pick(['text/plain', 'text/plain; charset=gb2312', form]);
        break;
      case 'multipart':
      case 'multipart-broken': {
        const boundary = r.pick(['----fuzz', 'x', 'a'.repeat(70), '"quoted"', '代']);
        const file = upload || r.chance(0.2) ? this.csvFile(path, mode) : undefined;
        body = this.multipart(fields, file, boundary.replace(/"/g, ''), kind === 'multipart-broken');
        ct =
          kind === 'multipart'
            ? `multipart/form-data; boundary=${boundary}`
            : r.pick([
                'multipart/form-data',
                `multipart/form-data; boundary=`,
                `multipart/form-data; boundary=wrong`,
                `multipart/form-data; boundary=${boundary}; boundary=again`,
                `multipart/mixed; boundary=${boundary}`,
              ]);
        break;
      }
      case 'empty':
        body = new Uint8Array(0);
        break;
      case 'oversize': {
        const limit = upload ? 20 * MiB : MiB;
        if (upload) this.hugeUploads++;
        body = new Uint8Array(limit + 1 + r.int(1000)).fill(0x61);
        body.set(utf8('a='));
        return { kind, ct: r.pick([form, 'multipart/form-data; boundary=x', undefined]), body, expect413: true };
      }
    }
    // Now and then the content type says something else entirely, or nothing.
    if (r.chance(0.15))
      ct = r.pick([
        undefined,
        '',
        'application/json',
        'text/html',
        'application/octet-stream',
        'APPLICATION/X-WWW-FORM-URLENCODED',
        `${form}; charset=utf-16`,
        `${form}, multipart/form-data`,
        '*/*',
        hostile(r),
      ]);
    return { kind, ct, body, expect413: false };
  }

  plan(): Planned {
    const r = this.r;
    const mode: Mode = r.pick(['anon', 'anon', 'session', 'csrf', 'csrf']);
    // The one write open to anyone, the ballot, gets a tenth of all requests on top of its share.
    const route = r.chance(0.1) ? { method: 'POST', path: '/s/:token' } : r.pick(this.routes);
    let method = route.method;
    if (r.chance(0.08)) method = r.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
    // Logging out with a valid token would end the session the rest of the run uses.
    if (mode === 'csrf' && route.path === '/admin/logout' && method === 'POST') method = 'GET';
    const csrf = mode === 'csrf' && method !== 'GET' && method !== 'HEAD';
    let path = r.chance(0.1) ? this.freePath() : this.path(route.path, csrf);
    if (r.chance(0.3)) path += this.query();

    const headers: Record<string, string> = {};
    headers['x-forwarded-for'] = r.chance(0.9)
      ? `10.${r.int(256)}.${r.int(256)}.${r.int(256)}`
      : r.pick(['', 'unknown', '1.2.3.4, 5.6.7.8', 'x'.repeat(500), '::1', hostile(r)]);
    const cookies: string[] = [];
    if (mode !== 'anon') cookies.push(`${SESSION_COOKIE}=${this.w.session}`);
    else if (r.chance(0.2)) cookies.push(`${SESSION_COOKIE}=${r.pick(['', 'x', 'a'.repeat(43), enc(hostile(r)), forged(this.w.session)])}`);
    if (r.chance(0.2)) cookies.push(`lang=${r.pick(['en', 'zh-CN', 'xx', '%', enc(hostile(r))])}`);
    if (r.chance(0.1)) cookies.push(r.pick(['text=large', 'text=%', '=;=;', 'a', `x=${'y'.repeat(5000)}`]));
    if (cookies.length) headers.cookie = cookies.join('; ');
    if (r.chance(0.2)) headers['accept-language'] = r.pick(['en', 'zh-CN,zh;q=0.9', '*', 'xx-YY', ';q=', 'en,'.repeat(1000), hostile(r)]);
    if (r.chance(0.1)) headers.accept = r.pick(['application/json', 'text/csv', '*/*', hostile(r)]);
    if (r.chance(0.1)) headers.origin = r.pick(['http://localhost', 'http://evil.example', 'null', hostile(r)]);
    if (r.chance(0.1)) headers['sec-fetch-site'] = r.pick(['same-origin', 'cross-site', 'none', hostile(r)]);
    if (mode === 'session' && r.chance(0.5)) headers['x-csrf-token'] = r.pick(['', 'x', this.w.csrf.slice(1), `${this.w.csrf}x`, hostile(r)]);
    let csrfInBody = false;
    if (csrf) {
      if (r.chance(0.5)) headers['x-csrf-token'] = this.w.csrf;
      else csrfInBody = true;
    }

    if (method === 'GET' || method === 'HEAD') return { method, path, mode, kind: 'none', headers: safeHeaders(headers), expect413: false };
    const b = this.body(path.split('?')[0] as string, mode, csrfInBody);
    if (b.ct !== undefined) headers['content-type'] = b.ct;
    if (b.kind === 'oversize' && r.chance(0.5)) headers['content-length'] = String(b.body.length);
    return { method, path, mode, kind: b.kind, headers: safeHeaders(headers), body: b.body, expect413: b.expect413 };
  }
}

/** The session id with one character changed: the right shape, but not a session. */
function forged(session: string): string {
  return session.slice(0, 10) + (session[10] === 'A' ? 'B' : 'A') + session.slice(11);
}

/** Header values as HTTP carries them (bytes, no line breaks): what a client could send at all. */
function safeHeaders(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.replace(/[^\x20-\x7e\x80-\xff\t]/g, '?')]));
}

function describe(p: Planned, status: number | string): string {
  const path = p.path.length > 200 ? `${p.path.slice(0, 200)}…(${p.path.length})` : p.path;
  return `${p.method} ${path} [${p.mode}, ${p.kind}, content-type ${JSON.stringify(p.headers['content-type'])}, ${p.body?.length ?? 0} bytes] → ${status}`;
}

// ---- CSV files ----

function validUnitsCsv(r: Rng): Uint8Array {
  const header = r.pick(['code,name,category,active', '编号,名称,类别,有效', 'Code,Name,Category']);
  const n = header.split(',').length;
  const rows = UNITS.slice(0, 1 + r.int(UNITS.length)).map((u) => [u.code, u.name, u.category, '1'].slice(0, n).join(','));
  const nl = r.pick(['\n', '\r\n']);
  return concat(r.chance(0.5) ? '\uFEFF' : '', [header, ...rows].join(nl), nl);
}

/** GB2312 two-byte characters (what Excel on a Chinese Windows writes): a lead byte B0–F7, a trail A1–FE. */
function gbText(r: Rng, chars: number): Uint8Array {
  return Uint8Array.from({ length: chars * 2 }, (_, i) => (i % 2 === 0 ? 0xb0 + r.int(0x48) : 0xa1 + r.int(0x5e)));
}

function validPoolCsv(r: Rng): Uint8Array {
  const nl = r.pick(['\n', '\r\n']);
  if (r.chance(0.3)) {
    // GB18030: names and strata in two-byte characters.
    const lines: (Uint8Array | string)[] = [`code,name,stratum,phone${nl}`];
    for (const p of POOL.slice(0, 1 + r.int(8))) lines.push(`${p.code},`, gbText(r, 2 + r.int(3)), ',', gbText(r, 4), `,${p.phone}${nl}`);
    return concat(...lines);
  }
  const header = r.pick(['code,name,stratum,district,phone,email,active', '编号,姓名,界别,区县,电话,邮箱,有效', 'code,name,stratum']);
  const n = header.split(',').length;
  const rows = POOL.slice(0, 1 + r.int(POOL.length)).map((p) =>
    [p.code, p.name, p.stratum, p.district, p.phone, p.email, r.pick(['1', '0', '是', ''])].slice(0, n).join(','),
  );
  return concat(r.chance(0.5) ? '\uFEFF' : '', [header, ...rows].join(nl), nl);
}

/** One to five random edits of a file: bytes deleted, inserted, duplicated; quotes, BOMs, GB18030 bytes, line ends. */
function mutateCsv(r: Rng, input: Uint8Array): Uint8Array {
  let b = input;
  for (let i = 0, n = 1 + r.int(5); i < n; i++) {
    const at = r.int(b.length + 1);
    const len = 1 + r.int(Math.max(1, Math.min(40, b.length - at)));
    const insert = (x: Uint8Array | string) => concat(b.subarray(0, at), x, b.subarray(at));
    switch (r.int(14)) {
      case 0:
        b = concat(b.subarray(0, at), b.subarray(at + len));
        break;
      case 1:
        b = insert(r.bytes(1 + r.int(8)));
        break;
      case 2:
        b = insert(b.slice(at, at + len));
        break;
      case 3:
        b = insert(r.pick(['"', '""', '"\n', ',"', '"x"y"']));
        break;
      case 4:
        b = r.chance(0.5) ? concat('\uFEFF', b) : insert('\uFEFF');
        break;
      case 5:
        b = insert(gbText(r, 1 + r.int(3)));
        break;
      case 6:
        b = insert(r.pick(['\r', '\n', '\r\n', '\n\r', '\r\r\n', '\u2028']));
        break;
      case 7:
        b = insert(r.pick([',', ',,', ';', '\t']));
        break;
      case 8:
        b = b.subarray(0, at);
        break;
      case 9:
        b = insert(Uint8Array.from(r.pick([[0x00], [0xff], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xef, 0xbb]])));
        break;
      case 10: {
        const text = new TextDecoder().decode(b).split('\n');
        const j = r.int(text.length);
        const k = r.int(text.length);
        [text[j], text[k]] = [text[k] as string, text[j] as string];
        b = utf8(text.join('\n'));
        break;
      }
      case 11:
        b = insert(r.pick(['code', 'name', '编号', 'unknown', 'active', 'CODE']));
        break;
      case 12:
        b = insert(`'=${r.pick(['SUM(A1)', 'cmd', '1+1'])}`);
        break;
      default:
        b = insert(hostile(r).slice(0, 300));
    }
  }
  return b;
}

// ---- the suites ----

const http = suite('fuzz: hostile requests at every route');

http(`${REQUESTS} requests: never a 5xx, oversized bodies 413, no personal data to strangers, nothing stored changes`, async () => {
  const w = await world();
  const routes = w.app.routes
    .filter((r) => r.method === 'GET' || r.method === 'POST')
    .filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.path === r.path) === i)
    .map((r) => ({ method: r.method, path: r.path }));
  assert.ok(routes.length > 40, `routes found: ${routes.length}`);
  const before = await fingerprint(w);
  const planner = new Planner(new Rng(SEED), w, routes);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let unsendable = 0;
  const started = Date.now();

  for (let i = 0; i < REQUESTS; i++) {
    const p = planner.plan();
    let req: Request;
    try {
      req = new Request(`http://localhost${p.path}`, { method: p.method, headers: p.headers, body: p.body as BodyInit | undefined });
    } catch {
      unsendable++; // not a request any client could send (e.g. a header the Fetch API refuses)
      continue;
    }
    let res: Response;
    let text: string;
    try {
      res = await w.app.fetch(req);
      text = p.method === 'HEAD' ? '' : await res.text();
    } catch (e) {
      failures.push(`#${i} ${describe(p, `threw ${(e as Error).message}`)}`);
      continue;
    }
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500)
      failures.push(
        `#${i} ${describe(p, res.status)}\n    ${w.logs
          .filter((l) => / ERROR /.test(l))
          .at(-1)
          ?.split('\n')
          .slice(0, 3)
          .join('\n    ')}`,
      );
    if (p.expect413 && res.status !== 413) failures.push(`#${i} ${describe(p, res.status)}: an oversized body should get 413`);
    if (p.mode === 'anon') {
      const leaked = PERSONAL.find((x) => text.includes(x));
      if (leaked) failures.push(`#${i} ${describe(p, res.status)}: personal data (${leaked}) shown to an anonymous visitor`);
      if (text.includes('action="/admin/logout"')) failures.push(`#${i} ${describe(p, res.status)}: a console page shown to an anonymous visitor`);
    }
    // An export of personal data or links that was handed over is an audited action: its one audit row is expected.
    const exported = (p.method === 'GET' || p.method === 'HEAD') && res.status === 200 && EXPORTS.test(p.path.split('?')[0] as string);
    const writes = (await w.writes.take()).filter((x) => !(exported && x.op === 'insert' && x.tbl === 'audit_log'));
    if (writes.length) failures.push(`#${i} ${describe(p, res.status)}: wrote ${writes.map((x) => `${x.op} ${x.tbl}`).join(', ')}`);
  }
  const ms = Date.now() - started;
  console.log(
    `  ${REQUESTS - unsendable} requests in ${ms} ms (${unsendable} not sendable); statuses ${[...statuses]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`,
  );
  assert.ok(REQUESTS - unsendable > REQUESTS * 0.9, 'nearly every planned request was sent');
  assert.ok(
    (statuses.get(413) ?? 0) > 0 && (statuses.get(415) ?? 0) > 0 && (statuses.get(422) ?? 0) > 0 && (statuses.get(403) ?? 0) > 0,
    'the run reached the checks (413, 415, 422, 403 seen)',
  );
  const after = await fingerprint(w);
  if (after !== before) {
    const was = new Set(before.split('\n'));
    const is = new Set(after.split('\n'));
    const gone = [...was].filter((l) => !is.has(l)).slice(0, 5);
    const added = [...is].filter((l) => !was.has(l)).slice(0, 5);
    failures.push(`stored data changed: rows gone ${JSON.stringify(gone)}, rows added ${JSON.stringify(added)}`);
  }
  assert.equal(failures.slice(0, 15), [], `${failures.length} failures (seed ${SEED}); the first ones are listed`);

  // And the installation still works for real users afterwards.
  const form = await w.app.request(`/s/${w.open[0]}`, {
    method: 'POST',
    body: new URLSearchParams(UNITS.map((u) => [`u.${u.code}`, 'basic'])).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.is(form.status, 303, 'a valid ballot after the storm');
  const console_ = await w.app.request('/admin/pool', { headers: { cookie: `${SESSION_COOKIE}=${w.session}` } });
  assert.is(console_.status, 200, 'the administrator is still logged in');
});

http.run();

const csv = suite('fuzz: the CSV importers never throw and report every problem with a line number');

/** Lines in the decoded text, counting every kind of line end: no problem may point past the last one. */
function lineCount(bytes: Uint8Array): number {
  return (decodeText(bytes).text.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
}

/** Records the first example of each kind of failure, and how many there were. */
class Failures {
  readonly kinds = new Map<string, { n: number; example: string }>();
  add(kind: string, example: string) {
    const k = this.kinds.get(kind);
    if (k) k.n++;
    else this.kinds.set(kind, { n: 1, example });
  }
  list(): string[] {
    return [...this.kinds].map(([kind, { n, example }]) => `${kind} (×${n}), e.g. ${example}`);
  }
}

function checkParse(name: 'units' | 'pool', bytes: Uint8Array, failures: Failures) {
  const shown = () => JSON.stringify(decodeText(bytes.subarray(0, 300)).text);
  const parse = name === 'units' ? parseUnitsCsv : parsePoolCsv;
  let result: ReturnType<typeof parseUnitsCsv> | ReturnType<typeof parsePoolCsv>;
  try {
    result = parse(bytes, en);
  } catch (e) {
    failures.add(`${name}: threw`, `${(e as Error).message} on ${shown()}`);
    return;
  }
  if (result.ok) {
    const rows = result.rows as (UnitInput | RepresentativeInput)[];
    const bad = rows.find(
      (row) =>
        typeof row.active !== 'boolean' || (name === 'units' ? unitProblems(row as UnitInput) : representativeProblems(row as RepresentativeInput)).length > 0,
    );
    if (bad) failures.add(`${name}: accepted an invalid row`, `${JSON.stringify(bad)} from ${shown()}`);
    if (new Set(rows.map((row) => row.code)).size !== rows.length) failures.add(`${name}: accepted a repeated code`, shown());
    return;
  }
  const max = lineCount(bytes);
  if (result.problems.length === 0) failures.add(`${name}: refused without a problem`, shown());
  for (const p of result.problems) {
    if (!Number.isInteger(p.line) || p.line < 1 || p.line > max)
      failures.add(`${name}: a problem on a line the file does not have`, `line ${p.line} of ${max}: "${p.message}" in ${shown()}`);
    if (typeof p.message !== 'string' || p.message.trim() === '') failures.add(`${name}: a problem without a message`, shown());
  }
}

csv('random bytes and mutated valid files, units and pool', () => {
  const r = new Rng(`${SEED}:csv`);
  const failures = new Failures();
  let accepted = 0;
  for (let i = 0; i < FILES; i++) {
    const name = i % 2 ? ('pool' as const) : ('units' as const);
    const k = r.int(10);
    const bytes = k === 0 ? r.bytes(r.int(3000)) : k === 1 ? new Uint8Array(0) : mutateCsv(r, name === 'pool' ? validPoolCsv(r) : validUnitsCsv(r));
    checkParse(name, bytes, failures);
    if ((name === 'pool' ? parsePoolCsv : parseUnitsCsv)(bytes, en).ok) accepted++;
  }
  // The valid files themselves, unmutated, are read (so the mutations start from real files).
  for (let i = 0; i < 50; i++) {
    assert.ok(parseUnitsCsv(validUnitsCsv(r), en).ok, 'a valid units file');
    const pool = validPoolCsv(r);
    assert.ok(parsePoolCsv(pool, en).ok, `a valid pool file ${Buffer.from(pool).toString('hex').slice(0, 200)}`);
  }
  console.log(`  ${FILES} files: ${accepted} accepted, ${FILES - accepted} refused`);
  assert.equal(failures.list(), [], `CSV fuzz failures (seed ${SEED}:csv)`);
});

const pinned = suite('fuzz: what it found, pinned as plain cases');

// A ballot's fields are collected into a plain object (server/survey/routes.tsx), where `fields[k] ??= []` finds
// Object.prototype's own members for these names, and `.push` on them throws.
pinned('a ballot with a field named like an Object member (constructor, __proto__, toString …) is refused with 422, not a 500', async () => {
  const w = await world();
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    const res = await w.app.request(`/s/${w.open.at(-1)}`, {
      method: 'POST',
      body: `u.U01=satisfied&${name}=x`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.is(res.status, 422, `a field named ${name}: ${res.status}`);
  }
});

// PostgreSQL refuses text with a NUL character in it; a NUL in an address or a form field used to reach a query
// and answer 500 there (SQLite takes it as any other character and finds nothing).
pinned('a NUL character in an address, a search or a form field is answered, never with a 500', async () => {
  const w = await world();
  const cookie = `${SESSION_COOKIE}=${w.session}`;
  for (const path of [
    '/admin/units/U03%00/edit',
    '/admin/pool?q=a%00b',
    '/admin/pool/r/U05%00',
    '/units/U01%00',
    '/results/2025%00',
    `/s/${w.open.at(-1)}%00`,
  ]) {
    const res = await w.app.request(path, { headers: { cookie } });
    assert.ok(res.status < 500, `${path}: ${res.status}`);
  }
  const res = await w.app.request(`/s/${w.open.at(-1)}`, {
    method: 'POST',
    body: 'u.U01=satisfied&comment=a%00b',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.ok(res.status < 500, `a form field with NUL: ${res.status}`);
});

pinned.run();

// What the fuzzing above found, boiled down: csv-parse counts a CR and an LF as two lines wherever they are not the
// file's record delimiter (inside a quoted field of a CRLF file; a CRLF line in an LF file), and readCsv passes
// those counts on, so a problem is reported on a line the file does not have, or on the line after the bad one.
const lines = [
  {
    what: 'an unclosed quote in a CRLF file (as Excel saves) is reported on a line of the file',
    text: 'code,name,category\r\nU01,"市教育局,公共服务部门\r\nU02,市卫生健康委,公共服务部门\r\nU03,市人社局,公共服务部门\r\n',
    ok: (line: number) => line >= 2 && line <= 4,
    want: 'a line from 2 (where the quote opens) to 4',
  },
  {
    what: 'in an LF file with one CRLF line, a short row is reported on its own line',
    text: 'code,name,category\nU01,市教育局,公共服务部门\r\nU02,市卫生健康委\n',
    ok: (line: number) => line === 3,
    want: 'line 3',
  },
];
for (const c of lines) {
  csv(c.what, () => {
    for (const [name, parse] of [
      ['units', parseUnitsCsv],
      ['pool', parsePoolCsv],
    ] as const) {
      const text = name === 'units' ? c.text : c.text.replace('code,name,category', 'code,name,stratum');
      const r = parse(utf8(text), en);
      assert.not.ok(r.ok, `${name}: refused`);
      if (r.ok) continue;
      const got = r.problems.map((p) => p.line);
      assert.ok(got.length > 0 && got.every(c.ok), `${name}: reported on line(s) ${got.join(', ')} (${r.problems[0]?.message}); want ${c.want}`);
    }
  });
}

csv.run();

// The ballot's form parser slices plain pairs itself (survey/ballot.ts ballotFields): it must read any body exactly as
// URLSearchParams, the standard form decoding, does.
const forms = suite('fuzz: form bodies decode as URLSearchParams decodes them');
forms('random bodies of separators, escapes and text give the same fields', () => {
  const rng = seedrandom(`${SEED}|forms`);
  const pieces = ['&', '=', '%', '+', '%2', '%41', '%E5%BE%88', '%C3', '%ZZ', 'u.D01', '.law', 'satisfied', '评', '__proto__', 'a', '1', ' '];
  for (let n = 0; n < 5000; n++) {
    let body = '';
    for (let k = Math.floor(rng() * 12); k > 0; k--) body += pieces[Math.floor(rng() * pieces.length)];
    const want = new Map<string, string[]>();
    for (const [k, v] of new URLSearchParams(body)) want.set(k, [...(want.get(k) ?? []), v]);
    assert.equal([...ballotFields(body)], [...want], `body ${JSON.stringify(body)}`);
  }
});
forms.run();

// ---- the real server, over a raw socket ----

const wire = suite('fuzz: raw HTTP at the real server (what no Fetch client can send)');

let inst: Installation | undefined;
let server: ChildServer | undefined;

wire.before(async () => {
  inst = await prepareInstallation({ links: 10, units: 4 });
  server = await startChildServer(inst);
});

wire.after(async () => {
  await server?.stop();
  inst?.cleanup();
});

/** Writes `bytes` on a fresh connection; resolves with the status line's code (if any) and what came back. */
function raw(base: string, bytes: string | Uint8Array, opts: { hangUpAfterMs?: number } = {}): Promise<{ status: number | undefined; text: string }> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const sock = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const done = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]) || undefined, text });
    };
    sock.on('data', (d) => chunks.push(d));
    sock.on('close', done);
    sock.on('error', () => {});
    sock.write(bytes);
    setTimeout(() => sock.destroy(), opts.hangUpAfterMs ?? 5000);
  });
}

/** The request lines the server logged with a 5xx, and its ERROR lines. */
function serverErrors(s: ChildServer, from: number): string[] {
  return s
    .output()
    .slice(from)
    .split('\n')
    .filter((l) => / 5\d\d \d/.test(l) || / ERROR /.test(l));
}

wire('path tricks, broken request lines and headers, lying lengths, smuggling: a 4xx or a redirect, never a 5xx or a console page', async () => {
  const s = server as ChildServer;
  const token = (inst as Installation).tokens[0] as string;
  const ballot = ballotBody((inst as Installation).units, 0);
  const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`;
  const post = (target: string, head: string, body: string) =>
    `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n${head}Connection: close\r\n\r\n${body}`;
  const cases: [string, string | Uint8Array][] = [
    ['dot segments into the console', get('/s/../admin/pool')],
    ['encoded dot segments', get('/%2e%2e/admin/pool')],
    ['encoded dots past the root', get('/%2e%2e/%2e%2e/etc/passwd')],
    ['an encoded slash', get('/admin%2fpool')],
    ['a percent-encoded letter', get('/%61dmin/pool')],
    ['a backslash', get('/\\admin\\pool')],
    ['a NUL byte, encoded', get('/s/a%00b')],
    ['broken percent-encoding', get('/%zz/%E4%B8')],
    [
      'raw invalid UTF-8 in the path',
      concat('GET /s/', Uint8Array.from([0xff, 0xfe, 0xe4, 0xb8]), ' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
    ],
    ['raw UTF-8 in the path', concat('GET /units/市教育局 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')],
    ['an absolute-form target of another site', get('http://evil.example/admin/pool')],
    ['a very long path', get(`/s/${'A'.repeat(60_000)}`)],
    ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'],
    ['no Host', 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n'],
    ['a Host with spaces', 'GET / HTTP/1.1\r\nHost: a b<>\r\nConnection: close\r\n\r\n'],
    ['HTTP/1.0 without Host', 'GET /admin/pool HTTP/1.0\r\n\r\n'],
    ['a garbage request line', 'BREW /pot HTCPCP/1.0\r\n\r\n'],
    ['a header of 20 KB', get('/', `X-A: ${'a'.repeat(20_000)}\r\n`)],
    ['a content length beyond the limit', post(`/s/${token}`, 'Content-Length: 99999999\r\n', 'u=1')],
    [
      'a chunked body beyond the limit',
      post('/admin/login', 'Transfer-Encoding: chunked\r\n', `100000\r\n${'a'.repeat(0x100000)}\r\n10\r\n${'a'.repeat(16)}\r\n0\r\n\r\n`),
    ],
    ['broken chunked encoding', post(`/s/${token}`, 'Transfer-Encoding: chunked\r\n', 'zz\r\nabc\r\n0\r\n\r\n')],
    ['a content length shorter than the body', post(`/s/${token}`, 'Content-Length: 5\r\n', `${ballot}&x=1`)],
    ['two content lengths', post(`/s/${token}`, 'Content-Length: 5\r\nContent-Length: 6\r\n', 'u=123')],
    [
      'content length and chunked (smuggling)',
      post(`/s/${token}`, 'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\nGET /admin/pool HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
    ],
    ['a negative content length', post(`/s/${token}`, 'Content-Length: -1\r\n', '')],
  ];
  const from = s.output().length;
  const problems: string[] = [];
  for (const [what, bytes] of cases) {
    const res = await raw(s.base, bytes);
    if (res.status !== undefined && res.status >= 500) problems.push(`${what}: ${res.status}`);
    if (res.text.includes('action="/admin/logout"')) problems.push(`${what}: a console page`);
  }
  assert.equal(problems, [], 'every answer a 4xx or a redirect');
  // Let the server finish whatever it started, then read its log.
  assert.is((await fetch(`${s.base}/healthz`)).status, 200, 'still up');
  await new Promise((r) => setTimeout(r, 200));
  // A request whose body never arrived whole ("aborted") is the next test's subject; here everything else counts.
  const errors = serverErrors(s, from);
  const aborted = errors.filter((l) => / ERROR Error: aborted$/.test(l)).map((l) => l.split(' ')[0]);
  assert.equal(
    errors.filter((l) => !aborted.includes(l.split(' ')[0])),
    [],
    'no 5xx or ERROR in the server log',
  );
});

// The body stream of a request whose client hangs up rejects ("aborted"); the survey (c.req.text()) and the body
// size limit (reading a chunked body) read it outside any catch, so the error handler logs an ERROR with its stack
// and a 500 for what is the client's doing.
wire('a client that hangs up halfway through a ballot: no 5xx and no ERROR in the server log, nothing stored', async () => {
  const s = server as ChildServer;
  const token = (inst as Installation).tokens[1] as string;
  const from = s.output().length;
  const head = `POST /s/${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n`;
  await raw(s.base, `${head}u.U01=satisfied`, { hangUpAfterMs: 200 });
  // The same with a chunked body, which the body-size limit reads before any route does.
  const chunked = `POST /s/${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n400\r\nu.U01=satisfied`;
  await raw(s.base, chunked, { hangUpAfterMs: 200 });
  await new Promise((r) => setTimeout(r, 300));
  const form = await fetch(`${s.base}/s/${token}`);
  assert.is(form.status, 200, 'the link is still unused');
  assert.equal(serverErrors(s, from), [], 'no 5xx or ERROR in the server log');
});

wire.run();
