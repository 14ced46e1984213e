// Guards the public results (docs/SPEC.md, The method; README, Web pages and routes; README, Open data): the open data served byte for byte and checkable, earlier
// versions readable, the CSV, and the pages a reader sees — ranking, flags, method, downloads — without scripts.
import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { linkToken } from '../server/links/tokens.js';
import { upsertRepresentatives, type RepresentativeInput } from '../server/pool/representatives.js';
import { CSV_COLUMNS, scoreDecimals, type PublishedUnit } from '../server/results/public-data.js';
import { publishResults } from '../server/results/publish.js';
import { checkBody, type ResultsDocument } from '../server/results/snapshot.js';
import { closeRound, createRound, drawRound, freezeRound, openRound } from '../server/rounds/rounds.js';
import { parseSettings } from '../server/rounds/settings.js';
import type { Answer } from '../server/survey/ballot.js';
import { castBallot } from '../server/survey/cast.js';
import { upsertUnits, type UnitInput } from '../server/units/units.js';
import type { Outcome } from '../server/validate.js';
import { createTestApp, type TestApp } from './helpers.js';

const SECRET = 'results-pages-secret-0123456789-abcdefgh';

function ok<T>(o: Outcome<T>, what: string): T {
  if (!o.ok) throw new Error(`${what} refused: ${o.problems.map((p) => p.key).join(', ')}`);
  return o.value;
}

const UNITS: UnitInput[] = [
  { code: 'A1', name: '甲一局', category: '综合管理部门', active: true },
  { code: 'A2', name: '甲二局', category: '综合管理部门', active: true },
  { code: 'A3', name: '甲三局', category: '综合管理部门', active: true },
  { code: 'A4', name: '甲四局', category: '综合管理部门', active: true },
  { code: 'B1', name: '乙一中心', category: '公共服务部门', active: true },
  { code: 'B2', name: '乙二中心', category: '公共服务部门', active: true },
  { code: 'B3', name: '乙三中心', category: '公共服务部门', active: true },
  { code: 'B4', name: '乙四中心', category: '公共服务部门', active: true },
  { code: 'Z9', name: '少票办公室', category: '公共服务部门', active: true },
];

/** Names, phones and e-mails distinctive enough to be searched for anywhere. */
const POOL: RepresentativeInput[] = Array.from({ length: 40 }, (_, i) => {
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

/**
 * Per year and unit: how many of every ten ballots say satisfied and basic (the rest dissatisfied). With 30
 * ballots each pattern comes up three times, so the scores are the round numbers in the comments.
 * 2024: A1 97, A2 90, A3 87, B1 84, B2 81, B3 66, A4 63, B4 56 → bottom three B3, A4, B4.
 * 2025: A2 94, B1 93, A3 83, A4 80, B3 77, B2 63, A1 60, B4 53 → bottom three B2, A1, B4 (B4 two years running).
 */
const QUALITY: Record<number, Record<string, [number, number]>> = {
  2024: { A1: [9, 1], A2: [8, 1], A3: [7, 2], A4: [3, 3], B1: [6, 3], B2: [5, 4], B3: [4, 2], B4: [2, 3] },
  2025: { A1: [2, 4], A2: [8, 2], A3: [7, 1], A4: [6, 2], B1: [9, 0], B2: [3, 3], B3: [5, 3], B4: [1, 4] },
};

function ballot(year: number, i: number): Record<string, Answer> {
  const answers: Record<string, Answer> = {};
  const k = i % 10;
  for (const u of UNITS) {
    const q = QUALITY[year]![u.code];
    // Z9 is known to two people only: too few valid answers to be ranked.
    answers[u.code] = !q ? (i < 2 ? 'satisfied' : 'unknown') : k < q[0] ? 'satisfied' : k < q[0] + q[1] ? 'basic' : 'dissatisfied';
  }
  return answers;
}

/** One round from creation to publication, the clock moved to each step's date in that year. */
async function runYear(t: TestApp, year: number) {
  const at = (md: string) => t.clock.set(`${year}-${md}T02:00:00Z`);
  at('11-20');
  const parsed = parseSettings(
    {
      year: String(year),
      title: `${year}年度民主评议`,
      sample: '30',
      minValid: '5',
      opens: `${year}-12-01T09:00:00+08:00`,
      closes: `${year}-12-20T18:00:00+08:00`,
    },
    'Asia/Shanghai',
    (y) => `Round ${y}`,
  );
  if (!parsed.ok) throw new Error('settings refused');
  ok(await createRound(t.db, t.audit, parsed.settings, 'test'), 'create');
  at('11-24');
  ok(await freezeRound(t.db, t.audit, year, 20, 'test'), 'freeze');
  at('11-27');
  ok(await drawRound(t.db, t.audit, { year, publicRandom: `lottery ${year}`, source: '', secret: SECRET }, 'test'), 'draw');
  at('12-01');
  ok(await openRound(t.db, t.audit, year, 'test'), 'open');
  const round = await t.db.selectFrom('rounds').select('id').where('year', '=', year).executeTakeFirstOrThrow();
  const links = await t.db
    .selectFrom('round_links')
    .select(['code', 'generation'])
    .where('round_id', '=', round.id)
    .where('active', '=', 1)
    .orderBy('code')
    .execute();
  at('12-05');
  for (const [i, link] of links.entries()) {
    const res = await castBallot(t.store, t.clock, 'Asia/Shanghai', {
      token: linkToken(SECRET, year, link.code, link.generation),
      roundId: round.id,
      answers: ballot(year, i),
      comments: {},
      comment: null,
    });
    if (!res.ok) throw new Error(`ballot ${i} refused`);
  }
  at('12-21');
  ok(await closeRound(t.store, t.audit, year, 'test'), 'close');
  at('12-26');
  ok(await publishResults(t.db, t.audit, { year, note: '' }, 'test'), 'publish');
}

/** A city with 2024 and 2025 published; 2026 created but not published. */
async function city(): Promise<TestApp> {
  const t = await createTestApp({ config: { minPool: 20, secret: SECRET }, now: '2024-11-01T02:00:00Z' });
  await upsertUnits(t.db, t.audit, UNITS, 'test');
  await upsertRepresentatives(t.db, t.audit, POOL, { actor: 'test' });
  await runYear(t, 2024);
  await runYear(t, 2025);
  const parsed = parseSettings({ year: '2026' }, 'Asia/Shanghai', (y) => `Round ${y}`);
  if (!parsed.ok) throw new Error('settings refused');
  ok(await createRound(t.db, t.audit, parsed.settings, 'test'), 'create 2026');
  return t;
}

let shared: Promise<TestApp> | undefined;
/** Built once: each suite only reads, except the correction suite, which builds its own. */
const sharedCity = () => (shared ??= city());

async function stored(t: TestApp, year: number, version?: number) {
  const q = t.db
    .selectFrom('published_results')
    .innerJoin('rounds', 'rounds.id', 'published_results.round_id')
    .select(['body', 'version'])
    .where('rounds.year', '=', year)
    .orderBy('version', 'desc');
  const rows = await q.execute();
  const row = version === undefined ? rows[0] : rows.find((r) => r.version === version);
  if (!row) throw new Error(`no stored body for ${year}`);
  return row.body;
}

const get = async (t: TestApp, path: string, headers: Record<string, string> = {}) => t.app.request(path, { headers });
const text = async (t: TestApp, path: string, headers: Record<string, string> = {}) => {
  const res = await get(t, path, headers);
  assert.is(res.status, 200, path);
  return res.text();
};
/** The text of an HTML fragment, tags removed and entities of the escaper undone. */
const plain = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
/** The rows of the ranking table, in page order: each cell's text, and each row's HTML. */
function rankingRows(html: string): { cells: string[]; html: string }[] {
  const table = /<table class="ranking"[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => ({
    cells: [...m[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => plain(c[1]!).trim()),
    html: m[0],
  }));
}
/** The unit name of a ranking row (its link's text). */
const rowName = (row: { html: string }) => plain(/<a href="\/units\/[^"]+">([\s\S]*?)<\/a>/.exec(row.html)?.[1] ?? '');

// ---- open data ----

const data = suite('open data: /results/{year}.json and .csv');

data('the JSON is the stored body byte for byte, and checks against its own sha256', async () => {
  const t = await sharedCity();
  for (const year of [2024, 2025]) {
    const res = await get(t, `/results/${year}.json`);
    assert.is(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json; charset=utf-8/);
    const bytes = Buffer.from(await res.arrayBuffer());
    const body = await stored(t, year);
    assert.ok(bytes.equals(Buffer.from(body, 'utf8')), `${year}: served bytes are the stored bytes`);
    assert.ok(checkBody(bytes.toString('utf8')), `${year}: checkBody`);
    // What anyone can do with the file: cut `,"sha256":"…"` and hash what is left.
    const served = bytes.toString('utf8');
    const m = /,"sha256":"([0-9a-f]{64})"\}$/.exec(served);
    assert.ok(m, 'sha256 is the last field');
    const inner = `${served.slice(0, m!.index)}}`;
    assert.is(createHash('sha256').update(inner, 'utf8').digest('hex'), m![1]);
    assert.not.match(served, /\n|": /, 'compact');
    assert.is(res.headers.get('etag'), `"${m![1]}"`);
  }
});

data('the CSV has a BOM, a header of the unit fields and one row per unit in the JSON order', async () => {
  const t = await sharedCity();
  const res = await get(t, '/results/2025.csv');
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
  assert.is(lines[0], CSV_COLUMNS.join(','));
  const doc = JSON.parse(await stored(t, 2025)) as ResultsDocument;
  assert.is(lines.length, 1 + doc.units.length, 'one row per unit');
  doc.units.forEach((u, i) => {
    const cells = lines[i + 1]!.split(',');
    assert.is(cells[0], u.code);
    assert.is(cells[1], u.name);
    assert.is(cells[CSV_COLUMNS.indexOf('score')], u.score === null ? '' : String(u.score), `${u.code} score exact`);
    assert.is(cells[CSV_COLUMNS.indexOf('rank')], u.rank === null ? '' : String(u.rank));
    assert.is(cells[CSV_COLUMNS.indexOf('bottom3TwoYears')], String(u.bottom3TwoYears));
    assert.is(cells[CSV_COLUMNS.indexOf('scoreInterval.lo')], u.scoreInterval ? String(u.scoreInterval[0]) : '');
  });
  assert.not.match(bytes.toString('utf8'), /代表姓名|1900000|example\.org/, 'no personal data');
});

data('404 for an unknown year, a year not yet published, a malformed name and a version that does not exist', async () => {
  const t = await sharedCity();
  for (const path of [
    '/results/1999',
    '/results/2026',
    '/results/2026.json',
    '/results/2026.csv',
    '/results/20x5',
    '/results/2025.xml',
    '/results/2025?version=9',
    '/results/2025.json?version=0',
    '/results/2025.json?version=abc',
    '/units/NOPE',
    '/units/bad%20code',
    '/results/2026/receipts',
  ]) {
    const res = await get(t, path);
    assert.is(res.status, 404, path);
  }
  const en = await text404(t, '/results/2026?lang=en');
  assert.ok(en.includes('There are no published results for 2026.'));
});

async function text404(t: TestApp, path: string) {
  const res = await get(t, path);
  assert.is(res.status, 404, path);
  return res.text();
}

data.run();

// ---- corrections ----

const versions = suite('corrections: earlier versions stay listed and readable');

versions('after a correction, ?version=1 still serves the first body; the page lists both with note and date', async () => {
  const t = await city();
  const first = await stored(t, 2025, 1);
  const before = await text(t, '/results/2025'); // cached now: a correction must still show
  assert.ok(before.includes('第 1 版'));
  t.clock.set('2026-01-05T02:00:00Z');
  ok(await publishResults(t.db, t.audit, { year: 2025, note: '更正：补录一张纸质票。' }, 'test'), 'correction');
  const second = await stored(t, 2025, 2);
  assert.is.not(first, second, 'a new version');

  assert.is(await text(t, '/results/2025.json?version=1'), first);
  assert.is(await text(t, '/results/2025.json'), second);
  assert.is(await text(t, '/results/2025.json?version=2'), second);
  assert.ok(checkBody(await text(t, '/results/2025.json?version=1')));
  const named = await get(t, '/results/2025.json?version=1');
  assert.match(named.headers.get('cache-control') ?? '', /immutable/, 'a named version never changes');
  assert.match((await get(t, '/results/2025.json')).headers.get('cache-control') ?? '', /max-age=60/);
  const csv1 = Buffer.from(await (await get(t, '/results/2025.csv?version=1')).arrayBuffer());
  assert.equal([...csv1.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the CSV of version 1, with its BOM');

  const latest = await text(t, '/results/2025');
  assert.ok(latest.includes('第 2 版'), 'the page shows the new version at once');
  assert.ok(latest.includes('更正：补录一张纸质票。'), 'with its note');
  assert.ok(latest.includes('href="/results/2025?version=1"'), 'links the earlier version');
  assert.ok(latest.includes('2026-01-05 10:00'), 'the correction date, in the city time zone');
  assert.ok(latest.includes('2025-12-26 10:00'), 'the first date');

  const old = await text(t, '/results/2025?version=1');
  assert.ok(old.includes('您正在查看第 1 版，这不是最新版本。'));
  assert.ok(old.includes('href="/results/2025.json?version=1"'), 'its downloads are of version 1');
  assert.ok(
    old.includes(
      createHash('sha256')
        .update(`${first.slice(0, first.lastIndexOf(',"sha256"'))}}`)
        .digest('hex'),
    ),
    'its own fingerprint',
  );
});

versions.run();

// ---- the results page ----

const pageSuite = suite('the results page');

pageSuite('lists every unit in rank order with 2-decimal scores, flags in words, unranked units said so', async () => {
  const t = await sharedCity();
  const html = await text(t, '/results/2025');
  const doc = JSON.parse(await stored(t, 2025)) as ResultsDocument;
  const rows = rankingRows(html);
  assert.is(rows.length, UNITS.length, 'every unit');
  assert.equal(
    rows.map(rowName),
    doc.units.map((u) => u.name),
    'rank order',
  );
  assert.equal(
    rows.map((r) => r.cells[2]),
    ['94.00', '93.00', '83.00', '80.00', '77.00', '63.00', '60.00', '53.00', '100.00'],
    'scores to two decimals',
  );
  // The flags are words in the page (the stylesheet adds ▼ and ⚠ before them).
  const flagged = rows.filter((r) => r.html.includes('<span class="flag b3">后三位</span>')).map(rowName);
  assert.equal(flagged, ['乙二中心', '甲一局', '乙四中心'], 'bottom three marked with a word');
  assert.ok(rows[7]!.html.includes('<span class="flag two">连续两年后三位</span>'), 'B4: two years running, in words');
  assert.not.ok(rows[6]!.html.includes('连续两年'), 'A1 was not bottom three in 2024');
  assert.ok(rows[8]!.cells[1]!.includes('不参加排名（有效票不足）'), 'Z9 not ranked, in words');
  assert.is(rows[8]!.cells[0], '—');
  const css = await text(t, /href="(\/assets\/css\/app\.[^"]+)"/.exec(html)![1]!);
  assert.match(css, /\.flag\.b3::before \{ content: "▼ "/, 'the symbol before the word');
});

pageSuite('scores get a third decimal only where units of different rank would look equal', () => {
  const unit = (code: string, score: number | null, rank: number | null): PublishedUnit =>
    ({
      code,
      name: code,
      category: 'c',
      valid: 40,
      unknown: 0,
      counts: null,
      score,
      satisfactionRate: 0.5,
      rank,
      categoryRank: rank,
      scoreInterval: null,
      rankInterval: null,
      bottom3: false,
      bottom3TwoYears: false,
      ranked: rank !== null,
    }) as PublishedUnit;
  const d = scoreDecimals([
    unit('a', 90.1234, 1),
    unit('b', 90.1249, 2), // 90.12 like a, ranked apart: both to three decimals
    unit('c', 85.5, 3),
    unit('d', 85.5, 3), // shared rank, equal scores: two decimals are honest
    unit('e', 80.001, 5),
    unit('f', 80.0, 6), // equal scores, ranked apart by the satisfaction rate
    unit('g', 85.504, null), // not ranked: never raises anyone's decimals
  ]);
  assert.equal(Object.fromEntries(d), { a: 3, b: 3, c: 2, d: 2, e: 3, f: 3, g: 2 });
});

pageSuite('the two-years callout, the method box with the round points, downloads, versions', async () => {
  const t = await sharedCity();
  const html = await text(t, '/results/2025');
  const callout = /<section class="callout two-years"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  assert.ok(callout.includes('乙四中心'), 'B4 in the callout');
  assert.not.ok(callout.includes('甲一局'), 'only two-years units in the callout');
  assert.ok(plain(callout).includes('2025 年度和 2024 年度'));
  const method = /<section id="method"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  assert.ok(plain(method).includes('满意 100 分，基本满意 70 分，不满意 30 分'));
  assert.ok(plain(method).includes('至少需要 5 张有效票'), 'the round threshold');
  assert.ok(plain(method).includes('1000'), 'the bootstrap resamples');
  for (const href of ['/results/2025.json', '/results/2025.csv', '/results/2025/receipts']) assert.ok(html.includes(`href="${href}"`), `downloads: ${href}`);
  assert.ok(html.includes('id="versions"'));
  assert.ok(html.includes('href="/results/2024"'), 'links the other years');
  // The 2024 page has no previous year to compare with, and says so.
  const y2024 = plain(await text(t, '/results/2024'));
  assert.ok(y2024.includes('2024 年度之前没有已公布的测评结果'));
});

pageSuite('no inline script, no style attributes, no personal data; chart data embedded as JSON', async () => {
  const t = await sharedCity();
  for (const path of ['/results/2025', '/results/2025?lang=en', '/results/2025?text=large', '/units/B4', '/', '/about', '/results/2025/receipts']) {
    const html = await text(t, path);
    for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) assert.match(tag, /\ssrc="\/assets\/|type="application\/json"/, `${path}: ${tag}`);
    assert.not.match(html, /<[a-z][^>]*\s(on[a-z]+|style)\s*=/i, `${path}: no handler or style attribute`);
    assert.not.match(html, /代表姓名|1900000\d{4}|@example\.org|南河区/, `${path}: no personal data`);
  }
  const html = await text(t, '/results/2025');
  const embedded = /<script type="application\/json" id="results-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  assert.ok(embedded, 'chart data embedded');
  const doc = JSON.parse(await stored(t, 2025)) as ResultsDocument;
  assert.equal(JSON.parse(embedded!).units, doc.units, 'the open data units, as published');
  const scripts = (html.match(/<script type="module" src="([^"]+)"/g) ?? []).map((s) => /src="([^"]+)"/.exec(s)![1]!);
  assert.is(scripts.length, 4);
  assert.match(scripts[0]!, /vendor\/chart\./, 'chart.js first');
  assert.match(scripts[1]!, /js\/chart-style\./, "then the charts' text style");
  assert.match(scripts[2]!, /js\/results\./);
  assert.match(scripts[3]!, /js\/results-check\./, 'and the check in the browser');
  for (const src of scripts) assert.is((await get(t, src)).status, 200, `served from our own server: ${src}`);
});

pageSuite('works in English', async () => {
  const t = await sharedCity();
  const html = await text(t, '/results/2025?lang=en');
  assert.match(html, /<html lang="en"/);
  const p = plain(html);
  for (const s of ['Results 2025', 'Bottom three two years running', 'not ranked (too few valid answers)', 'Method', 'Downloads', 'Versions', 'Points in 2025'])
    assert.ok(p.includes(s), s);
  assert.ok(html.includes('<span class="flag b3">Bottom three</span>'));
  assert.not.match(p, /public\.[a-z]+\.|about\.[a-z]+/, 'no raw catalogue key');
});

pageSuite('the page is cached per language and text size, and gzip is offered', async () => {
  const t = await sharedCity();
  const zh = await text(t, '/results/2025');
  assert.is(await text(t, '/results/2025'), zh, 'the same bytes again');
  const large = await text(t, '/results/2025?text=large');
  assert.match(large, /<html lang="zh-CN" class="large-text"/);
  const gz = await get(t, '/results/2025', { 'accept-encoding': 'gzip, deflate' });
  assert.is(gz.headers.get('content-encoding'), 'gzip');
  assert.match(gz.headers.get('vary') ?? '', /Accept-Encoding/);
});

pageSuite('receipts: the list and a lookup that works without scripts', async () => {
  const t = await sharedCity();
  const doc = JSON.parse(await stored(t, 2025)) as ResultsDocument;
  const html = await text(t, '/results/2025/receipts');
  for (const r of doc.receipts) assert.ok(html.includes(`<code>${r}</code>`), r);
  const lookUp = async (receipt: string) => {
    const res = await t.app.request('/results/2025/receipts', {
      method: 'POST',
      body: new URLSearchParams({ receipt }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.is(res.status, 200);
    return plain(await res.text());
  };
  assert.ok((await lookUp(doc.receipts[3]!.toLowerCase())).includes('您的票已被计入'));
  assert.ok((await lookUp('ZZZZ-ZZZZ')).includes('列表中没有回执码 ZZZZ-ZZZZ'));
  // A receipt in the address is not looked up: it would sit in a proxy's access log.
  assert.not.ok(plain(await text(t, `/results/2025/receipts?receipt=${doc.receipts[3]}`)).includes('您的票已被计入'));
});

pageSuite.run();

// ---- the unit page, the home page, the method ----

const others = suite('/units/{code}, / and /about');

others('a unit across every published year, with its flags', async () => {
  const t = await sharedCity();
  const html = await text(t, '/units/B4');
  const p = plain(html);
  assert.ok(p.includes('乙四中心'));
  for (const y of [2024, 2025]) assert.ok(html.includes(`href="/results/${y}"`), `year ${y}`);
  assert.ok(p.includes('2024 年度排名后三位'));
  assert.ok(p.includes('2025 年度连续两年排名后三位'));
  assert.ok(p.includes('56.00') && p.includes('53.00'), 'the scores of both years');
  assert.ok(html.includes('id="unit-data"'), 'chart data embedded');
  const z9 = plain(await text(t, '/units/Z9?lang=en'));
  assert.ok(z9.includes('not ranked (too few valid answers)'));
});

others('the home page shows the latest year at a glance and the list of years', async () => {
  const t = await sharedCity();
  const html = await text(t, '/');
  const p = plain(html);
  assert.ok(p.includes('最新结果：2025 年度'));
  assert.ok(p.includes('30 / 30') && p.includes('100.0%'), 'turnout');
  assert.ok(p.includes('连续两年排名后三位') && p.includes('乙四中心'), 'the flags');
  // Top and bottom of each category.
  assert.ok(p.includes('甲二局') && p.includes('甲一局'), 'top and bottom of 综合管理部门');
  assert.ok(p.includes('乙一中心'), 'top of 公共服务部门');
  for (const y of [2024, 2025]) assert.ok(html.includes(`href="/results/${y}"`), `year ${y} listed`);
  assert.not.ok(html.includes('href="/results/2026"'), 'an unpublished year is not listed');
  const empty = await createTestApp();
  assert.ok(plain(await text(empty, '/')).includes('尚未公布测评结果。'));
});

others('/about states the formula with the round points, ties, flags and the bootstrap in plain words', async () => {
  const t = await sharedCity();
  const zh = plain(await text(t, '/about'));
  assert.ok(zh.includes('得分 =（100 × 满意票数 + 70 × 基本满意票数 + 30 × 不满意票数）÷ 有效票数'));
  assert.ok(zh.includes('2025 年度的分值：满意 100 分，基本满意 70 分，不满意 30 分。'));
  assert.ok(zh.includes('有效票少于 5 张的单位不参加排名'));
  assert.ok(zh.includes('1、2、2、4'));
  assert.ok(zh.includes('有放回地随机抽出同样数量的票'));
  assert.ok(zh.includes('第 25 个到第 975 个'));
  const en = plain(await text(t, '/about?lang=en'));
  assert.ok(en.includes('score = (100 × satisfied + 70 × basically satisfied + 30 × dissatisfied) ÷ valid answers'));
  assert.ok(en.includes('(100 × 60 + 70 × 30 + 30 × 10) ÷ 100 = 84.00'), 'a worked example');
  assert.ok(en.includes('cautious — wider rather than falsely sharp'));
});

others('/about uses the points of the round in force: other points show up in the formula', async () => {
  const t = await createTestApp();
  const parsed = parseSettings({ year: '2027', points: '100,60,20' }, 'Asia/Shanghai', (y) => `Round ${y}`);
  if (!parsed.ok) throw new Error('settings refused');
  ok(await createRound(t.db, t.audit, parsed.settings, 'test'), 'create');
  const en = plain(await text(t, '/about?lang=en'));
  assert.ok(en.includes('score = (100 × satisfied + 60 × basically satisfied + 20 × dissatisfied) ÷ valid answers'));
});

others.run();
