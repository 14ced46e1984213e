import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { countRows, createTestApp, loggedIn, type TestApp } from './helpers.js';

type Admin = Awaited<ReturnType<typeof loggedIn>>;

/** A logged-in administrator reading the console in English. */
async function admin(): Promise<{ t: TestApp; b: Admin }> {
  const t = await createTestApp();
  const b = await loggedIn(t);
  b.cookies.set('lang', 'en');
  return { t, b };
}

async function addUnit(b: Admin, fields: Record<string, string>) {
  return b.post('/admin/units', { _csrf: b.token, active: '1', ...fields });
}

async function listPage(b: Admin): Promise<string> {
  const res = await b.get('/admin/units');
  assert.is(res.status, 200);
  return res.text();
}

/** The table row of one unit on the list page, or undefined. */
function rowOf(html: string, code: string): string | undefined {
  return (html.match(/<tr\b[^>]*>[\s\S]*?<\/tr>/g) ?? []).find((r) => r.includes(`<code>${code}</code>`));
}

async function dbUnit(t: TestApp, code: string) {
  return t.db.selectFrom('units').selectAll().where('code', '=', code).executeTakeFirst();
}

async function upload(b: Admin, text: string | Uint8Array) {
  return b.follow(await b.upload('/admin/units/import', { _csrf: b.token }, { name: 'file', bytes: text }));
}

const add = suite('units: add through the console');

add('a valid unit is stored and listed under its category', async () => {
  const { t, b } = await admin();
  const res = await addUnit(b, { code: 'GA-01', name: '市公安局', category: '行政执法部门' });
  assert.is(res.status, 303);
  const html = await (await b.get(res.headers.get('location') ?? '')).text();
  assert.ok(html.includes('Unit GA-01 added.'));
  const row = rowOf(html, 'GA-01');
  assert.ok(row, 'listed');
  assert.ok(row.includes('市公安局'));
  assert.ok(row.includes('Active'));
  assert.match(html, /<h2>行政执法部门/);
  const stored = await dbUnit(t, 'GA-01');
  assert.is(stored?.name, '市公安局');
  assert.is(stored?.active, 1);
});

add('invalid code, name and category are all reported at once with 422, what was typed is kept, nothing stored', async () => {
  const { t, b } = await admin();
  const audit = await countRows(t.db, 'audit_log');
  const res = await addUnit(b, { code: 'bad code!', name: '', category: 'a,b' });
  assert.is(res.status, 422);
  const html = await res.text();
  assert.match(html, /the code must be 1–32 letters, digits, - or _ \(got (&quot;|")bad code!(&quot;|")\)/);
  assert.ok(html.includes('the name must have 1–100 characters'));
  assert.ok(html.includes('the category must have 1–50 characters, without commas or line breaks'));
  assert.ok(html.includes('value="bad code!"'), 'the code is kept in the form');
  assert.ok(html.includes('value="a,b"'), 'the category is kept in the form');
  assert.is((html.match(/aria-invalid="true"/g) ?? []).length, 3, 'each bad field is marked');
  assert.is(await countRows(t.db, 'units'), 0);
  assert.is(await countRows(t.db, 'audit_log'), audit);
});

add('length limits: 32-character code, 100-character name and 50-character category pass; one more fails', async () => {
  const { t, b } = await admin();
  const ok = await addUnit(b, { code: 'C'.repeat(32), name: '名'.repeat(100), category: '类'.repeat(50) });
  assert.is(ok.status, 303);
  for (const [field, value, message] of [
    ['code', 'C'.repeat(33), 'the code must be'],
    ['name', '名'.repeat(101), 'the name must have'],
    ['category', '类'.repeat(51), 'the category must have'],
  ] as const) {
    const fields = { code: 'OK1', name: 'Name', category: 'Cat', [field]: value };
    const res = await addUnit(b, fields);
    assert.is(res.status, 422, field);
    assert.ok((await res.text()).includes(message), field);
  }
  assert.is(await countRows(t.db, 'units'), 1);
});

add('a code already in use is 422 and the first unit is untouched', async () => {
  const { t, b } = await admin();
  await addUnit(b, { code: 'U1', name: 'First', category: 'Cat' });
  const res = await addUnit(b, { code: 'U1', name: 'Second', category: 'Cat' });
  assert.is(res.status, 422);
  assert.ok((await res.text()).includes('the code U1 belongs to another unit'));
  assert.is(await countRows(t.db, 'units'), 1);
  assert.is((await dbUnit(t, 'U1'))?.name, 'First');
});

add('the new-unit form offers existing categories', async () => {
  const { b } = await admin();
  await addUnit(b, { code: 'U1', name: 'First', category: '公共服务部门' });
  const html = await (await b.get('/admin/units/new')).text();
  assert.match(html, /<datalist id="categories"><option value="公共服务部门"\/?>/);
});

add.run();

const edit = suite('units: edit, deactivate, reactivate');

edit('edit changes the name and category; the list shows the change', async () => {
  const { t, b } = await admin();
  await addUnit(b, { code: 'U1', name: 'Old name', category: 'Cat A' });
  const form = await b.get('/admin/units/U1/edit');
  assert.is(form.status, 200);
  assert.ok((await form.text()).includes('value="Old name"'));
  const res = await b.post('/admin/units/U1/edit', { _csrf: b.token, code: 'U1', name: 'New name', category: 'Cat B', active: '1' });
  assert.is(res.status, 303);
  const html = await listPage(b);
  assert.ok(rowOf(html, 'U1')?.includes('New name'));
  assert.not.ok(html.includes('Old name'));
  assert.is((await dbUnit(t, 'U1'))?.category, 'Cat B');
});

edit('edit with a bad value is 422 and changes nothing; a taken code is 422; an unknown unit is 404', async () => {
  const { t, b } = await admin();
  await addUnit(b, { code: 'U1', name: 'One', category: 'Cat' });
  await addUnit(b, { code: 'U2', name: 'Two', category: 'Cat' });
  const bad = await b.post('/admin/units/U1/edit', { _csrf: b.token, code: 'U1', name: '', category: 'Cat', active: '1' });
  assert.is(bad.status, 422);
  const taken = await b.post('/admin/units/U1/edit', { _csrf: b.token, code: 'U2', name: 'One', category: 'Cat', active: '1' });
  assert.is(taken.status, 422);
  assert.ok((await taken.text()).includes('the code U2 belongs to another unit'));
  assert.is((await dbUnit(t, 'U1'))?.name, 'One');
  assert.is((await dbUnit(t, 'U2'))?.name, 'Two');
  assert.is((await b.get('/admin/units/NOPE/edit')).status, 404);
  assert.is((await b.post('/admin/units/NOPE/edit', { _csrf: b.token, code: 'NOPE', name: 'x', category: 'y', active: '1' })).status, 404);
  assert.is((await b.post('/admin/units/NOPE/active', { _csrf: b.token, active: '0' })).status, 404);
});

edit('deactivate lists the unit as inactive; reactivate brings it back', async () => {
  const { t, b } = await admin();
  await addUnit(b, { code: 'U1', name: 'One', category: 'Cat' });
  const off = await b.post('/admin/units/U1/active', { _csrf: b.token, active: '0' });
  assert.is(off.status, 303);
  let html = await (await b.get(off.headers.get('location') ?? '')).text();
  assert.ok(html.includes('Unit U1 deactivated.'));
  let row = rowOf(html, 'U1') ?? '';
  assert.match(row, /<tr class="inactive">/);
  assert.ok(row.includes('Inactive'));
  assert.ok(row.includes('Reactivate'));
  assert.ok(html.includes('0 active units, 1 inactive.'));
  assert.is((await dbUnit(t, 'U1'))?.active, 0);

  const on = await b.post('/admin/units/U1/active', { _csrf: b.token, active: '1' });
  html = await (await b.get(on.headers.get('location') ?? '')).text();
  assert.ok(html.includes('Unit U1 reactivated.'));
  row = rowOf(html, 'U1') ?? '';
  assert.ok(row.includes('Active') && !row.includes('Inactive'));
  assert.ok(html.includes('1 active units, 0 inactive.'));
});

edit('an inactive unit is not counted on the public home page', async () => {
  const { b, t } = await admin();
  await addUnit(b, { code: 'U1', name: 'One', category: 'Cat' });
  await addUnit(b, { code: 'U2', name: 'Two', category: 'Cat' });
  await b.post('/admin/units/U2/active', { _csrf: b.token, active: '0' });
  const home = await (await t.app.request('/?lang=en')).text();
  assert.ok(home.includes('Units being evaluated: 1'));
});

edit('every change is in the audit log', async () => {
  const { t, b } = await admin();
  await addUnit(b, { code: 'U1', name: 'One', category: 'Cat' });
  await b.post('/admin/units/U1/edit', { _csrf: b.token, code: 'U1', name: 'Uno', category: 'Cat', active: '1' });
  await b.post('/admin/units/U1/active', { _csrf: b.token, active: '0' });
  const actions = (await t.db.selectFrom('audit_log').select('action').orderBy('seq').execute()).map((r) => r.action);
  assert.equal(actions.slice(-3), ['units.add', 'units.edit', 'units.deactivate']);
});

edit.run();

const importing = suite('units: CSV import');

const FILE = 'code,name,category\nGA,市公安局,行政执法部门\nJY,市教育局,公共服务部门\nFG,市发展改革委,综合管理部门\n';

importing('an upload adds the units and shows the counts; the same file again is all unchanged', async () => {
  const { t, b } = await admin();
  const first = await upload(b, FILE);
  assert.is(first.status, 200);
  assert.ok((await first.text()).includes('Imported: 3 added, 0 updated, 0 unchanged.'));
  assert.is(await countRows(t.db, 'units'), 3);
  const again = await upload(b, FILE);
  assert.ok((await again.text()).includes('Imported: 0 added, 0 updated, 3 unchanged.'));
  const changed = await upload(b, `${FILE.replace('市教育局', '市教育委员会')}WJ,市卫健委,公共服务部门\n`);
  const html = await changed.text();
  assert.ok(html.includes('Imported: 1 added, 1 updated, 2 unchanged.'));
  assert.ok(rowOf(html, 'JY')?.includes('市教育委员会'));
  assert.is(await countRows(t.db, 'units'), 4);
});

importing('bad rows are all reported with their line numbers, and nothing is stored', async () => {
  const { t, b } = await admin();
  const audit = await countRows(t.db, 'audit_log');
  const file = [
    'code,name,category',
    'GA,市公安局,行政执法部门',
    'bad code,市教育局,公共服务部门',
    'FG,,综合管理部门',
    'GA,市公安局（重复）,行政执法部门',
    'OK,Fine,Cat',
  ].join('\n');
  const res = await upload(b, file);
  assert.is(res.status, 422);
  const html = await res.text();
  assert.ok(html.includes('line 3: the code must be'), 'bad code on line 3');
  assert.ok(html.includes('line 4: the name must have'), 'missing name on line 4');
  assert.ok(html.includes('line 5: the code GA appears again (first on line 2)'), 'duplicate on line 5');
  assert.not.ok(/line (1|2|6):/.test(html), 'good lines are not reported');
  assert.is(await countRows(t.db, 'units'), 0);
  assert.is(await countRows(t.db, 'audit_log'), audit);
});

importing('a failed import leaves existing units exactly as they were', async () => {
  const { t, b } = await admin();
  await upload(b, FILE);
  const before = await t.db.selectFrom('units').selectAll().orderBy('code').execute();
  const audit = await countRows(t.db, 'audit_log');
  const res = await upload(b, 'code,name,category\nGA,改了名字,行政执法部门\nNEW,新单位,新类别\nX Y,坏编号,类别\n');
  assert.is(res.status, 422);
  assert.equal(await t.db.selectFrom('units').selectAll().orderBy('code').execute(), before);
  assert.is(await countRows(t.db, 'audit_log'), audit);
  assert.is(await t.db.selectFrom('categories').select('name').where('name', '=', '新类别').executeTakeFirst(), undefined, 'no stray category');
});

importing('an unknown column is refused on line 1', async () => {
  const { t, b } = await admin();
  const res = await upload(b, 'code,name,category,colour\nGA,市公安局,行政执法部门,blue\n');
  assert.is(res.status, 422);
  const html = await res.text();
  assert.match(html, /line 1: unknown column (&quot;|")colour(&quot;|")/);
  assert.is(await countRows(t.db, 'units'), 0);
});

importing('a missing required column is refused', async () => {
  const { t, b } = await admin();
  const res = await upload(b, 'code,name\nGA,市公安局\n');
  assert.is(res.status, 422);
  assert.ok((await res.text()).includes('line 1: the required column category is missing'));
  assert.is(await countRows(t.db, 'units'), 0);
});

importing('the active column understands 是/否/1/0 (blank means active) and refuses anything else', async () => {
  const { t, b } = await admin();
  const res = await upload(b, 'code,name,category,active\nA,甲,类,是\nB,乙,类,否\nC,丙,类,1\nD,丁,类,0\nE,戊,类,\n');
  assert.is(res.status, 200);
  const rows = await t.db.selectFrom('units').select(['code', 'active']).orderBy('code').execute();
  assert.equal(rows, [
    { code: 'A', active: 1 },
    { code: 'B', active: 0 },
    { code: 'C', active: 1 },
    { code: 'D', active: 0 },
    { code: 'E', active: 1 },
  ]);
  const bad = await upload(b, 'code,name,category,active\nA,甲,类,否\nF,己,类,maybe\n');
  assert.is(bad.status, 422);
  assert.match(await bad.text(), /line 3: the active value (&quot;|")maybe(&quot;|") is not understood/);
  assert.is((await dbUnit(t, 'A'))?.active, 1, 'the good row of the refused file was not applied');
  assert.is(await countRows(t.db, 'units'), 5);
});

importing('Chinese column names and a GB18030 file are understood', async () => {
  const { t, b } = await admin();
  // GB18030 bytes of 编号 名称 类别 张三 企业代表, checked by decoding below.
  const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => Number.parseInt(x, 16));
  const ascii = (s: string) => new TextEncoder().encode(s);
  const parts = [
    hex('b1e0bac5'),
    ascii(','),
    hex('c3fbb3c6'),
    ascii(','),
    hex('c0e0b1f0'),
    ascii('\nGA,'),
    hex('d5c5c8fd'),
    ascii(','),
    hex('c6f3d2b5b4fab1ed'),
    ascii('\n'),
  ];
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  assert.is(new TextDecoder('gb18030').decode(bytes), '编号,名称,类别\nGA,张三,企业代表\n', 'the test file is what it claims to be');
  const res = await upload(b, bytes);
  assert.is(res.status, 200);
  const unit = await dbUnit(t, 'GA');
  assert.is(unit?.name, '张三');
  assert.is(unit?.category, '企业代表');
});

importing('an upload without a file is 422 with a message', async () => {
  const { t, b } = await admin();
  const res = await upload(b, '');
  assert.is(res.status, 422);
  assert.ok((await res.text()).includes('Choose a CSV file.'));
  assert.is(await countRows(t.db, 'units'), 0);
});

importing('the language and 大字 links on the import result page lead to a working page', async () => {
  const { b } = await admin();
  for (const file of [FILE, 'code,name,category\nbad code,x,y\n']) {
    const html = await (await upload(b, file)).text();
    const links = [...html.matchAll(/<a href="([^"]*(?:[?&]|&amp;)(?:lang|text)=[^"]*)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
    assert.is(links.length, 2, 'both switches are there');
    for (const link of links) assert.is((await b.get(link)).status, 200, `${link} after an import`);
  }
});

importing.run();

const categories = suite('units: category order');

categories('categories are listed in the order they first appeared, not alphabetically', async () => {
  const { b } = await admin();
  const order = ['综合管理部门', '行政执法部门', '公共服务部门'];
  assert.not.equal([...order].sort(), order, 'the test order is not the sorted order');
  await upload(b, `code,name,category\nA,甲,${order[0]}\nB,乙,${order[1]}\nC,丙,${order[0]}\nD,丁,${order[2]}\n`);
  await addUnit(b, { code: 'E', name: '戊', category: 'AAA 新类别' });
  const html = await listPage(b);
  const headings = [...html.matchAll(/<h2>([^<]+?) <span class="count">/g)].map((m) => m[1]);
  assert.equal(headings, [...order, 'AAA 新类别']);
});

categories('a later import does not reorder existing categories', async () => {
  const { b } = await admin();
  await upload(b, 'code,name,category\nA,甲,乙类\nB,乙,甲类\n');
  await upload(b, 'code,name,category\nC,丙,丙类\nD,丁,甲类\nE,戊,乙类\n');
  const html = await listPage(b);
  const headings = [...html.matchAll(/<h2>([^<]+?) <span class="count">/g)].map((m) => m[1]);
  assert.equal(headings, ['乙类', '甲类', '丙类']);
});

categories.run();

const escaping = suite('units: escaping');

escaping('a unit name with a script tag is shown as text, not run', async () => {
  const { b } = await admin();
  const res = await addUnit(b, { code: 'XSS', name: '<script>alert(1)</script>', category: '<b>bold</b>' });
  assert.is(res.status, 303);
  const html = await listPage(b);
  assert.not.ok(html.includes('<script>alert(1)'));
  assert.not.ok(html.includes('<b>bold</b>'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  const edit = await (await b.get('/admin/units/XSS/edit')).text();
  assert.not.ok(edit.includes('<script>alert(1)'));
});

escaping('a hostile code echoed in an error message is escaped', async () => {
  const { b } = await admin();
  const res = await addUnit(b, { code: '"><img src=x onerror=alert(1)>', name: 'n', category: 'c' });
  assert.is(res.status, 422);
  const html = await res.text();
  assert.not.ok(html.includes('<img src=x'));
});

escaping('the same through a CSV import', async () => {
  const { b } = await admin();
  const res = await upload(b, 'code,name,category\nX1,"<script>alert(1)</script>",Cat\n');
  assert.is(res.status, 200);
  const html = await res.text();
  assert.not.ok(html.includes('<script>alert(1)'));
  assert.ok(html.includes('&lt;script&gt;'));
});

escaping.run();
