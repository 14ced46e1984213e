// Guards issue 18's Excel files in and out: units and pool import take .xlsx as Excel saves it (the first worksheet,
// English or Chinese headers, numbers, links, rich text and formulas read as the text a person sees), with the same
// all-or-nothing errors named by the worksheet's row numbers; a file that is not what its name says is refused
// cleanly; and every table the product writes is also offered as .xlsx holding the CSV's rows as text cells.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CliError, parseArgs, type CliContext } from '../server/cli/command.js';
import { findCommand } from '../server/cli/commands.js';
import { toCsv } from '../server/csv/read.js';
import { translator } from '../server/i18n/catalogue.js';
import { parsePoolFile } from '../server/pool/csv.js';
import { allRepresentatives, upsertRepresentatives, type RepresentativeInput } from '../server/pool/representatives.js';
import { publishResults } from '../server/results/publish.js';
import { closeRound } from '../server/rounds/rounds.js';
import { cellText, declaredUnpackedSize, readTable } from '../server/sheets/read.js';
import { tableMessages } from '../server/sheets/shape-messages.js';
import { toXlsx } from '../server/sheets/write.js';
import { listUnits } from '../server/units/units.js';
import { countRows, createTestApp, loggedIn, type TestApp } from './helpers.js';
import { ok, openSurvey, smallPool, YEAR } from './survey-fixture.js';

const en = translator('en');
const utf8 = (s: string) => new TextEncoder().encode(s);

const STRATA = ['人大代表', '政协委员', '企业代表', '社区居民', '媒体代表', '特约监督员'];
const HEADER_ZH = ['编号', '姓名', '界别', '区县', '手机', '邮箱', '有效'];
const POOL_SIZE = 3217;

/** The pool of a city: 3,217 people, a leading-zero code, an all-digit code, some without phone or e-mail. */
function cityPool(): RepresentativeInput[] {
  return Array.from({ length: POOL_SIZE }, (_, i) => ({
    code: i === 0 ? '007' : i === 1 ? '000123' : i === 2 ? '4500' : `D${String(i).padStart(5, '0')}`,
    name: `张${'伟芳娜敏静丽强磊军洋'[i % 10]}${i}`,
    stratum: STRATA[i % STRATA.length] as string,
    district: i % 7 === 0 ? null : `${'东西南北'[i % 4]}城区`,
    phone: i % 5 === 0 ? null : `139${String(10_000_000 + i).padStart(8, '0')}`,
    email: i % 3 === 0 ? `rep${i}@example.org` : null,
    active: i % 50 !== 0,
  }));
}

/** The pool as a CSV with Chinese headers, as an office would keep it. */
function poolCsvText(reps: readonly RepresentativeInput[]): string {
  return toCsv(
    HEADER_ZH,
    reps.map((r) => [r.code, r.name, r.stratum, r.district, r.phone, r.email, r.active ? '是' : '否']),
  );
}

/**
 * The same pool as Excel saves it after a person typed it in: phones as numbers, a code with leading zeros kept as
 * text and another shown with a "000000" format, an all-digit code as a number, e-mails as links, a rich-text
 * name, a district computed by a formula, yes/no as text, booleans and numbers, a second worksheet after the
 * first, and formatted but empty rows below the list.
 */
async function excelWorkbook(reps: readonly RepresentativeInput[], change?: (sheet: ExcelJS.Worksheet) => void): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('代表库');
  sheet.addRow(HEADER_ZH);
  for (const [i, r] of reps.entries()) {
    const row = sheet.addRow([]);
    if (r.code === '000123') {
      row.getCell(1).value = 123;
      row.getCell(1).numFmt = '000000';
    } else row.getCell(1).value = /^[1-9]\d*$/.test(r.code) ? Number(r.code) : r.code;
    row.getCell(2).value = i === 3 ? { richText: [{ text: r.name.slice(0, 1), font: { bold: true } }, { text: r.name.slice(1) }] } : r.name;
    row.getCell(3).value = r.stratum;
    row.getCell(4).value = i === 4 && r.district ? { formula: `"${r.district.slice(0, 1)}"&"${r.district.slice(1)}"`, result: r.district } : r.district;
    row.getCell(5).value = r.phone === null ? null : Number(r.phone);
    row.getCell(6).value = r.email === null ? null : i % 2 ? { text: r.email, hyperlink: `mailto:${r.email}` } : r.email;
    row.getCell(7).value = i % 3 === 0 ? (r.active ? '是' : '否') : i % 3 === 1 ? r.active : r.active ? 1 : 0;
  }
  for (let k = 0; k < 3; k++) {
    const blank = sheet.addRow([]);
    blank.getCell(1).font = { bold: true };
    blank.getCell(2).value = '';
  }
  change?.(sheet);
  book.addWorksheet('说明').addRow(['这一页不是名单']);
  return new Uint8Array(await book.xlsx.writeBuffer());
}

/** A CLI context on a test app, so a command runs in this process exactly as `npm run cli` runs it. */
function cliContext(t: TestApp, out: string[] = []): CliContext {
  return {
    store: t.store,
    db: t.db,
    config: t.config,
    clock: t.clock,
    audit: t.audit,
    t: en,
    env: {},
    out: (l) => out.push(l),
    askSecret: async () => undefined,
  };
}

async function runCommand(t: TestApp, argv: string[]): Promise<{ out: string[]; error?: string }> {
  const found = findCommand(argv);
  if (!found) throw new Error(`no command ${argv.join(' ')}`);
  const out: string[] = [];
  try {
    await found.command.run(cliContext(t, out), parseArgs(found.rest, found.command.switches));
    return { out };
  } catch (e) {
    if (e instanceof CliError) return { out, error: e.message };
    throw e;
  }
}

const withoutIds = <T extends { id: string }>(reps: T[]): Omit<T, 'id'>[] => reps.map(({ id: _id, ...r }) => r);

let dir = '';

// ---- Reading ----

const read = suite('reading .xlsx like a CSV');

read.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pingyi-sheets-'));
});
read.after(() => rmSync(dir, { recursive: true, force: true }));

read('a cell reads as the text a person sees in it', () => {
  assert.is(cellText(13800138000), '13800138000', 'a phone typed as a number');
  assert.is(cellText(12), '12');
  assert.is(cellText(12.5), '12.5');
  assert.is(cellText(123, '000000'), '000123', 'a code shown with leading zeros');
  assert.is(cellText('007'), '007');
  assert.is(cellText(true), 'true');
  assert.is(cellText(new Date(Date.UTC(2026, 2, 1))), '2026-03-01');
  assert.is(cellText(new Date(Date.UTC(2026, 2, 1, 9, 30))), '2026-03-01 09:30:00');
  assert.is(cellText({ richText: [{ text: '张' }, { text: '三' }] }), '张三');
  assert.is(cellText({ text: 'a@example.org', hyperlink: 'mailto:a@example.org' }), 'a@example.org');
  assert.is(cellText({ formula: 'A1&B1', result: '南河区' }), '南河区');
  assert.is(cellText({ formula: 'A1*2', result: 4500 }), '4500');
  assert.is(cellText({ error: '#N/A' }), '#N/A');
  assert.is(cellText(null), '');
});

read('a 3,217-row pool saved by Excel imports exactly as its CSV does, from the console', async () => {
  const reps = cityPool();
  const fromCsv = await createTestApp();
  const fromXlsx = await createTestApp();
  try {
    const csvBrowser = await loggedIn(fromCsv);
    const xlsxBrowser = await loggedIn(fromXlsx);
    const a = await csvBrowser.upload(
      '/admin/pool/import',
      { _csrf: csvBrowser.token },
      { name: 'file', bytes: utf8(poolCsvText(reps)), fileName: '代表库.csv' },
    );
    const b = await xlsxBrowser.upload(
      '/admin/pool/import',
      { _csrf: xlsxBrowser.token },
      { name: 'file', bytes: await excelWorkbook(reps), fileName: '代表库.xlsx' },
    );
    assert.is(a.status, 303, await a.text());
    assert.is(b.status, 303, await b.text());
    const summary = (loc: string | null) => new URL(loc ?? '', 'http://x').searchParams;
    assert.is(summary(b.headers.get('location')).get('added'), String(POOL_SIZE));
    assert.is(summary(b.headers.get('location')).get('encoding'), 'xlsx');
    assert.ok((await (await xlsxBrowser.follow(b)).text()).includes('xlsx'), 'the notice says the file was read as a workbook');
    const want = withoutIds(await allRepresentatives(fromCsv.db));
    const got = withoutIds(await allRepresentatives(fromXlsx.db));
    assert.is(got.length, POOL_SIZE);
    assert.equal(got, want);
    const byCode = new Map(got.map((r) => [r.code, r]));
    assert.is(byCode.get('007')?.name, '张伟0', 'the leading-zero code is kept');
    assert.ok(byCode.has('000123') && byCode.has('4500'), 'formatted and all-digit codes are read as shown');
    assert.is(byCode.get('000123')?.phone, '13910000001', 'a numeric phone has no ".0"');
  } finally {
    await fromCsv.store.destroy();
    await fromXlsx.store.destroy();
  }
});

read('three bad rows in a 3,217-row workbook: nothing changes and each row is named, in the console and the CLI', async () => {
  const t = await createTestApp();
  try {
    const before = cityPool().slice(0, 10);
    await upsertRepresentatives(t.db, t.audit, before, { actor: 'test' });
    const snapshot = withoutIds(await allRepresentatives(t.db));
    // Data row i is the worksheet's row i + 2 (the header is row 1).
    const reps = cityPool().map((r, i) => ({ ...r, name: i === 3 ? `${r.name}-改` : r.name }));
    const bytes = await excelWorkbook(reps, (sheet) => {
      sheet.getRow(5).getCell(5).value = 'call me';
      sheet.getRow(1002).getCell(2).value = null;
      sheet.getRow(3001).getCell(1).value = 'D00100';
    });
    const b = await loggedIn(t);
    const audits = await countRows(t.db, 'audit_log');
    const res = await b.upload('/admin/pool/import', { _csrf: b.token }, { name: 'file', bytes, fileName: 'pool.xlsx' });
    assert.is(res.status, 422);
    const html = await res.text();
    for (const row of [5, 1002, 3001]) assert.ok(html.includes(`第 ${row} 行`), `row ${row} is named`);
    assert.ok(html.includes('文件有 3 处问题'), 'exactly three problems');
    assert.ok(html.includes('D00100') && html.includes('第 102 行'), 'the repeated code names the row it first appears on');

    const file = join(dir, 'bad.xlsx');
    writeFileSync(file, bytes);
    const cli = await runCommand(t, ['pool', 'import', file]);
    assert.ok(cli.error, 'the CLI refuses');
    for (const row of [5, 1002, 3001]) assert.match(cli.error ?? '', new RegExp(`line ${row}: `), `row ${row} is named`);
    assert.equal(withoutIds(await allRepresentatives(t.db)), snapshot, 'nothing changed');
    assert.is(await countRows(t.db, 'audit_log'), audits, 'nothing recorded');
  } finally {
    await t.store.destroy();
  }
});

read('units import takes .xlsx with Chinese headers from the CLI and the console', async () => {
  const t = await createTestApp();
  try {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('单位');
    sheet.addRow(['编号', '名称', '类别', '有效']);
    sheet.addRow(['U01', '市发展和改革委员会', '综合部门', '是']);
    sheet.addRow([2, '市教育局', '社会事业', true]);
    sheet.addRow([]);
    const file = join(dir, 'units.xlsx');
    writeFileSync(file, new Uint8Array(await book.xlsx.writeBuffer()));
    const cli = await runCommand(t, ['units', 'import', file]);
    assert.is(cli.error, undefined);
    const units = (await listUnits(t.db)).sort((x, y) => x.code.localeCompare(y.code));
    assert.equal(
      units.map((u) => [u.code, u.name, u.category, u.active]),
      [
        ['2', '市教育局', '社会事业', true],
        ['U01', '市发展和改革委员会', '综合部门', true],
      ],
    );
    sheet.getRow(3).getCell(2).value = '市教育局（改）';
    sheet.addRow(['U03', '', '社会事业']);
    const b = await loggedIn(t);
    const res = await b.upload(
      '/admin/units/import',
      { _csrf: b.token },
      { name: 'file', bytes: new Uint8Array(await book.xlsx.writeBuffer()), fileName: 'units.xlsx' },
    );
    assert.is(res.status, 422);
    assert.ok((await res.text()).includes('第 5 行'), 'the row of the empty name');
    assert.is((await listUnits(t.db)).find((u) => u.code === '2')?.name, '市教育局', 'nothing changed');
  } finally {
    await t.store.destroy();
  }
});

read('a file that is not what its name says is refused with a clear message, changing nothing', async () => {
  const t = await createTestApp();
  try {
    const csv = utf8(poolCsvText(smallPool(40)));
    const xlsx = await excelWorkbook(smallPool(40));
    const xls = Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Uint8Array(504)]);
    // A ZIP that is not a workbook: the workbook's archive with its main part renamed.
    const notBook = new Uint8Array(xlsx);
    const text = Buffer.from(notBook).toString('latin1');
    for (let at = text.indexOf('xl/workbook.xml'); at >= 0; at = text.indexOf('xl/workbook.xml', at + 1)) notBook.set(utf8('xl/workbookXxml'), at);
    const b = await loggedIn(t);
    const cases: [string, Uint8Array, string, string][] = [
      ['a CSV renamed .xlsx', csv, 'pool.xlsx', 'is not an Excel workbook'],
      ['an old .xls', xls, 'pool.xls', 'Excel 97-2003'],
      ['an old .xls renamed .xlsx', xls, 'pool.xlsx', 'Excel 97-2003'],
      ['a workbook named .csv', xlsx, 'pool.csv', 'not CSV'],
      ['a ZIP that is not a workbook', notBook, 'pool.xlsx', 'is not an Excel workbook'],
      ['an OpenDocument sheet', xlsx, 'pool.ods', '.ods'],
    ];
    for (const [what, bytes, name, message] of cases) {
      const r = await parsePoolFile(bytes, name, en);
      assert.is(r.ok, false, what);
      if (!r.ok) {
        assert.is(r.problems.length, 1, `${what}: one problem, not a screen of them: ${JSON.stringify(r.problems)}`);
        assert.ok(r.problems[0]?.message.includes(message), `${what}: ${r.problems[0]?.message}`);
      }
      const res = await b.upload('/admin/pool/import', { _csrf: b.token }, { name: 'file', bytes, fileName: name });
      assert.is(res.status, 422, what);
      assert.not.match(await res.text(), /未知的列/, `${what}: no unknown columns`);
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const cli = await runCommand(t, ['pool', 'import', file]);
      assert.ok(cli.error?.includes(message), `${what}: ${cli.error}`);
    }
    assert.is(await countRows(t.db, 'representatives'), 0);
    const good = await parsePoolFile(xlsx, 'POOL.XLSX', en);
    assert.ok(good.ok, 'the real workbook is read, whatever the case of its name');
  } finally {
    await t.store.destroy();
  }
});

read('a workbook that says it unpacks to more than 200 MB is refused before unpacking', async () => {
  const bytes = await excelWorkbook(smallPool(3));
  const size = declaredUnpackedSize(bytes);
  assert.ok(size !== undefined && size > 0 && size < 1_000_000, String(size));
  // Set the first central-directory entry's uncompressed size to 300 MB.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = bytes.length - 22;
  while (view.getUint32(at, true) !== 0x06054b50) at--;
  view.setUint32(view.getUint32(at + 16, true) + 24, 300 * 1024 * 1024, true);
  const r = await readTable(bytes, 'pool.xlsx', { columns: { code: [] }, required: ['code'], messages: tableMessages(en) });
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.problems[0]?.message ?? '', /unpacks to far more/);
});

read.run();

// ---- Writing ----

/** Every cell of a CSV text as the importers read it: the formula guard's apostrophe taken off again. */
function csvRows(csv: string): string[][] {
  const rows = parse(csv, { bom: true, relax_column_count: true }) as string[][];
  return rows.map((r) => r.map((c) => (c.startsWith("'") && /^[=+\-@\t\r＝＋－＠]/.test(c.slice(1)) ? c.slice(1) : c)));
}

/** A workbook's first worksheet, checked to be a table of text cells, as rows of strings. */
async function xlsxRows(bytes: Uint8Array, what: string): Promise<string[][]> {
  assert.equal([...bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], `${what} is a ZIP`);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  if (!sheet) throw new Error(`${what}: no worksheet`);
  assert.is(sheet.views[0]?.state, 'frozen', `${what}: the header is frozen`);
  assert.is((sheet.views[0] as { ySplit?: number }).ySplit, 1, `${what}: one header row`);
  assert.ok(sheet.autoFilter, `${what}: has filters`);
  assert.is(sheet.getRow(1).getCell(1).font?.bold, true, `${what}: a bold header`);
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      assert.is(cell.formula, undefined, `${what} ${cell.address}: no formula`);
      if (cell.value !== null && cell.value !== '') {
        assert.type(cell.value, 'string', `${what} ${cell.address} is text: ${JSON.stringify(cell.value)}`);
        assert.is(cell.numFmt, '@', `${what} ${cell.address}: formatted as text, so editing keeps it text`);
      }
      cells[col - 1] = cell.value === null ? '' : String(cell.value);
    });
    rows[n - 1] = Array.from(cells, (c) => c ?? '');
  });
  for (const c of sheet.columns) assert.ok((c.width ?? 0) >= 8, `${what}: column widths are set`);
  return rows;
}

/** Pads rows to the header's width, since a worksheet leaves empty trailing cells out. */
function padded(rows: string[][]): string[][] {
  const width = rows[0]?.length ?? 0;
  return rows.map((r) => [...r, ...Array(Math.max(0, width - r.length)).fill('')]);
}

const HOSTILE = ['-WEBSERVICE(D2)', '+HYPERLINK(D2)', '=1+2', '@SUM(A1)', '＝1+2', '＋1', '－NOW()', '＠A1'];

const write = suite('every table the product writes, also as .xlsx');

write.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pingyi-sheets-'));
});
write.after(() => rmSync(dir, { recursive: true, force: true }));

write('pool, links and reminders: the .xlsx holds the CSV rows as text, Chinese intact, and is an audited export', async () => {
  const s = await openSurvey();
  try {
    const hostile = smallPool().map((r, i) => ({ ...r, name: i % 3 ? `代表${HOSTILE[i % HOSTILE.length]}` : (HOSTILE[i % HOSTILE.length] as string) }));
    await upsertRepresentatives(s.db, s.audit, hostile, { actor: 'test' });
    const b = await loggedIn(s);
    for (const [path, action] of [
      [`/admin/rounds/${YEAR}/links`, 'export.links'],
      [`/admin/rounds/${YEAR}/missing`, 'export.missing'],
      ['/admin/pool/export', 'export.pool'],
    ] as const) {
      const csv = await b.get(`${path}.csv`);
      assert.is(csv.status, 200, path);
      const before = await countRows(s.db, 'audit_log');
      const res = await b.get(`${path}.xlsx`);
      assert.is(res.status, 200, `${path}.xlsx`);
      assert.is(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename=".+\.xlsx"/);
      const rows = await xlsxRows(new Uint8Array(await res.arrayBuffer()), path);
      assert.equal(padded(rows), csvRows(await csv.text()), `${path}: the same rows as the CSV`);
      assert.ok(rows.length > 1, path);
      assert.ok(
        rows.some((r) => r.some((c) => c.startsWith('代表'))),
        `${path}: Chinese intact`,
      );
      assert.ok(
        rows.some((r) => r.includes('=1+2')),
        `${path}: formula-looking text is kept as text`,
      );
      assert.is(await countRows(s.db, 'audit_log'), before + 1, `${path}.xlsx is recorded`);
      const last = await s.db.selectFrom('audit_log').select(['action']).orderBy('seq', 'desc').executeTakeFirstOrThrow();
      assert.is(last.action, action);
    }
    const html = await (await b.get('/admin/pool')).text();
    assert.ok(html.includes('href="/admin/pool/export.xlsx"'), 'the pool page offers the workbook');
    assert.ok((await (await b.get(`/admin/rounds/${YEAR}`)).text()).includes(`/admin/rounds/${YEAR}/links.xlsx`), 'the round page offers the links workbook');
  } finally {
    await s.store.destroy();
  }
});

write('the CLI writes .xlsx for an --out or FILE ending so, CSV otherwise; an exported pool imports back unchanged', async () => {
  const s = await openSurvey();
  try {
    const xlsx = join(dir, 'pool.xlsx');
    const csv = join(dir, 'pool.csv');
    assert.is((await runCommand(s, ['pool', 'export', xlsx])).error, undefined);
    assert.is((await runCommand(s, ['pool', 'export', csv])).error, undefined);
    const csvText = readFileSync(csv, 'utf8');
    assert.ok(csvText.startsWith('\uFEFFcode,'), 'CSV for a .csv name');
    assert.equal(padded(await xlsxRows(new Uint8Array(readFileSync(xlsx)), 'pool.xlsx')), csvRows(csvText));
    const back = await parsePoolFile(new Uint8Array(readFileSync(xlsx)), xlsx, en);
    assert.ok(back.ok);
    if (back.ok) assert.equal(back.rows, withoutIds(await allRepresentatives(s.db)));

    const links = join(dir, 'links.XLSX');
    const audits = await countRows(s.db, 'audit_log');
    assert.is((await runCommand(s, ['round', 'links', '--year', String(YEAR), '--out', links])).error, undefined);
    assert.is(await countRows(s.db, 'audit_log'), audits + 1, 'the links export is recorded');
    const rows = await xlsxRows(new Uint8Array(readFileSync(links)), 'links.xlsx');
    assert.equal(rows[0], ['code', 'name', 'stratum', 'district', 'phone', 'email', 'url']);
    assert.is(rows.length, s.seats.length + 1);
    assert.ok(rows.slice(1).every((r) => r[6]?.startsWith('http://localhost/s/')));
  } finally {
    await s.store.destroy();
  }
});

write('results.xlsx beside results.csv: the same rows, unit names as text, offered on the page', async () => {
  const s = await openSurvey({
    units: [
      { code: 'U1', name: '=1+2', category: '-NOW()', active: true },
      { code: 'U2', name: '市教育局', category: '社会事业', active: true },
    ],
  });
  try {
    ok(await closeRound(s.store, s.audit, YEAR, 'test'));
    ok(await publishResults(s.db, s.audit, { year: YEAR, note: '' }, 'test'));
    const csv = await (await s.app.request(`/results/${YEAR}.csv`)).text();
    const res = await s.app.request(`/results/${YEAR}.xlsx`);
    assert.is(res.status, 200);
    assert.is(res.headers.get('access-control-allow-origin'), '*', 'open data like the CSV');
    assert.match(res.headers.get('content-disposition') ?? '', /filename="results-2026-v1\.xlsx"/);
    const rows = await xlsxRows(new Uint8Array(await res.arrayBuffer()), 'results.xlsx');
    assert.equal(padded(rows), csvRows(csv));
    assert.ok(rows.some((r) => r.includes('=1+2') && r.includes('-NOW()')));
    assert.ok(rows.some((r) => r.includes('市教育局')));
    const page = await (await s.app.request(`/results/${YEAR}`)).text();
    assert.ok(page.includes(`/results/${YEAR}.xlsx`), 'the results page links the workbook');
    assert.is((await s.app.request('/results/1999.xlsx')).status, 404);
  } finally {
    await s.store.destroy();
  }
});

write('a table with control characters still makes a workbook that opens', async () => {
  const bytes = await toXlsx({ sheet: 'x', header: ['a'], rows: [['before\u0001after'], ['tab\tand\nline']] });
  const rows = await xlsxRows(bytes, 'control');
  assert.equal(rows, [['a'], ['before\uFFFDafter'], ['tab\tand\nline']]);
});

write.run();
