import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { translator } from '../server/i18n/catalogue.js';
import { parsePoolCsv, poolCsv } from '../server/pool/csv.js';
import { allRepresentatives, upsertRepresentatives, type RepresentativeInput } from '../server/pool/representatives.js';
import { createTestApp } from './helpers.js';

const en = translator('en');
const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (h: string) => Uint8Array.from(h.replace(/\s+/g, '').match(/../g) ?? [], (x) => Number.parseInt(x, 16));
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function parseText(text: string) {
  return parsePoolCsv(utf8(text), en);
}

function problemsOf(text: string) {
  const r = parseText(text);
  if (r.ok) throw new Error(`expected problems, got ${r.rows.length} rows`);
  return r.problems;
}

function rowsOf(bytes: Uint8Array) {
  const r = parsePoolCsv(bytes, en);
  if (!r.ok) throw new Error(`expected rows, got problems: ${JSON.stringify(r.problems)}`);
  return r;
}

function rep(code: string, over: Partial<RepresentativeInput> = {}): RepresentativeInput {
  return { code, name: `Name ${code}`, stratum: '企业代表', district: null, phone: null, email: null, active: true, ...over };
}

const H = 'code,name,stratum,district,phone,email,active';

const bad = suite('pool CSV: every kind of bad input is reported with its line and reason');

const cases: { what: string; text: string; lines: number[]; word: string }[] = [
  { what: 'a code repeated in the file', text: `${H}\nA1,张三,企业代表,,,,\nA2,李四,企业代表,,,,\nA1,王五,企业代表,,,,\n`, lines: [4], word: 'appears again' },
  { what: 'the repeat names the first line', text: `${H}\nA1,张三,企业代表,,,,\nA1,王五,企业代表,,,,\n`, lines: [3], word: 'first on line 2' },
  { what: 'a code with a space', text: `${H}\nA 1,张三,企业代表,,,,\n`, lines: [2], word: 'code' },
  { what: 'a code with Chinese characters', text: `${H}\n代表1,张三,企业代表,,,,\n`, lines: [2], word: 'code' },
  { what: 'a code with a dot', text: `${H}\nA.1,张三,企业代表,,,,\n`, lines: [2], word: 'code' },
  { what: 'a code of 33 characters', text: `${H}\n${'A'.repeat(33)},张三,企业代表,,,,\n`, lines: [2], word: 'code' },
  { what: 'an empty code', text: `${H}\n,张三,企业代表,,,,\n`, lines: [2], word: 'code' },
  { what: 'a missing name', text: `${H}\nA1,,企业代表,,,,\n`, lines: [2], word: 'name' },
  { what: 'a name of blanks only', text: `${H}\nA1,   ,企业代表,,,,\n`, lines: [2], word: 'name' },
  { what: 'a name over 100 characters', text: `${H}\nA1,${'名'.repeat(101)},企业代表,,,,\n`, lines: [2], word: 'name' },
  { what: 'a missing stratum', text: `${H}\nA1,张三,,,,,\n`, lines: [2], word: 'stratum' },
  { what: 'a stratum over 50 characters', text: `${H}\nA1,张三,${'界'.repeat(51)},,,,\n`, lines: [2], word: 'stratum' },
  { what: 'a stratum with a comma', text: `${H}\nA1,张三,"企业,代表",,,,\n`, lines: [2], word: 'comma' },
  {
    what: 'a stratum with a full-width comma is fine, an ASCII one is not',
    text: `${H}\nA1,张三,企业，代表,,,,\nA2,李四,"a,b",,,,\n`,
    lines: [3],
    word: 'comma',
  },
  { what: 'a phone with letters', text: `${H}\nA1,张三,企业代表,,call me,,\n`, lines: [2], word: 'phone' },
  { what: 'a phone too short', text: `${H}\nA1,张三,企业代表,,123,,\n`, lines: [2], word: 'phone' },
  { what: 'a phone with two plus signs', text: `${H}\nA1,张三,企业代表,,++8613800138000,,\n`, lines: [2], word: 'phone' },
  { what: 'an e-mail without @', text: `${H}\nA1,张三,企业代表,,,zhang.example.cn,\n`, lines: [2], word: 'e-mail' },
  { what: 'an e-mail without a domain', text: `${H}\nA1,张三,企业代表,,,zhang@,\n`, lines: [2], word: 'e-mail' },
  { what: 'an e-mail with a space', text: `${H}\nA1,张三,企业代表,,,zhang san@example.cn,\n`, lines: [2], word: 'e-mail' },
  { what: 'an active value that means nothing', text: `${H}\nA1,张三,企业代表,,,,maybe\n`, lines: [2], word: 'active' },
  { what: 'an unknown column', text: 'code,name,stratum,colour\nA1,张三,企业代表,red\n', lines: [1], word: 'unknown column' },
  { what: 'a column given twice', text: 'code,name,stratum,name\nA1,张三,企业代表,张三\n', lines: [1], word: 'twice' },
  { what: 'a required column missing', text: 'code,name\nA1,张三\n', lines: [1], word: 'stratum' },
  { what: 'a row with too many fields', text: 'code,name,stratum\nA1,张三,企业代表,extra\n', lines: [2], word: 'fields' },
  { what: 'a row with too few fields', text: 'code,name,stratum\nA1,张三\n', lines: [2], word: 'fields' },
  { what: 'an empty file', text: '', lines: [1], word: 'empty' },
  { what: 'an unterminated quote', text: 'code,name,stratum\nA1,"张三,企业代表\n', lines: [2], word: 'CSV' },
];

for (const c of cases) {
  bad(c.what, () => {
    const problems = problemsOf(c.text);
    assert.equal(
      problems.map((p) => p.line),
      c.lines,
      `lines for ${c.what}: ${JSON.stringify(problems)}`,
    );
    for (const p of problems) assert.ok(p.message.includes(c.word), `"${p.message}" should mention "${c.word}"`);
  });
}

bad('messages are in the reader’s language', () => {
  const r = parsePoolCsv(utf8(`${H}\nA1,张三,企业代表,,call me,,\n`), translator('zh-CN'));
  assert.not.ok(r.ok);
  if (!r.ok) assert.ok(r.problems[0]?.message.includes('电话号码格式不正确'));
});

bad.run();

const many = suite('pool CSV: several problems in one file');

many('every bad row is reported, in file order, and no rows are returned', () => {
  const text = [
    H,
    'A1,张三,企业代表,东城区,13800138000,zs@example.cn,1', // 2 good
    'A 2,李四,企业代表,,,,', // 3 bad code
    'A3,王五,企业代表,,,,', // 4 good
    'A4,,,,,,', // 5 no name, no stratum
    'A5,赵六,社区居民,,phone,mail,', // 6 bad phone and bad e-mail
    'A1,钱七,企业代表,,,,', // 7 repeat of line 2
  ].join('\n');
  const r = parseText(text);
  assert.is(r.ok, false);
  if (r.ok) return;
  assert.equal(
    r.problems.map((p) => p.line),
    [3, 5, 5, 6, 6, 7],
  );
  const on = (line: number) =>
    r.problems
      .filter((p) => p.line === line)
      .map((p) => p.message)
      .join(' | ');
  assert.match(on(5), /name/);
  assert.match(on(5), /stratum/);
  assert.match(on(6), /phone/);
  assert.match(on(6), /e-mail/);
});

many('a quoted field with line breaks does not shift the line numbers of later rows', () => {
  const text = [
    'code,name,stratum,district', // 1
    'A1,"Zhang', // 2 (record spans 2–4)
    '',
    'San",企业代表,', // 4
    'A2,李四,企业代表,', // 5
    'A2,王五,企业代表,', // 6 repeat
    'A3,"ok",企业代表,"东城区', // 7 (record spans 7–8)
    '西城区"', // 8
    'A 4,赵六,企业代表,', // 9 bad code
  ].join('\n');
  const r = parseText(text);
  assert.is(r.ok, false);
  if (r.ok) return;
  const lines = r.problems.map((p) => p.line);
  assert.equal(lines, [2, 6, 7, 9], JSON.stringify(r.problems));
  assert.ok(r.problems.find((p) => p.line === 6)?.message.includes('first on line 5'));
});

many('CRLF line ends count lines the same way', () => {
  const problems = problemsOf(`${H}\r\nA1,张三,企业代表,,,,\r\nA2,,企业代表,,,,\r\n`);
  assert.equal(
    problems.map((p) => p.line),
    [3],
  );
});

many('blank lines in the middle still count as lines', () => {
  const problems = problemsOf(`${H}\nA1,张三,企业代表,,,,\n\nA2,,企业代表,,,,\n`);
  assert.equal(
    problems.map((p) => p.line),
    [4],
  );
});

many.run();

const encodings = suite('pool CSV: encodings and headers');

encodings('plain UTF-8', () => {
  const r = rowsOf(utf8('code,name,stratum\nA1,张三,企业代表\n'));
  assert.is(r.encoding, 'utf-8');
  assert.equal(r.rows, [rep('A1', { name: '张三' })]);
});

encodings('UTF-8 with a BOM: the BOM is not part of the first column name', () => {
  const r = rowsOf(concat(hex('efbbbf'), utf8('code,name,stratum\nA1,张三,企业代表\n')));
  assert.is(r.encoding, 'utf-8-bom');
  assert.equal(r.rows, [rep('A1', { name: '张三' })]);
});

encodings('GB18030, as Excel saves it on a Chinese Windows, is recognised without being told', () => {
  // 张三 = d5c5 c8fd, 李四 = c0ee cbc4, 企业代表 = c6f3 d2b5 b4fa b1ed, 社区居民 = c9e7 c7f8 bed3 c3f1, 东城区 = b6ab b3c7 c7f8
  const bytes = concat(
    utf8('code,name,stratum,district\r\nA1,'),
    hex('d5c5 c8fd'),
    utf8(','),
    hex('c6f3 d2b5 b4fa b1ed'),
    utf8(','),
    hex('b6ab b3c7 c7f8'),
    utf8('\r\nA2,'),
    hex('c0ee cbc4'),
    utf8(','),
    hex('c9e7 c7f8 bed3 c3f1'),
    utf8(',\r\n'),
  );
  assert.is(
    new TextDecoder('gb18030').decode(bytes),
    'code,name,stratum,district\r\nA1,张三,企业代表,东城区\r\nA2,李四,社区居民,\r\n',
    'the test bytes are right',
  );
  const r = rowsOf(bytes);
  assert.is(r.encoding, 'gb18030');
  assert.equal(r.rows, [rep('A1', { name: '张三', district: '东城区' }), rep('A2', { name: '李四', stratum: '社区居民' })]);
});

encodings('GB18030 with Chinese header names', () => {
  // 编号 = b1e0 bac5, 姓名 = d0d5 c3fb, 界别 = bde7 b1f0
  const bytes = concat(
    hex('b1e0 bac5'),
    utf8(','),
    hex('d0d5 c3fb'),
    utf8(','),
    hex('bde7 b1f0'),
    utf8('\nA1,'),
    hex('d5c5 c8fd'),
    utf8(','),
    hex('c6f3 d2b5 b4fa b1ed'),
    utf8('\n'),
  );
  assert.is(new TextDecoder('gb18030').decode(bytes), '编号,姓名,界别\nA1,张三,企业代表\n', 'the test bytes are right');
  const r = rowsOf(bytes);
  assert.is(r.encoding, 'gb18030');
  assert.equal(r.rows, [rep('A1', { name: '张三' })]);
});

encodings('Chinese header names (编号,姓名,界别,区县,电话,邮箱) in any order', () => {
  const r = rowsOf(utf8('姓名,编号,界别,区县,电话,邮箱\n张三,A1,企业代表,东城区,138 0013 8000,zs@example.cn\n'));
  assert.equal(r.rows, [rep('A1', { name: '张三', district: '东城区', phone: '138 0013 8000', email: 'zs@example.cn' })]);
});

encodings('header names ignore case and surrounding blanks; values are trimmed; empty optional cells are null', () => {
  const r = rowsOf(utf8(' Code , NAME ,Stratum,District,Phone,Email\n A1 , 张三 , 企业代表 ,  , , \n'));
  assert.equal(r.rows, [rep('A1', { name: '张三' })]);
});

encodings('blank trailing lines (and rows of empty cells that spreadsheets leave) are ignored', () => {
  const r = rowsOf(utf8('code,name,stratum\nA1,张三,企业代表\n\n\n,,\n , , \n\n'));
  assert.is(r.rows.length, 1);
});

encodings('a header with no rows is an empty pool, not an error', () => {
  const r = rowsOf(utf8('code,name,stratum\n'));
  assert.equal(r.rows, []);
});

encodings('active: 是/否/1/0/yes/no, blank means active', () => {
  const r = rowsOf(utf8('code,name,stratum,active\nA,a,s,是\nB,b,s,否\nC,c,s,1\nD,d,s,0\nE,e,s,yes\nF,f,s,no\nG,g,s,\n'));
  assert.equal(
    r.rows.map((x) => x.active),
    [true, false, true, false, true, false, true],
  );
});

encodings.run();

const upsert = suite('pool: upsert and --deactivate-missing');

upsert('adds, updates and leaves unchanged by code', async () => {
  const t = await createTestApp();
  const first = await upsertRepresentatives(t.db, t.audit, [rep('A1'), rep('A2')], { actor: 'test' });
  assert.equal(first, { added: 2, updated: 0, unchanged: 0, deactivated: 0 });
  const second = await upsertRepresentatives(t.db, t.audit, [rep('A1'), rep('A2', { phone: '13800138000' }), rep('A3')], { actor: 'test' });
  assert.equal(second, { added: 1, updated: 1, unchanged: 1, deactivated: 0 });
  const stored = await allRepresentatives(t.db);
  assert.equal(
    stored.map((r) => [r.code, r.phone]),
    [
      ['A1', null],
      ['A2', '13800138000'],
      ['A3', null],
    ],
  );
});

upsert('without deactivateMissing, representatives missing from the file stay active', async () => {
  const t = await createTestApp();
  await upsertRepresentatives(t.db, t.audit, [rep('A1'), rep('A2'), rep('A3')], { actor: 'test' });
  const summary = await upsertRepresentatives(t.db, t.audit, [rep('A1')], { actor: 'test' });
  assert.is(summary.deactivated, 0);
  assert.ok((await allRepresentatives(t.db)).every((r) => r.active));
});

upsert('with deactivateMissing, the active ones missing from the file are deactivated and counted', async () => {
  const t = await createTestApp();
  await upsertRepresentatives(t.db, t.audit, [rep('A1'), rep('A2'), rep('A3'), rep('A4', { active: false })], { actor: 'test' });
  const summary = await upsertRepresentatives(t.db, t.audit, [rep('A1'), rep('A5')], { actor: 'test', deactivateMissing: true });
  assert.equal(summary, { added: 1, updated: 0, unchanged: 1, deactivated: 2 }, 'A4 was inactive already and is not counted');
  const stored = await allRepresentatives(t.db);
  assert.equal(
    stored.map((r) => [r.code, r.active]),
    [
      ['A1', true],
      ['A2', false],
      ['A3', false],
      ['A4', false],
      ['A5', true],
    ],
  );
  assert.is(stored.length, 5, 'nobody is deleted');
});

upsert('deactivateMissing keeps a row that the file itself marks inactive as inactive, without counting it twice', async () => {
  const t = await createTestApp();
  await upsertRepresentatives(t.db, t.audit, [rep('A1'), rep('A2')], { actor: 'test' });
  const summary = await upsertRepresentatives(t.db, t.audit, [rep('A1', { active: false })], { actor: 'test', deactivateMissing: true });
  assert.equal(summary, { added: 0, updated: 1, unchanged: 0, deactivated: 1 });
  assert.ok((await allRepresentatives(t.db)).every((r) => !r.active));
});

upsert('one audit row per import, with counts and no personal data', async () => {
  const t = await createTestApp();
  await upsertRepresentatives(t.db, t.audit, [rep('A1', { name: '张三丰', phone: '13800138000', email: 'zsf@example.cn' })], { actor: 'test' });
  const audit = await t.db.selectFrom('audit_log').selectAll().execute();
  assert.is(audit.length, 1);
  const detail = audit[0]?.detail ?? '';
  assert.match(detail, /"added":1/);
  for (const secret of ['张三丰', '13800138000', 'zsf@example.cn']) assert.not.ok(detail.includes(secret), secret);
});

upsert.run();

const roundTrip = suite('pool: export then import');

const awkward: RepresentativeInput[] = [
  rep('-A1', { name: 'Minus Code', phone: '+86 138 0013 8000' }),
  rep('A2', { name: '张三, 李四', district: '东城区', email: 'z.s+pool@example.cn' }),
  rep('A3', { name: 'Say "hi"', phone: '010-6512 3456', active: false }),
  rep('A4', { name: '李四', stratum: '人大代表', district: '西城区', phone: '+8613800138000', email: 'ls@example.cn' }),
  rep('_5', { name: ' inner  spaces ', stratum: '社区居民' }),
  rep('b6', { name: "O'Brien", stratum: '媒体代表', email: 'o.brien@example.ie' }),
].map((r) => ({ ...r, name: r.name.trim() }));

roundTrip('the export reads back unchanged: every row “unchanged”', async () => {
  const t = await createTestApp();
  await upsertRepresentatives(t.db, t.audit, awkward, { actor: 'test' });
  const before = await allRepresentatives(t.db);
  const csv = poolCsv(before);
  const parsed = rowsOf(utf8(csv));
  assert.is(parsed.encoding, 'utf-8-bom');
  assert.is(parsed.rows.length, awkward.length);
  const summary = await upsertRepresentatives(t.db, t.audit, parsed.rows, { actor: 'test' });
  assert.equal(summary, { added: 0, updated: 0, unchanged: awkward.length, deactivated: 0 });
  assert.equal(await allRepresentatives(t.db), before);
});

roundTrip('a phone starting with +86 is exported as it is; a code starting with - is guarded (the round trip above restores it)', async () => {
  const csv = poolCsv(awkward.map((r, i) => ({ ...r, id: String(i) })));
  assert.ok(csv.includes("\r\n'-A1,Minus Code,"), 'the code is guarded like any cell that starts with a minus');
  assert.ok(csv.includes(',+86 138 0013 8000,'), 'the phone is not prefixed');
  assert.ok(csv.includes(',+8613800138000,'));
});

roundTrip('every phone the importer accepts survives export and import', async () => {
  // All valid by the importer's own rules: "+86 (10) 6512 3456" is a usual way to write a Beijing number.
  const phones = ['+86 138 0013 8000', '010-6512 3456', '010 (6512) 3456', '+86 (10) 6512 3456', '+86-10-6512-3456'];
  const text = `code,name,stratum,phone\n${phones.map((p, i) => `P${i},Name,企业代表,${p}`).join('\n')}\n`;
  const imported = rowsOf(utf8(text)).rows;
  const exported = poolCsv(imported.map((r, i) => ({ ...r, id: String(i) })));
  const back = parsePoolCsv(utf8(exported), en);
  assert.ok(back.ok, `re-import refused: ${JSON.stringify(!back.ok && back.problems)}`);
  if (back.ok) assert.equal(back.rows, imported);
});

roundTrip('a name the export guards against formulas comes back as it was', async () => {
  const t = await createTestApp();
  await upsertRepresentatives(t.db, t.audit, [rep('A1', { name: '=1+2' }), rep('A2', { name: '@home' })], { actor: 'test' });
  const parsed = rowsOf(utf8(poolCsv(await allRepresentatives(t.db))));
  assert.equal(
    parsed.rows.map((r) => r.name),
    ['=1+2', '@home'],
  );
  const summary = await upsertRepresentatives(t.db, t.audit, parsed.rows, { actor: 'test' });
  assert.equal(summary, { added: 0, updated: 0, unchanged: 2, deactivated: 0 });
});

roundTrip('the export is UTF-8 with a BOM, CRLF line ends, and the documented header', () => {
  const csv = poolCsv([{ ...rep('A1'), id: 'x' }]);
  assert.ok(csv.startsWith('\uFEFFcode,name,stratum,district,phone,email,active\r\n'));
  assert.ok(csv.endsWith('\r\n'));
  assert.not.match(csv.replace(/\r\n/g, ''), /\n/);
});

roundTrip.run();

const injection = suite('pool export: CSV injection');

injection('text a spreadsheet would run as a formula is exported with a leading apostrophe', () => {
  const dangerous = ['=1+2', '=HYPERLINK("http://evil.example","x")', '@SUM(A1)', '+1+2', '-2+3', '\t=1+2'];
  const reps = dangerous.map((name, i) => ({ ...rep(`D${i}`, { name }), id: String(i) }));
  const csv = poolCsv(reps);
  const lines = csv.split('\r\n');
  for (const [i, name] of dangerous.entries()) {
    const line = lines.find((l) => l.startsWith(`D${i},`)) ?? '';
    const nameCell = line.slice(`D${i},`.length);
    assert.ok(nameCell.startsWith("'") || nameCell.startsWith(`"'`), `${JSON.stringify(name)} → ${line}`);
  }
});

injection('ordinary names and valid phones are not touched; a code that starts with a minus is guarded and comes back as it was', () => {
  const csv = poolCsv([{ ...rep('-A1', { name: '张三', phone: '+86 138 0013 8000', email: 'a@b.cn', district: '东城区' }), id: 'x' }]);
  assert.ok(csv.includes("\r\n'-A1,张三,企业代表,东城区,+86 138 0013 8000,a@b.cn,1\r\n"), csv);
  const back = parsePoolCsv(utf8(csv), en);
  assert.equal(back.ok && back.rows.map((r) => [r.code, r.phone]), [['-A1', '+86 138 0013 8000']]);
});

injection.run();
