// Guards the 测评码 (docs/SPEC.md, Channels): codes derived from SECRET and kept only as hashes, read forgivingly, and
// `/k/{code}` deciding a seat exactly as `/s/{token}` does (same pages, same guess limit, one ballot per seat
// whichever way it comes); the `/k` page; re-issue and replacement; the code hashes filled for older links; and that
// nothing new ties a ballot to a person or puts a code in a log.
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import { codeHash, groupedCode, linkCode, normaliseCode } from '../server/links/codes.js';
import { CliError, parseArgs, type CliContext } from '../server/cli/command.js';
import { findCommand } from '../server/cli/commands.js';
import { translator } from '../server/i18n/catalogue.js';
import { fillCodeHashes } from '../server/links/code-hashes.js';
import { updateRepresentative } from '../server/pool/representatives.js';
import { closeRound, reissueLink, replaceMember } from '../server/rounds/rounds.js';
import { dumpDatabase } from './db-inspect.js';
import { loggedIn } from './helpers.js';
import { ballotCount, fullBallot, ok, openSurvey, SECRET, usedOn, YEAR, type Survey } from './survey-fixture.js';

const UNITS = demoUnits()
  .filter((_, i) => i % 4 === 0)
  .slice(0, 8);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The code computed here without links/codes.ts: the first 80 bits of the HMAC as a number, in base 32. */
function expectedCode(year: number, code: string, generation: number, secret = SECRET): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(`code:${year}:${code}:${generation}`, 'utf8'))
    .digest();
  let n = BigInt(`0x${mac.subarray(0, 10).toString('hex')}`);
  let out = '';
  for (let i = 0; i < 16; i++) {
    out = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

const codeOf = (code: string, generation = 1) => linkCode(SECRET, YEAR, code, generation);

function postAt(s: Survey, path: string, fields: Record<string, string>) {
  return s.app.request(path, { method: 'POST', body: new URLSearchParams(fields).toString(), headers: FORM });
}

/** Counts the store's lookups by code, so a test can tell that a malformed code never reached the database. */
function countCodeLookups(s: Survey): { n: number } {
  const counter = { n: 0 };
  const find = s.store.findLinkByCode.bind(s.store);
  s.store.findLinkByCode = (hash: string) => {
    counter.n++;
    return find(hash);
  };
  return counter;
}

// ---- the code itself ----

const derive = suite('codes: derivation and normalisation');

derive('a code is the first 80 bits of HMAC-SHA256(SECRET, "code:{year}:{code}:{generation}") in Crockford base32', () => {
  for (const [year, code, generation] of [
    [2026, 'QY0001', 1],
    [2026, 'QY0001', 2],
    [2031, '社区-7', 1],
  ] as const) {
    const c = linkCode(SECRET, year, code, generation);
    assert.is(c, expectedCode(year, code, generation));
    assert.match(c, /^[0-9A-HJKMNP-TV-Z]{16}$/);
  }
  assert.is.not(codeOf('QY0001', 1), codeOf('QY0001', 2), 'a new generation, a new code');
  assert.is(groupedCode('K7QM2XDA9KTRH4PB'), 'K7QM-2XDA-9KTR-H4PB');
});

derive('typing is forgiving: case, spaces, hyphens, O for 0, I and L for 1, full-width characters; anything else refused', () => {
  const cases: [string, string | undefined][] = [
    ['K7QM-2XDA-9KTR-H4PB', 'K7QM2XDA9KTRH4PB'],
    ['k7qm 2xda 9ktr h4pb', 'K7QM2XDA9KTRH4PB'],
    ['  K7QM2XDA9KTRH4PB  ', 'K7QM2XDA9KTRH4PB'],
    ['1O0I-lL11-0000-oOoO', '1001111100000000'],
    ['Ｋ７ＱＭ－２ＸＤＡ　９ＫＴＲ－Ｈ４ＰＢ', 'K7QM2XDA9KTRH4PB'],
    ['K7QM-2XDA-9KTR-H4P', undefined], // 15 characters
    ['K7QM-2XDA-9KTR-H4PBB', undefined], // 17
    ['K7QM-2XDA-9KTR-H4PU', undefined], // U is not in the alphabet
    ['K7QM-2XDA-9KTR-H4P!', undefined],
    ['K7QM/2XDA/9KTR/H4PB', undefined],
    ['', undefined],
    ['x'.repeat(1000), undefined],
  ];
  for (const [typed, expected] of cases) assert.is(normaliseCode(typed), expected, JSON.stringify(typed));
});

derive.run();

// ---- /k/{code} ----

const k = suite('codes: /k/{code} opens the same form and takes the same ballot as /s/{token}');

k('a code typed in lower case with spaces and an O for a 0 opens the right form and casts its seat’s ballot', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30 });
  const seat = s.seats.find((x) => codeOf(x.code).includes('0'));
  assert.ok(seat, 'some seat has a 0 in its code');
  const code = codeOf(seat.code);
  const typed = groupedCode(code).toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o');
  const entry = await s.app.request(`/k?code=${encodeURIComponent(typed)}`);
  assert.is(entry.status, 303);
  assert.is(entry.headers.get('location'), `/k/${code}`);
  // The same code typed straight into the address: sent on to the one canonical address too.
  const direct = await s.app.request(`/k/${encodeURIComponent(typed)}`);
  assert.is(direct.status, 303);
  assert.is(direct.headers.get('location'), `/k/${code}`);

  const form = await s.app.request(`/k/${code}`);
  assert.is(form.status, 200);
  assert.is(form.headers.get('referrer-policy'), 'no-referrer');
  const html = await form.text();
  assert.match(html, new RegExp(`<form method="post" action="/k/${code}" id="survey"`), 'the form posts back to the code’s address');
  assert.not.match(html, /\/s\//, 'the page names no link');
  for (const u of UNITS) assert.ok(html.includes(`name="u.${u.code}"`), u.code);

  const cast = await postAt(s, `/k/${code}`, fullBallot(UNITS));
  assert.is(cast.status, 303);
  assert.is(cast.headers.get('location'), '/thanks');
  assert.is(await ballotCount(s), 1);
  assert.is(await usedOn(s, seat.token), '2026-03-10', 'the seat’s link is the one used');
  // Used, whichever way it is asked again.
  assert.is((await s.app.request(`/s/${seat.token}`)).status, 409);
  assert.is((await s.app.request(`/k/${code}`)).status, 409);
  assert.is((await postAt(s, `/s/${seat.token}`, fullBallot(UNITS))).status, 409);
  assert.is(await ballotCount(s), 1);
  // Another seat's link is untouched.
  const other = s.seats.find((x) => x !== seat) as (typeof s.seats)[number];
  assert.is(await usedOn(s, other.token), null);
});

k('one seat answered by code and by link at once stores exactly one ballot', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30 });
  for (const seat of s.seats.slice(0, 6)) {
    const [a, b, c] = await Promise.all([
      postAt(
        s,
        `/k/${codeOf(seat.code)}`,
        fullBallot(UNITS, () => 'satisfied'),
      ),
      postAt(
        s,
        `/s/${seat.token}`,
        fullBallot(UNITS, () => 'dissatisfied'),
      ),
      postAt(
        s,
        `/k/${codeOf(seat.code)}`,
        fullBallot(UNITS, () => 'basic'),
      ),
    ]);
    const statuses = [a.status, b.status, c.status].sort();
    assert.equal(statuses, [303, 409, 409], seat.code);
  }
  assert.is(await ballotCount(s), 6);
});

k('a malformed code is 404 without asking the database, and counts as a guess; an unknown one likewise after a lookup', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30 });
  const lookups = countCodeLookups(s);
  const good = codeOf(s.seats[0]?.code as string);
  for (const bad of ['ABC', `${good}X`, `${good.slice(0, 15)}U`, `${good.slice(0, 15)}%21`]) {
    const res = await s.app.request(`/k/${bad}`);
    assert.is(res.status, 404, bad);
    const html = await res.text();
    assert.ok(html.includes('href="/k"'), 'the page offers to type the code again');
    assert.is((await postAt(s, `/k/${bad}`, fullBallot(UNITS))).status, 404, `POST ${bad}`);
  }
  assert.is(lookups.n, 0, 'no malformed code reached the database');
  // A well-formed code no seat has: asked, and 404.
  const unknown = good.startsWith('Z') ? `Y${good.slice(1)}` : `Z${good.slice(1)}`;
  assert.is((await s.app.request(`/k/${unknown}`)).status, 404);
  assert.is(lookups.n, 1);
  // Nine guesses so far (eight malformed, one unknown): eleven more reach the limit of twenty.
  for (let i = 0; i < 11; i++) assert.is((await s.app.request(`/k/WRONG${i}`)).status, 404);
  const blocked = await s.app.request(`/k/${unknown}`);
  assert.is(blocked.status, 429);
  assert.ok(blocked.headers.get('retry-after'));
  // A token guess is refused too (one count for both), yet the good code and the good link still work.
  assert.is((await s.app.request('/s/AAAAAAAAAAAAAAAAAAAAAA')).status, 429);
  assert.is((await s.app.request(`/k/${good}`)).status, 200);
  assert.is((await s.app.request(`/s/${s.tokens[1]}`)).status, 200);
  assert.is(await ballotCount(s), 0);
});

k('a round not open: 410 by code as by link', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30, now: '2026-04-02T02:00:00Z' });
  const seat = s.seats[0] as (typeof s.seats)[number];
  assert.is((await s.app.request(`/k/${codeOf(seat.code)}`)).status, 410);
  assert.is((await s.app.request(`/s/${seat.token}`)).status, 410);
  assert.is((await postAt(s, `/k/${codeOf(seat.code)}`, fullBallot(UNITS))).status, 410);
});

k('a refused form is shown again at the code’s address, with the reasons step posting there too', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30 });
  const code = codeOf(s.seats[0]?.code as string);
  const partial = fullBallot(UNITS);
  delete partial[`u.${UNITS[0]?.code}`];
  const res = await postAt(s, `/k/${code}`, partial);
  assert.is(res.status, 422);
  assert.match(await res.text(), new RegExp(`action="/k/${code}"`));
  assert.is(await ballotCount(s), 0);
});

k('re-issue changes the code (the old one 404s); a replacement takes the code away with the seat', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30 });
  const [first, second] = s.seats as [(typeof s.seats)[number], (typeof s.seats)[number]];
  ok(await reissueLink(s.db, s.audit, { year: YEAR, code: first.code, secret: SECRET }, 'test'));
  assert.is((await s.app.request(`/k/${codeOf(first.code, 1)}`)).status, 404, 'the old code');
  assert.is((await s.app.request(`/k/${codeOf(first.code, 2)}`)).status, 200, 'the new code');
  const replaced = ok(
    await replaceMember(s.db, s.audit, { year: YEAR, code: second.code, reason: '调离本市', secret: SECRET, timeZone: 'Asia/Shanghai' }, 'test'),
  );
  assert.is((await s.app.request(`/k/${codeOf(second.code)}`)).status, 404, 'the replaced seat’s code');
  assert.is((await s.app.request(`/k/${codeOf(replaced.in)}`)).status, 200, 'the reserve’s code');
});

k('links issued before codes get their code’s hash from fillCodeHashes, once, and their codes then work', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30 });
  await s.db.updateTable('round_links').set({ code_hash: null }).execute();
  const code = codeOf(s.seats[0]?.code as string);
  assert.is((await s.app.request(`/k/${code}`)).status, 404);
  const links = (await s.db.selectFrom('round_links').select('code').execute()).length;
  assert.is(await fillCodeHashes(s.db, SECRET), links);
  assert.is(await fillCodeHashes(s.db, SECRET), 0, 'nothing left to do');
  assert.is((await s.app.request(`/k/${code}`)).status, 200);
  const row = await s.db
    .selectFrom('round_links')
    .select('code_hash')
    .where('code', '=', s.seats[0]?.code as string)
    .executeTakeFirstOrThrow();
  assert.is(row.code_hash, codeHash(code));
});

k('no log line holds a code, as typed or canonical; /k/ is logged as /k/[code]', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30 });
  const code = codeOf(s.seats[0]?.code as string);
  const typed = groupedCode(code).toLowerCase();
  await s.app.request(`/k?code=${encodeURIComponent(typed)}`);
  await s.app.request(`/k/${typed}`);
  await s.app.request(`/k/${code}`);
  await postAt(s, `/k/${code}`, fullBallot(UNITS));
  await s.app.request('/k/NOTACODE');
  const text = s.logs.join('\n');
  for (const secret of [code, typed, groupedCode(code), code.toLowerCase(), 'NOTACODE']) assert.not.ok(text.includes(secret), secret);
  assert.ok(s.logs.some((l) => / POST \/k\/\[code\] 303 /.test(l)));
  assert.ok(
    s.logs.some((l) => / GET \/k 303 /.test(l)),
    'the query of /k is not logged',
  );
});

k('anonymity: the code hash is on the link row only; no ballot column holds it or anything of the seat', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30 });
  const seat = s.seats[0] as (typeof s.seats)[number];
  assert.is((await postAt(s, `/k/${codeOf(seat.code)}`, fullBallot(UNITS))).status, 303);
  const columns = async (table: string) => {
    const q = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(s.db);
    return Object.keys(q.rows[0] ?? {});
  };
  assert.equal((await columns('ballots')).sort(), ['answers', 'comment', 'comments', 'id', 'reasons', 'receipt', 'round_id', 'stratum']);
  assert.ok((await columns('round_links')).includes('code_hash'));
  const ballots = JSON.stringify((await sql`select * from ballots`.execute(s.db)).rows);
  for (const secret of [codeOf(seat.code), codeHash(codeOf(seat.code)), seat.code]) assert.not.ok(ballots.includes(secret), secret);
  // The database holds no code itself, in any spelling: a stolen copy cannot answer with one.
  const dump = await dumpDatabase(s.db);
  for (const x of s.seats) for (const c of [codeOf(x.code), groupedCode(codeOf(x.code))]) assert.not.ok(dump.includes(c), `${x.code}: ${c}`);
});

k.run();

// ---- the /k page ----

const page = suite('codes: the /k page');

page('one large box in a GET form, without JavaScript; a code that cannot be one is shown again, 422, without a lookup', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30 });
  const lookups = countCodeLookups(s);
  const res = await s.app.request('/k');
  assert.is(res.status, 200);
  assert.is(res.headers.get('referrer-policy'), 'no-referrer');
  const html = await res.text();
  assert.match(html, /<form method="get" action="\/k"/);
  assert.match(html, /<input id="code" name="code" class="code-input"/);
  assert.not.match(html, /<script/, 'nothing needs a script');
  const bad = await s.app.request('/k?code=K7QM-2XDA');
  assert.is(bad.status, 422);
  const again = await bad.text();
  assert.match(again, /value="K7QM-2XDA"/);
  assert.match(again, /aria-invalid="true"/);
  assert.is(lookups.n, 0);
  assert.is((await s.app.request('/k?code=')).status, 200, 'an empty box is the page again');
  // 大字 mode.
  const large = await s.app.request('/k?text=large');
  assert.match(await large.text(), /<html lang="zh-CN" class="large-text">/);
  // The front page leads there while a round is open, and not once it is closed.
  assert.match(await (await s.app.request('/')).text(), /<a class="button primary" href="\/k">/);
  ok(await closeRound(s.store, s.audit, YEAR, 'test'));
  assert.not.match(await (await s.app.request('/')).text(), /href="\/k"/);
});

page.run();

// ---- letters and the SMS list ----

const BASE_URL = 'https://pingyi.example.gov.cn';

/** Runs a CLI command in this process, as scripts/cli.ts would, on the survey's database (lines printed are returned). */
async function cli(s: Survey, argv: string[]): Promise<string[]> {
  const found = findCommand(argv);
  if (!found) throw new Error(`no command ${argv.join(' ')}`);
  const out: string[] = [];
  const ctx: CliContext = {
    store: s.store,
    db: s.db,
    config: s.config,
    clock: s.clock,
    audit: s.audit,
    t: translator('en'),
    env: {},
    out: (l) => out.push(l),
    askSecret: async () => undefined,
  };
  await found.command.run(ctx, parseArgs(found.rest, found.command.switches ?? []));
  return out;
}

function readCsv(file: string): string[][] {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith('\uFEFF'), 'UTF-8 with BOM');
  return text
    .slice(1)
    .trimEnd()
    .split('\r\n')
    .map((l) => l.split(','));
}

const channels = suite('codes: letters and the SMS list');

channels('round sms: code,name,phone,text for every seat holder with a phone, one SMS segment each; --unused; audited', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30, config: { baseUrl: BASE_URL } });
  const dir = mkdtempSync(join(tmpdir(), 'pingyi-sms-'));
  try {
    const [noPhone, voted] = s.seats as [(typeof s.seats)[number], (typeof s.seats)[number]];
    const rep = s.pool.find((p) => p.code === noPhone.code);
    assert.is(await updateRepresentative(s.db, s.audit, noPhone.code, { ...(rep as NonNullable<typeof rep>), phone: null }, 'test'), 'ok');
    const file = join(dir, 'sms.csv');
    assert.equal(await cli(s, ['round', 'sms', '--year', String(YEAR), '--out', file]), [`29 → ${file}`]);
    const [header, ...rows] = readCsv(file);
    assert.equal(header, ['code', 'name', 'phone', 'text']);
    assert.is(rows.length, 29);
    assert.not.ok(
      rows.some((r) => r[0] === noPhone.code),
      'no row without a phone',
    );
    for (const [code, name, phone, text] of rows as [string, string, string, string][]) {
      const pool = s.pool.find((p) => p.code === code);
      assert.is(name, pool?.name);
      assert.is(phone, pool?.phone);
      assert.ok(text.length <= 70, `${text.length} characters: ${text}`);
      assert.ok(text.endsWith(`${BASE_URL}/k/${codeOf(code)}`), text);
      assert.match(text, /^2026年行风评议测评票：/);
    }
    // The code sent opens its seat's form.
    assert.is((await s.app.request(`/k/${codeOf(voted.code)}`)).status, 200);
    assert.is((await postAt(s, `/k/${codeOf(voted.code)}`, fullBallot(UNITS))).status, 303);
    const reminders = join(dir, 'unused.csv');
    await cli(s, ['round', 'sms', '--year', String(YEAR), '--out', reminders, '--unused']);
    const unused = readCsv(reminders).slice(1);
    assert.is(unused.length, 28);
    assert.not.ok(unused.some((r) => r[0] === voted.code));
    const audit = await s.db.selectFrom('audit_log').select(['actor', 'detail']).where('action', '=', 'export.sms').orderBy('seq').execute();
    assert.equal(
      audit.map((a) => [a.actor, JSON.parse(a.detail)]),
      [
        ['cli', { year: YEAR, rows: 29, unused: false }],
        ['cli', { year: YEAR, rows: 28, unused: true }],
      ],
    );
    assert.not.ok(
      audit.some((a) => a.detail.includes('1900000')),
      'no personal data in the audit log',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

channels('a long but realistic BASE_URL fits; one too long for one segment is refused, naming the limit, and nothing is written', async () => {
  const fits = 'https://hangfengpingyi.wuhan.gov.cn';
  const s = await openSurvey({ units: UNITS, sample: 30, config: { baseUrl: fits } });
  const dir = mkdtempSync(join(tmpdir(), 'pingyi-sms-'));
  try {
    const file = join(dir, 'sms.csv');
    await cli(s, ['round', 'sms', '--year', String(YEAR), '--out', file]);
    const rows = readCsv(file).slice(1);
    assert.ok(rows.length > 0);
    assert.ok(rows.every((r) => (r[3] as string).length <= 70));
    assert.is(Math.max(...rows.map((r) => (r[3] as string).length)), 70 - (38 - fits.length), 'the text leaves room for 38 characters of address');

    const long = await openSurvey({ units: UNITS, sample: 30, config: { baseUrl: 'https://minzhupingyi.renmingzhengfu.example.gov.cn' } });
    const refusedFile = join(dir, 'refused.csv');
    try {
      await cli(long, ['round', 'sms', '--year', String(YEAR), '--out', refusedFile]);
      assert.unreachable('refused');
    } catch (e) {
      assert.instance(e, CliError);
      assert.match((e as Error).message, /too long for the text to fit one SMS \(70 characters\).*at most 38 characters/);
    }
    assert.not.ok(existsSync(refusedFile));
    assert.is((await long.db.selectFrom('audit_log').select('seq').where('action', '=', 'export.sms').execute()).length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

channels('the console: the SMS list downloads (audited), and letters print the code in large type with the short address', async () => {
  const s = await openSurvey({ units: UNITS, sample: 30, config: { baseUrl: BASE_URL } });
  const b = await loggedIn(s);
  b.cookies.set('lang', 'en');
  const round = await (await b.get(`/admin/rounds/${YEAR}`)).text();
  assert.match(round, new RegExp(`href="/admin/rounds/${YEAR}/sms.csv"`));
  const csv = await b.get(`/admin/rounds/${YEAR}/sms.csv?unused=1`);
  assert.is(csv.status, 200);
  assert.match(csv.headers.get('content-disposition') ?? '', /sms-2026-unused\.csv/);
  const text = Buffer.from(await csv.arrayBuffer()).toString('utf8');
  assert.ok(text.startsWith('\uFEFFcode,name,phone,text\r\n'));
  assert.is(text.trimEnd().split('\r\n').length, 31);
  // The same list as an Excel workbook: the same rows, Chinese intact, text cells.
  const xlsx = await b.get(`/admin/rounds/${YEAR}/sms.xlsx?unused=1`);
  assert.is(xlsx.status, 200);
  assert.match(xlsx.headers.get('content-disposition') ?? '', /sms-2026-unused\.xlsx/);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load((await xlsx.arrayBuffer()) as ArrayBuffer);
  const sheetRows: string[] = [];
  book.worksheets[0]?.eachRow((row) =>
    sheetRows.push(
      (row.values as unknown[])
        .slice(1)
        .map((v) => String(v ?? ''))
        .join(','),
    ),
  );
  assert.equal(sheetRows, text.replace('\uFEFF', '').trimEnd().split('\r\n'));
  const audit = await s.db.selectFrom('audit_log').select(['actor', 'detail']).where('action', '=', 'export.sms').execute();
  assert.equal(
    audit.map((a) => [a.actor, JSON.parse(a.detail)]),
    [
      ['admin', { year: YEAR, rows: 30, unused: true }],
      ['admin', { year: YEAR, rows: 30, unused: true }],
    ],
  );

  const letters = await (await b.get(`/admin/rounds/${YEAR}/letters`)).text();
  for (const seat of s.seats) assert.ok(letters.includes(`<strong class="short-code">${groupedCode(codeOf(seat.code))}</strong>`), seat.code);
  assert.ok(letters.includes(`${BASE_URL}/k`));
  // The links CSV keeps its columns.
  const links = Buffer.from(await (await b.get(`/admin/rounds/${YEAR}/links.csv`)).arrayBuffer()).toString('utf8');
  assert.ok(links.startsWith('\uFEFFcode,name,stratum,district,phone,email,url\r\n'));
});

channels.run();
