import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Config } from '../server/config.js';
import { findRepresentative, upsertRepresentatives, type RepresentativeInput } from '../server/pool/representatives.js';
import { countRows, createTestApp, loggedIn, type TestApp } from './helpers.js';

type Admin = Awaited<ReturnType<typeof loggedIn>>;

function rep(code: string, over: Partial<RepresentativeInput> = {}): RepresentativeInput {
  return { code, name: `Name ${code}`, stratum: '企业代表', district: null, phone: null, email: null, active: true, ...over };
}

/** A small pool with personal data worth protecting. */
const POOL: RepresentativeInput[] = [
  rep('A1', { name: '张三丰', stratum: '企业代表', district: '东城区', phone: '13800138000', email: 'zhangsf@example.cn' }),
  rep('A2', { name: '李四光', stratum: '社区居民', district: '西城区', phone: '13900139000', email: 'lisg@example.cn' }),
  rep('B1', { name: '王五', stratum: '企业代表', district: '西城区' }),
  rep('B2', { name: 'Zhao Liu', stratum: '人大代表', district: null, email: 'Zhao.Liu@Example.cn' }),
  rep('C1', { name: '钱七', stratum: '社区居民', district: '东城区', active: false }),
];
const PERSONAL = ['张三丰', '李四光', '13800138000', '13900139000', 'zhangsf@example.cn', 'lisg@example.cn', 'Zhao Liu'];

/** A logged-in administrator reading the console in English, with the pool above. */
async function setup(config: Partial<Config> = {}, pool = POOL): Promise<{ t: TestApp; b: Admin }> {
  const t = await createTestApp({ config });
  if (pool.length) await upsertRepresentatives(t.db, t.audit, pool, { actor: 'test' });
  const b = await loggedIn(t);
  b.cookies.set('lang', 'en');
  return { t, b };
}

/** The representative codes listed on a pool page, in order. */
function listedCodes(html: string): string[] {
  return [...html.matchAll(/<a href="\/admin\/pool\/r\/[^"]+"><code>([^<]+)<\/code><\/a>/g)].map((m) => m[1] ?? '');
}

async function listed(b: Admin, query: string): Promise<string[]> {
  const res = await b.get(`/admin/pool${query}`);
  assert.is(res.status, 200, query);
  return listedCodes(await res.text());
}

const search = suite('pool console: search and filters');

search('the list shows active representatives by default, ordered by code, with names', async () => {
  const { b } = await setup();
  const html = await (await b.get('/admin/pool')).text();
  assert.equal(listedCodes(html), ['A1', 'A2', 'B1', 'B2']);
  assert.ok(html.includes('张三丰'));
  assert.ok(html.includes('4 active representatives, 1 inactive.'));
});

search('search by name, part of a name, code, phone or e-mail (case-insensitive)', async () => {
  const { b } = await setup();
  const q = (s: string) => `?q=${encodeURIComponent(s)}`;
  assert.equal(await listed(b, q('张三丰')), ['A1']);
  assert.equal(await listed(b, q('四光')), ['A2']);
  assert.equal(await listed(b, q('B2')), ['B2']);
  assert.equal(await listed(b, q('b')), ['B1', 'B2'], 'codes match regardless of case');
  assert.equal(await listed(b, q('1390013')), ['A2']);
  assert.equal(await listed(b, q('zhao.liu@example')), ['B2']);
  assert.equal(await listed(b, q('nobody')), []);
  assert.ok((await (await b.get(`/admin/pool${q('nobody')}`)).text()).includes('No representative matches.'));
});

search('wildcard characters in a search are taken literally', async () => {
  const { b } = await setup();
  assert.equal(await listed(b, `?q=${encodeURIComponent('%')}`), []);
  assert.equal(await listed(b, `?q=${encodeURIComponent('_')}`), []);
});

search('filters by stratum, district and status, and together with a search', async () => {
  const { b } = await setup();
  assert.equal(await listed(b, `?stratum=${encodeURIComponent('企业代表')}`), ['A1', 'B1']);
  assert.equal(await listed(b, `?district=${encodeURIComponent('西城区')}`), ['A2', 'B1']);
  assert.equal(await listed(b, '?active=inactive'), ['C1']);
  assert.equal(await listed(b, '?active=all'), ['A1', 'A2', 'B1', 'B2', 'C1']);
  assert.equal(await listed(b, '?active=nonsense'), ['A1', 'A2', 'B1', 'B2'], 'an unknown value means active');
  assert.equal(await listed(b, `?stratum=${encodeURIComponent('社区居民')}&active=all`), ['A2', 'C1']);
  assert.equal(await listed(b, `?stratum=${encodeURIComponent('社区居民')}&district=${encodeURIComponent('东城区')}&active=all`), ['C1']);
  assert.equal(await listed(b, `?q=A&stratum=${encodeURIComponent('企业代表')}`), ['A1']);
});

search('the filter form keeps what was chosen and offers the strata and districts in use', async () => {
  const { b } = await setup();
  const html = await (await b.get(`/admin/pool?q=abc&stratum=${encodeURIComponent('社区居民')}&active=all`)).text();
  assert.match(html, /<input name="q" type="search" value="abc"/);
  assert.match(html, /<option value="社区居民" selected="">|<option value="社区居民" selected>/);
  assert.match(html, /<option value="all" selected="">|<option value="all" selected>/);
  for (const s of ['企业代表', '社区居民', '人大代表', '东城区', '西城区']) assert.ok(html.includes(`<option value="${s}"`), s);
});

search.run();

const paging = suite('pool console: pagination');

paging('120 representatives make 3 pages of at most 50, with working previous and next links', async () => {
  const many = Array.from({ length: 120 }, (_, i) => rep(`R${String(i).padStart(3, '0')}`));
  const { b } = await setup({}, many);
  const first = await (await b.get('/admin/pool')).text();
  assert.is(listedCodes(first).length, 50);
  assert.is(listedCodes(first)[0], 'R000');
  assert.ok(first.includes('Page 1 of 3, 120 in all'));
  assert.not.ok(first.includes('>Previous<'));
  const next = /<a href="([^"]+)">Next<\/a>/.exec(first)?.[1]?.replace(/&amp;/g, '&');
  assert.ok(next);
  const second = await (await b.get(next)).text();
  assert.equal(
    listedCodes(second),
    many.slice(50, 100).map((r) => r.code),
  );
  const third = await (await b.get('/admin/pool?page=3')).text();
  assert.equal(
    listedCodes(third),
    many.slice(100).map((r) => r.code),
  );
  assert.ok(third.includes('Page 3 of 3, 120 in all'));
  assert.not.ok(third.includes('>Next<'));
  assert.ok(third.includes('>Previous<'));
});

paging('page links keep the search; a page past the end or a nonsense page is not an error', async () => {
  const many = Array.from({ length: 60 }, (_, i) => rep(`R${String(i).padStart(3, '0')}`, { stratum: i % 2 ? '甲' : '乙' }));
  const { b } = await setup({}, many);
  const html = await (await b.get(`/admin/pool?stratum=${encodeURIComponent('甲')}&q=R0`)).text();
  assert.ok(html.includes('Page 1 of 1, 30 in all'));
  const all = await (await b.get('/admin/pool?page=2')).text();
  const prev = /<a href="([^"]+)">Previous<\/a>/.exec(all)?.[1]?.replace(/&amp;/g, '&') ?? '';
  assert.match(prev, /page=1/);
  for (const page of ['99', '-1', 'abc', '1e9']) {
    const res = await b.get(`/admin/pool?page=${page}`);
    assert.is(res.status, 200, page);
  }
});

paging.run();

const composition = suite('pool console: composition and the minimum-pool warning');

composition('the composition page counts active representatives by stratum and district', async () => {
  const { b } = await setup();
  const res = await b.get('/admin/pool/composition');
  assert.is(res.status, 200);
  const html = await res.text();
  const count = (label: string) => new RegExp(`<th scope="row">${label}</th><td class="num">(\\d+)</td>`).exec(html)?.[1];
  assert.is(count('企业代表'), '2');
  assert.is(count('社区居民'), '1', 'the inactive 钱七 is not counted');
  assert.is(count('人大代表'), '1');
  assert.is(count('东城区'), '1');
  assert.is(count('西城区'), '2');
  assert.is(count('\\(no district\\)'), '1');
  assert.ok(html.includes('50.0%'), 'shares are shown');
  assert.ok(html.includes('4 active representatives, 1 inactive.'));
});

composition('below minPool the pool pages warn, saying how many there are and how many are needed', async () => {
  const { b } = await setup({ minPool: 5 });
  for (const path of ['/admin/pool', '/admin/pool/composition']) {
    const html = await (await b.get(path)).text();
    assert.match(html, /role="alert"/, path);
    assert.ok(html.includes('only 4 active representatives, fewer than the required 5 (1 missing)'), path);
  }
});

composition('at minPool the warning is gone', async () => {
  const { b } = await setup({ minPool: 4 });
  for (const path of ['/admin/pool', '/admin/pool/composition']) {
    const html = await (await b.get(path)).text();
    assert.not.ok(html.includes('fewer than the required'), path);
    assert.not.match(html, /class="alert"/, path);
  }
});

composition('the warning follows deactivation', async () => {
  const { b } = await setup({ minPool: 4 });
  await b.post('/admin/pool/r/A1/active', { _csrf: b.token, active: '0' });
  assert.ok((await (await b.get('/admin/pool')).text()).includes('only 3 active representatives, fewer than the required 4 (1 missing)'));
});

composition.run();

const one = suite('pool console: one representative');

one('the page shows every field; saving changes them', async () => {
  const { t, b } = await setup();
  const page = await b.get('/admin/pool/r/A1');
  assert.is(page.status, 200);
  const html = await page.text();
  for (const v of ['value="张三丰"', 'value="企业代表"', 'value="东城区"', 'value="13800138000"', 'value="zhangsf@example.cn"']) assert.ok(html.includes(v), v);
  const res = await b.post('/admin/pool/r/A1', {
    _csrf: b.token,
    code: 'A1',
    name: '张三丰',
    stratum: '企业代表',
    district: '东城区',
    phone: '+86 138 0000 0000',
    email: '',
    active: '1',
  });
  assert.is(res.status, 303);
  const stored = await findRepresentative(t.db, 'A1');
  assert.is(stored?.phone, '+86 138 0000 0000');
  assert.is(stored?.email, null, 'an emptied field is cleared');
  const after = await (await b.get(res.headers.get('location') ?? '')).text();
  assert.ok(after.includes('value="+86 138 0000 0000"'));
});

one('after saving, the page says it was saved', async () => {
  const { b } = await setup();
  const res = await b.post('/admin/pool/r/B1', { _csrf: b.token, code: 'B1', name: '王五', stratum: '企业代表', district: '东城区', active: '1' });
  assert.is(res.status, 303);
  const after = await (await b.get(res.headers.get('location') ?? '')).text();
  assert.ok(after.includes('value="东城区"'));
  assert.ok(after.includes('Representative B1 saved.'), 'no confirmation on the page the save redirects to');
});

one('a bad edit is 422 with the problem, keeps what was typed, and changes nothing', async () => {
  const { t, b } = await setup();
  const audit = await countRows(t.db, 'audit_log');
  const res = await b.post('/admin/pool/r/A1', {
    _csrf: b.token,
    code: 'A1',
    name: '张三丰',
    stratum: '企业,代表',
    phone: 'call me',
    email: 'x@',
    active: '1',
  });
  assert.is(res.status, 422);
  const html = await res.text();
  assert.ok(html.includes('contains a comma'));
  assert.ok(html.includes('the phone number is malformed'));
  assert.ok(html.includes('the e-mail address is malformed'));
  assert.ok(html.includes('value="call me"'));
  assert.is((await findRepresentative(t.db, 'A1'))?.phone, '13800138000');
  assert.is(await countRows(t.db, 'audit_log'), audit);
});

one('changing the code to one in use is 422; an unknown code is 404', async () => {
  const { t, b } = await setup();
  const res = await b.post('/admin/pool/r/A1', { _csrf: b.token, code: 'A2', name: 'x', stratum: 'y', active: '1' });
  assert.is(res.status, 422);
  assert.ok((await res.text()).includes('the code A2 belongs to another representative'));
  assert.is((await findRepresentative(t.db, 'A1'))?.name, '张三丰');
  assert.is((await b.get('/admin/pool/r/NOPE')).status, 404);
  assert.is((await b.post('/admin/pool/r/NOPE/active', { _csrf: b.token, active: '0' })).status, 404);
});

one('deactivate and reactivate', async () => {
  const { t, b } = await setup();
  const off = await b.post('/admin/pool/r/A1/active', { _csrf: b.token, active: '0' });
  assert.is(off.status, 303);
  const after = await (await b.get(off.headers.get('location') ?? '')).text();
  assert.ok(after.includes('Representative A1 deactivated.'));
  assert.not.ok(listedCodes(after).includes('A1'), 'gone from the active list');
  assert.ok((await listed(b, '?active=inactive')).includes('A1'));
  assert.is((await findRepresentative(t.db, 'A1'))?.active, false);
  const page = await (await b.get('/admin/pool/r/A1')).text();
  assert.ok(page.includes('>Reactivate<'));
  await b.post('/admin/pool/r/A1/active', { _csrf: b.token, active: '1' });
  assert.is((await findRepresentative(t.db, 'A1'))?.active, true);
});

one('add a representative; a taken code or bad fields are 422 and nothing is stored', async () => {
  const { t, b } = await setup();
  const ok = await b.post('/admin/pool', { _csrf: b.token, code: 'N1', name: '新人', stratum: '媒体代表', district: '', phone: '', email: '', active: '1' });
  assert.is(ok.status, 303);
  assert.is((await findRepresentative(t.db, 'N1'))?.district, null);
  const taken = await b.post('/admin/pool', { _csrf: b.token, code: 'A1', name: '别人', stratum: '媒体代表', active: '1' });
  assert.is(taken.status, 422);
  const badCode = await b.post('/admin/pool', { _csrf: b.token, code: 'N 2', name: '', stratum: '', active: '1' });
  assert.is(badCode.status, 422);
  assert.is(await countRows(t.db, 'representatives'), POOL.length + 1);
});

one.run();

const upload = suite('pool console: import by upload');

async function send(b: Admin, text: string, fields: Record<string, string> = {}) {
  return b.follow(await b.upload('/admin/pool/import', { _csrf: b.token, ...fields }, { name: 'file', bytes: text }));
}

upload('a file with a bad row changes nothing and reports every problem with its line', async () => {
  const { t, b } = await setup();
  const before = await t.db.selectFrom('representatives').selectAll().orderBy('code').execute();
  const audit = await countRows(t.db, 'audit_log');
  const file = 'code,name,stratum,phone\nA1,张三丰改名,企业代表,13800138000\nN1,新人,媒体代表,\nN2,坏电话,媒体代表,abc\nN1,重复,媒体代表,\n';
  const res = await send(b, file, { deactivateMissing: '1' });
  assert.is(res.status, 422);
  const html = await res.text();
  assert.ok(html.includes('The file has 2 problems; nothing was imported:'));
  assert.ok(html.includes('line 4: the phone number is malformed'));
  assert.ok(html.includes('line 5: the code N1 appears again (first on line 3)'));
  assert.equal(await t.db.selectFrom('representatives').selectAll().orderBy('code').execute(), before);
  assert.is(await countRows(t.db, 'audit_log'), audit);
});

upload('a good file is imported and the counts and encoding are shown', async () => {
  const { t, b } = await setup();
  const res = await send(b, 'code,name,stratum,phone\nA1,张三丰,企业代表,13800138000\nN1,新人,媒体代表,\n');
  assert.is(res.status, 200);
  const html = await res.text();
  assert.ok(html.includes('Imported (utf-8): 1 added, 1 updated, 0 unchanged, 0 deactivated.'), 'A1 lost its district and e-mail: updated');
  assert.is((await findRepresentative(t.db, 'N1'))?.name, '新人');
  assert.is((await findRepresentative(t.db, 'A2'))?.active, true, 'without the checkbox, others stay active');
});

upload('with “deactivate missing” ticked, the active ones not in the file are deactivated', async () => {
  const { b } = await setup();
  const res = await send(b, 'code,name,stratum,district,phone,email\nA1,张三丰,企业代表,东城区,13800138000,zhangsf@example.cn\n', { deactivateMissing: '1' });
  assert.is(res.status, 200);
  assert.ok((await res.text()).includes('0 added, 0 updated, 1 unchanged, 3 deactivated.'));
  assert.equal(await listed(b, ''), ['A1']);
});

upload('a GB18030 file (as Excel saves it in China) is recognised and said so', async () => {
  const { t, b } = await setup();
  const hex = (h: string) => Uint8Array.from(h.replace(/\s+/g, '').match(/../g) ?? [], (x) => Number.parseInt(x, 16));
  const ascii = (s: string) => new TextEncoder().encode(s);
  // code,name,stratum / N1,张三,企业代表
  const parts = [ascii('code,name,stratum\r\nN1,'), hex('d5c5 c8fd'), ascii(','), hex('c6f3 d2b5 b4fa b1ed'), ascii('\r\n')];
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  assert.is(new TextDecoder('gb18030').decode(bytes), 'code,name,stratum\r\nN1,张三,企业代表\r\n');
  const res = await b.follow(await b.upload('/admin/pool/import', { _csrf: b.token }, { name: 'file', bytes }));
  assert.is(res.status, 200);
  assert.ok((await res.text()).includes('Imported (gb18030): 1 added'));
  const stored = await findRepresentative(t.db, 'N1');
  assert.is(stored?.name, '张三');
  assert.is(stored?.stratum, '企业代表');
});

upload('the language and 大字 links on the import result page lead to a working page', async () => {
  const { b } = await setup();
  for (const file of ['code,name,stratum\nN1,新人,媒体代表\n', 'code,name,stratum\nN 1,新人,媒体代表\n']) {
    const html = await (await send(b, file)).text();
    const links = [...html.matchAll(/<a href="([^"]*(?:[?&]|&amp;)(?:lang|text)=[^"]*)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
    assert.is(links.length, 2, 'both switches are there');
    for (const link of links) assert.is((await b.get(link)).status, 200, `${link} after an import`);
  }
});

upload('an upload with no file is 422', async () => {
  const { b } = await setup();
  const res = await send(b, '');
  assert.is(res.status, 422);
});

upload.run();

const exporting = suite('pool console: export.csv');

exporting('the export is a UTF-8 CSV with BOM, the documented header and every representative', async () => {
  const { b } = await setup();
  const res = await b.get('/admin/pool/export.csv');
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(res.headers.get('content-disposition') ?? '', /attachment/);
  assert.is(res.headers.get('cache-control'), 'no-store', 'personal data is not kept in caches');
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = new TextDecoder().decode(bytes.slice(3)).split('\r\n');
  assert.is(lines[0], 'code,name,stratum,district,phone,email,active');
  assert.is(lines.filter((l) => l !== '').length, POOL.length + 1, 'inactive ones included');
  assert.ok(lines.includes('A1,张三丰,企业代表,东城区,13800138000,zhangsf@example.cn,1'));
  assert.ok(lines.includes('C1,钱七,社区居民,东城区,,,0'));
});

exporting('the exported file imports back through the console with everything unchanged', async () => {
  const { b } = await setup();
  const csv = new Uint8Array(await (await b.get('/admin/pool/export.csv')).arrayBuffer());
  const res = await b.follow(await b.upload('/admin/pool/import', { _csrf: b.token }, { name: 'file', bytes: csv }));
  assert.is(res.status, 200);
  assert.ok((await res.text()).includes(`Imported (utf-8-bom): 0 added, 0 updated, ${POOL.length} unchanged, 0 deactivated.`));
});

exporting.run();

const privacy = suite('pool console: personal data stays in the console');

privacy('public pages never show names, phones or e-mails', async () => {
  const { t } = await setup();
  for (const path of ['/', '/about', '/?lang=en', '/about?lang=en', '/no/such/page']) {
    const html = await (await t.app.request(path)).text();
    for (const p of PERSONAL) assert.not.ok(html.includes(p), `${path} shows ${p}`);
  }
});

privacy('no log line holds personal data or a search query after searching, editing, importing and exporting', async () => {
  const { t, b } = await setup();
  const searches = ['张三丰', '13800138000', 'zhangsf@example.cn', 'Zhao Liu'];
  for (const q of searches) await b.get(`/admin/pool?q=${encodeURIComponent(q)}&stratum=${encodeURIComponent('企业代表')}`);
  await b.post('/admin/pool/r/A2', {
    _csrf: b.token,
    code: 'A2',
    name: '李四光',
    stratum: '社区居民',
    phone: '13900139000',
    email: 'lisg@example.cn',
    active: '1',
  });
  await b.post('/admin/pool/r/A2', { _csrf: b.token, code: 'A2', name: '李四光', stratum: '社区居民', phone: 'bad phone 13900139000', active: '1' });
  await send(b, 'code,name,stratum,phone\nA1,张三丰,企业代表,not-a-phone-13800138000\n');
  await send(b, 'code,name,stratum,email\nA9,张三丰,企业代表,zhangsf@example.cn\n');
  await b.get('/admin/pool/export.csv');
  await b.get('/admin/pool/r/A1');

  assert.ok(t.logs.length >= searches.length + 6, 'requests were logged');
  const encoded = PERSONAL.flatMap((p) => [p, encodeURIComponent(p), encodeURIComponent(p).toLowerCase(), new URLSearchParams({ q: p }).toString().slice(2)]);
  for (const line of t.logs) {
    for (const p of encoded) assert.not.ok(line.includes(p), `log line holds ${p}: ${line}`);
    assert.not.ok(line.includes('?'), `log line holds a query string: ${line}`);
    assert.not.ok(line.includes('q='), `log line holds a search: ${line}`);
  }
  const audit = await t.db.selectFrom('audit_log').select(['actor', 'action', 'detail']).execute();
  for (const row of audit) for (const p of PERSONAL) assert.not.ok(row.detail.includes(p), `audit row ${row.action} holds ${p}`);
});

privacy.run();
