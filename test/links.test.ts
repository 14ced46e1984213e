// Guards the survey links (docs/SPEC.md, The path of a ballot): tokens derived with HMAC and never stored, re-issue, the links CSV and the
// printable letters, and that neither the database nor the logs hold a token (a stolen database cannot vote).
import { createHash, createHmac } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoPool, demoUnits } from '../server/demo/city.js';
import type { DrawRecord } from '../server/draw/record.js';
import { linkToken, tokenHash } from '../server/links/tokens.js';
import { updateRepresentative, upsertRepresentatives, type RepresentativeInput } from '../server/pool/representatives.js';
import { createRound, drawRound, freezeRound, reissueLink, replaceMember } from '../server/rounds/rounds.js';
import { parseSettings } from '../server/rounds/settings.js';
import { upsertUnits } from '../server/units/units.js';
import type { Outcome } from '../server/validate.js';
import { dumpDatabase } from './db-inspect.js';
import { Browser, createTestApp, loggedIn, type TestApp } from './helpers.js';

const BASE_URL = 'https://pingyi.example.gov.cn';
const SECRET = 'links-test-secret-0123456789-abcdefghij';

/** docs/SPEC.md, The path of a ballot computed here: base64url(HMAC-SHA256(SECRET, "{year}:{code}:{generation}")) cut to 22 characters. */
function expectedToken(year: number, code: string, generation: number, secret = SECRET): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(`${year}:${code}:${generation}`, 'utf8'))
    .digest();
  return mac.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '').slice(0, 22);
}

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function ok<T>(o: Outcome<T>, what = 'action'): T {
  if (!o.ok) throw new Error(`${what} refused: ${o.problems.map((p) => p.key).join(', ')}`);
  return o.value;
}

function rep(code: string, stratum: string, over: Partial<RepresentativeInput> = {}): RepresentativeInput {
  return {
    code,
    name: `姓名${code}`,
    stratum,
    district: '南河区',
    phone: `1900000${code.slice(-4).padStart(4, '0')}`,
    email: `${code.toLowerCase()}@example.org`,
    active: true,
    ...over,
  };
}

const SMALL: RepresentativeInput[] = [
  ...Array.from({ length: 8 }, (_, i) => rep(`QY${String(i).padStart(4, '0')}`, '企业代表')),
  ...Array.from({ length: 6 }, (_, i) =>
    rep(`SQ${String(i).padStart(4, '0')}`, '社区居民', i === 0 ? { district: null, phone: null, email: null, name: 'Li, "Junior"' } : {}),
  ),
];

/** A drawn 2026 round on a fresh app: the demo city (1,000 seats) or a small pool (6 seats). */
async function drawnRound(size: 'demo' | 'small'): Promise<TestApp & { rec: DrawRecord }> {
  const t = await createTestApp({ config: { baseUrl: BASE_URL, secret: SECRET, minPool: 10 } });
  await upsertUnits(t.db, t.audit, demoUnits().slice(0, size === 'demo' ? 40 : 3), 'test');
  await upsertRepresentatives(t.db, t.audit, size === 'demo' ? demoPool() : SMALL, { actor: 'test' });
  const parsed = parseSettings({ year: '2026', sample: size === 'demo' ? '1000' : '6' }, 'Asia/Shanghai', (y) => `Round ${y}`);
  if (!parsed.ok) throw new Error('settings');
  ok(await createRound(t.db, t.audit, parsed.settings, 'test'));
  ok(await freezeRound(t.db, t.audit, 2026, 10, 'test'));
  ok(await drawRound(t.db, t.audit, { year: 2026, publicRandom: 'links', source: '', secret: SECRET }, 'test'));
  const rec = (await (await t.app.request('/draw/2026.json')).json()) as DrawRecord;
  return Object.assign(t, { rec });
}

async function admin(t: TestApp) {
  const b = await loggedIn(t);
  b.cookies.set('lang', 'en');
  return b;
}

async function activeLink(t: TestApp, hash: string) {
  return t.db.selectFrom('round_links').selectAll().where('token_hash', '=', hash).where('active', '=', 1).executeTakeFirst();
}

function parseCsv(text: string): string[][] {
  // The fields in these tests have no line breaks; commas and quotes only in one name.
  return text
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter((l) => l !== '')
    .map((line) => {
      const cells: string[] = [];
      let cur = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i]!;
        if (quoted) {
          if (ch === '"' && line[i + 1] === '"') {
            cur += '"';
            i++;
          } else if (ch === '"') quoted = false;
          else cur += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ',') {
          cells.push(cur);
          cur = '';
        } else cur += ch;
      }
      cells.push(cur);
      return cells;
    });
}

// ---- tokens ----

const tokens = suite('links: tokens are derived with HMAC, only their hashes stored');

tokens('a token is 22 base64url characters and equals the docs/SPEC.md, The path of a ballot derivation', () => {
  for (const [year, code, generation] of [
    [2026, 'QY0001', 1],
    [2026, 'QY0001', 2],
    [2027, 'QY0001', 1],
    [2026, 'a-b_C9', 7],
  ] as const) {
    const token = linkToken(SECRET, year, code, generation);
    assert.match(token, /^[A-Za-z0-9_-]{22}$/);
    assert.is(token, expectedToken(year, code, generation));
    assert.is(tokenHash(token), sha(token));
  }
  const all = new Set([
    linkToken(SECRET, 2026, 'X', 1),
    linkToken(SECRET, 2026, 'X', 2),
    linkToken(SECRET, 2027, 'X', 1),
    linkToken(SECRET, 2026, 'Y', 1),
    linkToken(`${SECRET}!`, 2026, 'X', 1),
  ]);
  assert.is(all.size, 5, 'year, code, generation and secret each change the token');
});

tokens('every seat of a 1,000 draw has one active link whose hash is SHA-256 of the derived token', async () => {
  const t = await drawnRound('demo');
  const links = await t.db.selectFrom('round_links').selectAll().execute();
  assert.is(links.length, 1000);
  assert.equal(links.map((l) => l.code).sort(), [...t.rec.sample!].sort());
  for (const l of links) {
    assert.is(l.generation, 1);
    assert.is(l.active, 1);
    assert.is(l.used_on, null);
    assert.is(l.token_hash, sha(expectedToken(2026, l.code, 1)), l.code);
  }
});

tokens('re-issuing increments the generation: the old hash disappears, the new token works, the CSV shows it', async () => {
  const t = await drawnRound('small');
  const code = t.rec.sample![0]!;
  const first = expectedToken(2026, code, 1);
  assert.ok(await activeLink(t, sha(first)));
  assert.equal(ok(await reissueLink(t.db, t.audit, { year: 2026, code, secret: SECRET }, 'test')), { generation: 2 });
  const second = expectedToken(2026, code, 2);
  assert.is(await t.db.selectFrom('round_links').select('code').where('token_hash', '=', sha(first)).executeTakeFirst(), undefined, 'the old hash is gone');
  const link = await activeLink(t, sha(second));
  assert.is(link?.code, code);
  assert.is(link?.generation, 2);
  assert.equal(ok(await reissueLink(t.db, t.audit, { year: 2026, code, secret: SECRET }, 'test')), { generation: 3 });
  assert.is(await activeLink(t, sha(second)), undefined);
  assert.ok(await activeLink(t, sha(expectedToken(2026, code, 3))));
  const rows = await t.db.selectFrom('round_links').select('code').where('code', '=', code).execute();
  assert.is(rows.length, 1, 'still one link per seat');

  const csv = await (await (await admin(t)).get('/admin/rounds/2026/links.csv')).text();
  assert.ok(csv.includes(`${BASE_URL}/s/${expectedToken(2026, code, 3)}`));
  assert.not.ok(csv.includes(first));
  assert.not.ok(csv.includes(second));
  const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'round.reissue').orderBy('seq').execute();
  assert.equal(
    audit.map((a) => JSON.parse(a.detail)),
    [
      { year: 2026, code, generation: 2 },
      { year: 2026, code, generation: 3 },
    ],
  );
  const other = t.rec.sample![1]!;
  assert.ok(await activeLink(t, sha(expectedToken(2026, other, 1))), 'other links are untouched');
});

tokens('re-issuing needs a seat: unknown code, reserve, or a round with no seats', async () => {
  const t = await drawnRound('small');
  const reserve = Object.values(t.rec.reserves!)[0]![0]!;
  for (const code of ['NOBODY', reserve]) {
    const r = await reissueLink(t.db, t.audit, { year: 2026, code, secret: SECRET }, 'test');
    assert.not.ok(r.ok, code);
    if (!r.ok) assert.is(r.problems[0]!.key, 'rounds.error.notSeated');
  }
  const r = await reissueLink(t.db, t.audit, { year: 2031, code: t.rec.sample![0]!, secret: SECRET }, 'test');
  assert.not.ok(r.ok);
});

tokens.run();

// ---- nothing stored, nothing logged ----

const secrecy = suite('links: no token in the database or a log; a stolen database cannot vote');

secrecy('1,000 seats: the CSV and the letters list every link, and no token (nor the secret) is in the database or the logs', async () => {
  const t = await drawnRound('demo');
  const b = await admin(t);
  const code = t.rec.sample![5]!;
  ok(await reissueLink(t.db, t.audit, { year: 2026, code, secret: SECRET }, 'test'));
  const out = t.rec.sample![6]!;
  const { in: newcomer } = ok(
    await replaceMember(t.db, t.audit, { year: 2026, code: out, reason: 'moved', secret: SECRET, timeZone: 'Asia/Shanghai' }, 'test'),
  );

  const csvRes = await b.get('/admin/rounds/2026/links.csv');
  assert.is(csvRes.status, 200);
  const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await csvRes.arrayBuffer());
  assert.ok(csv.startsWith('\uFEFFcode,name,stratum,district,phone,email,url\r\n'), 'BOM and header');
  const rows = parseCsv(csv).slice(1);
  assert.is(rows.length, 1000, 'one row per seat holder');
  for (const r of rows) {
    assert.is(r.length, 7);
    assert.is(r[6], `${BASE_URL}/s/${expectedToken(2026, r[0]!, r[0] === code ? 2 : 1)}`);
  }
  const letters = await (await b.get('/admin/rounds/2026/letters')).text();
  assert.is((letters.match(/<article class="letter">/g) ?? []).length, 1000, 'one letter per seat holder');
  assert.is((letters.match(/<svg [^>]*class="qr"/g) ?? []).length, 1000, 'one QR code per letter');
  await t.app.request('/draw/2026.json');
  await b.get('/admin/rounds/2026');

  const seats = [...t.rec.sample!.filter((c) => c !== out), newcomer];
  const current = seats.map((c) => expectedToken(2026, c, c === code ? 2 : 1));
  const retired = [expectedToken(2026, code, 1), expectedToken(2026, out, 1)];
  for (const token of current) assert.ok(csv.includes(`${BASE_URL}/s/${token}\r\n`), 'the CSV has every current link');
  for (const token of current) assert.ok(letters.includes(`${BASE_URL}/s/${token}`), 'the letters have every current link');
  for (const token of retired) assert.not.ok(csv.includes(token), 'retired links are not exported');

  const dump = await dumpDatabase(t.db);
  assert.ok(dump.length > 100_000, 'the dump holds the data');
  assert.ok(dump.includes(sha(current[0]!)), 'hashes are there');
  assert.not.ok(dump.includes(SECRET), 'the secret is not in the database');
  for (const token of [...current, ...retired]) assert.not.ok(dump.includes(token), `token in the database: ${token}`);
  // Whatever the database holds, hashing it does not open a link: no stored cell is a token.
  const hashes = new Set((await t.db.selectFrom('round_links').select('token_hash').execute()).map((r) => r.token_hash));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the dump separates cells with U+0001
  for (const cell of dump.split(/[\n\u0001]/)) assert.not.ok(hashes.has(sha(cell)), 'a stored value hashes to a live link');

  const logs = t.logs.join('\n');
  assert.ok(
    t.logs.some((l) => l.includes('/admin/rounds/2026/letters')),
    'requests were logged',
  );
  for (const token of [...current, ...retired]) assert.not.ok(logs.includes(token), `token in the log: ${token}`);
  assert.not.ok(logs.includes(SECRET));
  assert.not.ok(logs.includes(demoPool().find((p) => p.code === code)!.name), 'no names in the log');
});

secrecy('the stored hash is not a link: /s/{hash} and /s/{first 22 of the hash} do not open a survey', async () => {
  const t = await drawnRound('small');
  const { token_hash } = await t.db.selectFrom('round_links').select('token_hash').executeTakeFirstOrThrow();
  for (const path of [`/s/${token_hash}`, `/s/${token_hash.slice(0, 22)}`]) {
    const res = await t.app.request(path);
    assert.is(res.status, 404, path);
  }
  assert.not.ok(t.logs.join('\n').includes(token_hash.slice(0, 22)), 'the path is redacted in the log');
});

secrecy.run();

// ---- the CSV and the letters ----

const files = suite('links: the links CSV and the printable letters');

files('the CSV: BOM, the SPEC header, one row per seat with the contact details and BASE_URL/s/<token>', async () => {
  const t = await drawnRound('small');
  const res = await (await admin(t)).get('/admin/rounds/2026/links.csv');
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.is(res.headers.get('content-disposition'), 'attachment; filename="links-2026.csv"');
  assert.is(res.headers.get('cache-control'), 'no-store', 'personal data is not cached');
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const rows = parseCsv(new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes));
  assert.equal(rows[0], ['code', 'name', 'stratum', 'district', 'phone', 'email', 'url']);
  const body = rows.slice(1);
  assert.is(body.length, 6);
  assert.equal(body.map((r) => r[0]).sort(), [...t.rec.sample!].sort());
  for (const [code, name, stratum, district, phone, email, url] of body) {
    const p = SMALL.find((r) => r.code === code)!;
    assert.equal([name, stratum, district, phone, email], [p.name, p.stratum, p.district ?? '', p.phone ?? '', p.email ?? ''], code);
    assert.is(url, `${BASE_URL}/s/${expectedToken(2026, code!, 1)}`);
  }
});

files('the letters: one <article class="letter"> per seat holder, each with an inline QR SVG and the URL; ?unused=1', async () => {
  const t = await drawnRound('small');
  const b = await admin(t);
  const res = await b.get('/admin/rounds/2026/letters');
  assert.is(res.status, 200);
  const html = await res.text();
  const letters = html.split('<article class="letter">').slice(1);
  assert.is(letters.length, 6);
  for (const code of t.rec.sample!) {
    const letter = letters.find((l) => l.includes(`Representative code: ${code}`));
    assert.ok(letter, code);
    assert.match(letter!, /<svg [^>]*class="qr"[^>]*>/);
    assert.ok(letter!.includes(`${BASE_URL}/s/${expectedToken(2026, code, 1)}`), code);
    assert.ok(letter!.includes('2026-12-20 18:00'), 'the deadline in the city zone');
  }
  assert.not.ok(/<img\b/.test(html), 'no image requests: the QR codes are inline');

  const [used1, used2] = t.rec.sample!;
  await t.db.updateTable('round_links').set({ used_on: '2026-12-03' }).where('code', 'in', [used1!, used2!]).execute();
  const unused = await (await b.get('/admin/rounds/2026/letters?unused=1')).text();
  const unusedLetters = unused.split('<article class="letter">').slice(1);
  assert.is(unusedLetters.length, 4);
  for (const code of [used1!, used2!]) {
    assert.not.ok(unused.includes(`Representative code: ${code}<`), code);
    assert.not.ok(unused.includes(expectedToken(2026, code, 1)), code);
  }
  const all = await (await b.get('/admin/rounds/2026/letters')).text();
  assert.is(all.split('<article class="letter">').length - 1, 6, 'without ?unused=1 everyone is listed');
});

files('after a replacement the newcomer gets a letter and a row; the replaced one has neither', async () => {
  const t = await drawnRound('small');
  const out = t.rec.sample![0]!;
  const { in: newcomer } = ok(await replaceMember(t.db, t.audit, { year: 2026, code: out, reason: 'away', secret: SECRET, timeZone: 'Asia/Shanghai' }, 'test'));
  const b = await admin(t);
  const csv = parseCsv(await (await b.get('/admin/rounds/2026/links.csv')).text()).slice(1);
  assert.ok(csv.some((r) => r[0] === newcomer && r[6] === `${BASE_URL}/s/${expectedToken(2026, newcomer, 1)}`));
  assert.not.ok(csv.some((r) => r[0] === out));
  assert.is(csv.length, 6);
  const letters = await (await b.get('/admin/rounds/2026/letters')).text();
  assert.ok(letters.includes(`Representative code: ${newcomer}<`));
  assert.not.ok(letters.includes(`Representative code: ${out}<`));
});

files("a seat holder re-coded and renamed after the draw keeps the frozen code and link, with today's contact details", async () => {
  const t = await drawnRound('small');
  const code = t.rec.sample![0]!;
  const p = SMALL.find((r) => r.code === code)!;
  assert.is(await updateRepresentative(t.db, t.audit, code, { ...p, code: `${code}N`, name: '新名字', phone: '19000009999' }, 'test'), 'ok');
  const rows = parseCsv(await (await (await admin(t)).get('/admin/rounds/2026/links.csv')).text()).slice(1);
  const row = rows.find((r) => r[0] === code);
  assert.ok(row, 'listed under the code it had at the freeze');
  assert.equal([row![1], row![4], row![6]], ['新名字', '19000009999', `${BASE_URL}/s/${expectedToken(2026, code, 1)}`]);
  assert.not.ok(rows.some((r) => r[0] === `${code}N`));
});

files('only administrators get the links: anonymous visitors are sent to the login, and see no token', async () => {
  const t = await drawnRound('small');
  const anon = new Browser(t);
  for (const path of ['/admin/rounds/2026/links.csv', '/admin/rounds/2026/letters', '/admin/rounds/2026/letters?unused=1']) {
    const res = await anon.get(path);
    assert.is(res.status, 302, path);
    assert.match(res.headers.get('location') ?? '', /^\/admin\/login\?next=/, path);
    const body = await res.text();
    for (const code of t.rec.sample!) assert.not.ok(body.includes(expectedToken(2026, code, 1)), path);
  }
  const forged = await t.app.request('/admin/rounds/2026/links.csv', { headers: { cookie: 'pingyi_session=forged' } });
  assert.is(forged.status, 302);
});

files('before the draw there are no links: 404 for the CSV and the letters', async () => {
  const t = await createTestApp({ config: { baseUrl: BASE_URL, secret: SECRET } });
  await upsertUnits(t.db, t.audit, demoUnits().slice(0, 3), 'test');
  await upsertRepresentatives(t.db, t.audit, SMALL, { actor: 'test' });
  const parsed = parseSettings({ year: '2026', sample: '6' }, 'Asia/Shanghai', (y) => `Round ${y}`);
  if (!parsed.ok) throw new Error('settings');
  ok(await createRound(t.db, t.audit, parsed.settings, 'test'));
  const b = await admin(t);
  assert.is((await b.get('/admin/rounds/2026/links.csv')).status, 404);
  ok(await freezeRound(t.db, t.audit, 2026, 1, 'test'));
  const res = await b.get('/admin/rounds/2026/letters');
  assert.is(res.status, 404);
  assert.ok((await res.text()).includes('Round 2026 has not been drawn; there are no links.'));
  assert.is((await b.get('/admin/rounds/2031/links.csv')).status, 404);
});

files.run();
