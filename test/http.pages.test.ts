import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { issueSetupToken } from '../server/admin/accounts.js';
import { AppError, type ErrorCode } from '../server/http/errors.js';
import { Browser, createTestApp, TEST_PASSWORD, type TestApp } from './helpers.js';

/** Every opening tag of one element in a page. */
function tags(html: string, name: string): string[] {
  return html.match(new RegExp(`<${name}\\b[^>]*>`, 'gi')) ?? [];
}

function stylesheetUrl(html: string): string {
  const link = tags(html, 'link').find((l) => /rel="stylesheet"/.test(l));
  const href = link && /href="([^"]+)"/.exec(link)?.[1];
  if (!href) throw new Error('no stylesheet link on the page');
  return href;
}

function htmlTag(html: string): string {
  return tags(html, 'html')[0] ?? '';
}

function assertStrictHeaders(res: Response, what: string) {
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.ok(csp, `${what}: has a content security policy`);
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k = '', ...v]) => [k, v]),
  );
  assert.equal(directives.get('script-src'), ["'self'"], `${what}: scripts only from this site`);
  assert.equal(directives.get('frame-ancestors'), ["'none'"], `${what}: never framed`);
  assert.not.ok(csp.includes("'unsafe-inline'"), `${what}: no unsafe-inline`);
  assert.not.ok(csp.includes("'unsafe-eval'"), `${what}: no unsafe-eval`);
  assert.is(res.headers.get('x-content-type-options'), 'nosniff', what);
  // No survey link may reach another site in a Referer header. `same-origin` is as good as `no-referrer` there,
  // and keeps our own forms' Origin header intact (no-referrer makes browsers send `Origin: null` on POST).
  assert.ok(['no-referrer', 'same-origin'].includes(res.headers.get('referrer-policy') ?? ''), `${what}: referrer policy`);
}

const headers = suite('security headers');

headers('a page, an error page and an asset all carry the strict headers', async () => {
  const t = await createTestApp();
  const home = await t.app.request('/');
  assert.is(home.status, 200);
  assertStrictHeaders(home, 'home page');
  const missing = await t.app.request('/no/such/page');
  assert.is(missing.status, 404);
  assertStrictHeaders(missing, '404 page');
  const css = await t.app.request(stylesheetUrl(await home.text()));
  assert.is(css.status, 200);
  assertStrictHeaders(css, 'stylesheet');
});

headers('the login page and console pages (personal data) are never cached', async () => {
  const t = await createTestApp();
  const token = await issueSetupToken(t.db, t.clock);
  const b = new Browser(t);
  assert.is((await b.get('/admin/login')).headers.get('cache-control'), 'no-store', '/admin/login');
  await b.post(`/admin/setup/${token}`, { username: 'admin', password: TEST_PASSWORD, confirm: TEST_PASSWORD });
  for (const path of ['/admin', '/admin/pool', '/admin/pool/export.csv', '/admin/units']) {
    const res = await b.get(path);
    assert.is(res.status, 200, path);
    assert.is(res.headers.get('cache-control'), 'no-store', path);
    assertStrictHeaders(res, path);
  }
});

headers.run();

const assets = suite('hashed static assets');

assets('the stylesheet is served under a content-hashed URL, cached for a year, with its own bytes', async () => {
  const t = await createTestApp();
  const url = stylesheetUrl(await (await t.app.request('/')).text());
  assert.match(url, /^\/assets\/css\/app\.[0-9a-f]{8,}\.css$/);
  const res = await t.app.request(url);
  assert.is(res.status, 200);
  assert.is(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.match(res.headers.get('content-type') ?? '', /^text\/css/);
  const onDisk = readFileSync(new URL('../web/css/app.css', import.meta.url));
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(onDisk), 'serves web/css/app.css');
});

assets('the same file has the same URL on every page and in every app', async () => {
  const a = await createTestApp();
  const b = await createTestApp();
  const fromHome = stylesheetUrl(await (await a.app.request('/')).text());
  const fromAbout = stylesheetUrl(await (await b.app.request('/about?lang=en')).text());
  assert.is(fromAbout, fromHome);
});

assets('a wrong hash or an unhashed name is 404, not the file, and not cached for a year', async () => {
  const t = await createTestApp();
  const url = stylesheetUrl(await (await t.app.request('/')).text());
  const wrong = url.replace(/\.([0-9a-f]+)\.css$/, (_, h: string) => `.${'0'.repeat(h.length)}.css`);
  assert.is.not(wrong, url);
  for (const path of [wrong, '/assets/css/app.css', '/assets/../server/app.ts', '/assets/']) {
    const res = await t.app.request(path);
    assert.is(res.status, 404, path);
    assert.is.not(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', path);
  }
});

assets.run();

const inline = suite('no inline script or style');

async function pagesToCheck(t: TestApp): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const path of ['/', '/about', '/admin/login', '/no/such/page', '/?lang=en', '/about?text=large']) {
    out[path] = await (await t.app.request(path)).text();
  }
  const token = await issueSetupToken(t.db, t.clock);
  out['/admin/setup/…'] = await (await t.app.request(`/admin/setup/${token}`)).text();
  return out;
}

inline('every <script> has a src (the CSP would block anything else)', async () => {
  const t = await createTestApp();
  for (const [path, html] of Object.entries(await pagesToCheck(t))) {
    assert.ok(html.startsWith('<!doctype html>'), `${path} is a page`);
    for (const tag of tags(html, 'script')) assert.match(tag, /\ssrc="\/assets\//, `${path}: ${tag}`);
  }
});

inline('no inline event handlers, javascript: links, style attributes or <style> elements', async () => {
  const t = await createTestApp();
  for (const [path, html] of Object.entries(await pagesToCheck(t))) {
    const allTags = html.match(/<[a-z][^>]*>/gi) ?? [];
    for (const tag of allTags) {
      assert.not.match(tag, /\son[a-z]+\s*=/i, `${path}: event handler in ${tag}`);
      assert.not.match(tag, /\sstyle\s*=/i, `${path}: style attribute in ${tag}`);
      assert.not.match(tag, /javascript:/i, `${path}: javascript: URL in ${tag}`);
    }
    assert.is(tags(html, 'style').length, 0, `${path}: <style> element`);
  }
});

inline.run();

const errors = suite('friendly error pages in both languages');

errors('every error status has its own friendly page in both languages', async () => {
  const t = await createTestApp();
  const codes: [ErrorCode, number, string, string][] = [
    ['not_found', 404, '页面不存在', 'Page not found'],
    ['conflict', 409, '无法重复操作', 'Already done'],
    ['gone', 410, '已不可用', 'No longer available'],
    ['invalid', 422, '内容需要修改', 'Please check what you entered'],
    ['rate_limited', 429, '操作过于频繁', 'Too many attempts'],
  ];
  // Routes that fail on purpose, added before the first request (the router is built then).
  for (const [code] of codes) {
    t.app.get(`/__fail/${code}`, () => {
      throw new AppError(code, code === 'rate_limited' ? { params: { minutes: 15 }, retryAfterSeconds: 900 } : {});
    });
  }
  t.app.get('/__fail/crash', () => {
    throw new Error('secret internals: /var/db/password');
  });
  for (const [code, status, zh, en] of codes) {
    const zhRes = await t.app.request(`/__fail/${code}`);
    assert.is(zhRes.status, status, code);
    const zhHtml = await zhRes.text();
    assert.match(htmlTag(zhHtml), /lang="zh-CN"/);
    assert.ok(zhHtml.includes(`<h1>${zh}</h1>`), `${status} zh`);
    assert.ok(zhHtml.includes('href="/"'), `${status} links home`);
    const enHtml = await (await t.app.request(`/__fail/${code}?lang=en`)).text();
    assert.ok(enHtml.includes(`<h1>${en}</h1>`), `${status} en`);
    assert.not.match(enHtml, /error\.(title|body)\./, `${status}: no raw catalogue key`);
  }
  const limited = await t.app.request('/__fail/rate_limited');
  assert.is(limited.headers.get('retry-after'), '900');
  const crash = await t.app.request('/__fail/crash?lang=en');
  assert.is(crash.status, 500);
  const crashHtml = await crash.text();
  assert.ok(crashHtml.includes('<h1>Something went wrong</h1>'));
  assert.not.ok(crashHtml.includes('secret internals'));
  assert.ok((await (await t.app.request('/__fail/crash')).text()).includes('<h1>系统出现问题</h1>'));
});

errors('the 404 page is in Chinese by default', async () => {
  const t = await createTestApp();
  const res = await t.app.request('/no/such/page');
  assert.is(res.status, 404);
  const html = await res.text();
  assert.match(htmlTag(html), /lang="zh-CN"/);
  assert.ok(html.includes('页面不存在'));
  assert.ok(html.includes('返回首页'), 'offers a way home');
  assert.not.ok(html.includes('Page not found'));
});

errors('?lang=en gives the English 404 page', async () => {
  const t = await createTestApp();
  const res = await t.app.request('/no/such/page?lang=en');
  assert.is(res.status, 404);
  const html = await res.text();
  assert.match(htmlTag(html), /lang="en"/);
  assert.ok(html.includes('Page not found'));
  assert.ok(html.includes('Back to the home page'));
  assert.not.ok(html.includes('页面不存在'));
});

errors('Accept-Language picks the language when nothing else does', async () => {
  const t = await createTestApp();
  const cases: [string, string][] = [
    ['en-US,en;q=0.9', 'Page not found'],
    ['en', 'Page not found'],
    ['zh-CN,zh;q=0.9,en;q=0.8', '页面不存在'],
    ['fr-FR,de;q=0.8', '页面不存在'],
    ['zh-TW;q=0.5, en-GB;q=0.9', 'Page not found'],
  ];
  for (const [header, expected] of cases) {
    const html = await (await t.app.request('/no/such/page', { headers: { 'accept-language': header } })).text();
    assert.ok(html.includes(expected), `Accept-Language: ${header} → ${expected}`);
  }
});

errors('410 (used setup link) and 422 (wrong login) pages in both languages', async () => {
  const t = await createTestApp();
  const gone = await t.app.request('/admin/setup/not-a-real-token');
  assert.is(gone.status, 410);
  assert.ok((await gone.text()).includes('已不可用'));
  const goneEn = await t.app.request('/admin/setup/not-a-real-token?lang=en');
  assert.is(goneEn.status, 410);
  assert.ok((await goneEn.text()).includes('This setup link has been used or has expired'));

  const b = new Browser(t);
  const wrong = await b.post('/admin/login', { username: 'nobody', password: 'wrong password' });
  assert.is(wrong.status, 422);
  assert.ok((await wrong.text()).includes('用户名或密码不正确'));
  const wrongEn = await b.post('/admin/login?lang=en', { username: 'nobody', password: 'wrong password' });
  assert.is(wrongEn.status, 422);
  assert.ok((await wrongEn.text()).includes('The user name or password is not correct.'));
});

errors('429 page says how long to wait, in the reader’s language', async () => {
  const t = await createTestApp();
  const b = new Browser(t);
  for (let i = 0; i < 5; i++) await b.post('/admin/login', { username: 'someone', password: `wrong ${i}` });
  const zh = await b.post('/admin/login', { username: 'someone', password: 'wrong again' });
  assert.is(zh.status, 429);
  assert.match(await zh.text(), /请 \d+ 分钟后再试/);
  const en = await b.post('/admin/login?lang=en', { username: 'someone', password: 'wrong again' });
  assert.is(en.status, 429);
  assert.match(await en.text(), /try again in \d+ min\./);
});

errors('an unexpected failure is a plain 500 page with a reference, logged once, leaking nothing', async () => {
  const t = await createTestApp();
  await t.db.destroy(); // every query now fails inside the handler
  const res = await t.app.request('/', { headers: { 'accept-language': 'en' } });
  assert.is(res.status, 500);
  const html = await res.text();
  assert.ok(html.includes('Something went wrong'));
  const ref = /Reference: ([0-9a-f]+)/.exec(html)?.[1];
  assert.ok(ref, 'shows a reference');
  assert.not.match(html, /destroyed|kysely|at .*\.ts|Error:/i, 'no error detail in the page');
  const errorLines = t.logs.filter((l) => l.includes('ERROR'));
  assert.is(errorLines.length, 1, 'logged once');
  assert.ok(errorLines[0]?.startsWith(ref), 'the log line carries the same reference');
  const zh = await t.app.request('/');
  assert.is(zh.status, 500);
  assert.ok((await zh.text()).includes('系统出现问题'));
});

errors.run();

const language = suite('language switch');

language('?lang= is remembered in a cookie for the next requests', async () => {
  const t = await createTestApp();
  const b = new Browser(t);
  const first = await b.get('/about?lang=en');
  assert.match(first.headers.get('set-cookie') ?? '', /lang=en/);
  assert.match(htmlTag(await first.text()), /lang="en"/);
  const next = await b.get('/', { 'accept-language': 'zh-CN' });
  const html = await next.text();
  assert.match(htmlTag(html), /lang="en"/, 'the cookie beats Accept-Language');
  assert.ok(html.includes('Annual public evaluation'));
  await b.get('/?lang=zh-CN');
  const back = await (await b.get('/', { 'accept-language': 'en' })).text();
  assert.match(htmlTag(back), /lang="zh-CN"/);
  assert.ok(back.includes('年度行风评议'));
});

language('an unknown ?lang= value is ignored', async () => {
  const t = await createTestApp();
  const res = await t.app.request('/?lang=fr');
  assert.match(htmlTag(await res.text()), /lang="zh-CN"/);
  assert.not.match(res.headers.get('set-cookie') ?? '', /lang=fr/);
});

language('every page has a link to the other language that stays on the same page', async () => {
  const t = await createTestApp();
  const token = await issueSetupToken(t.db, t.clock);
  for (const path of ['/', '/about', '/admin/login', '/no/such/page', `/admin/setup/${token}`]) {
    const zh = await (await t.app.request(path)).text();
    const toEn = tags(zh, 'a').find((a) => /lang=en(&|")/.test(a));
    assert.ok(toEn, `${path}: a link to English`);
    const href = /href="([^"]+)"/.exec(toEn)?.[1]?.replace(/&amp;/g, '&') ?? '';
    assert.is(new URL(href, 'http://localhost').pathname, path, `${path}: the link stays on the page`);
    assert.ok(zh.includes('>English<'), `${path}: the link says English`);

    const en = await (await t.app.request(`${path}?lang=en`)).text();
    assert.ok(
      tags(en, 'a').some((a) => /lang=zh-CN(&|")/.test(a)),
      `${path}: a link back to Chinese`,
    );
    assert.ok(en.includes('>中文<'), `${path}: the link says 中文`);
  }
});

language('logged-in console pages have the switch too', async () => {
  const t = await createTestApp();
  const token = await issueSetupToken(t.db, t.clock);
  const b = new Browser(t);
  const created = await b.post(`/admin/setup/${token}`, { username: 'admin', password: TEST_PASSWORD, confirm: TEST_PASSWORD });
  assert.is(created.status, 303);
  for (const path of ['/admin', '/admin/units', '/admin/pool', '/admin/audit']) {
    const html = await (await b.get(path)).text();
    assert.ok(
      tags(html, 'a').some((a) => /lang=en(&|")/.test(a)),
      path,
    );
  }
});

language.run();

const largeText = suite('大字 switch');

largeText('?text=large marks <html> with large-text and is remembered; ?text=normal undoes it', async () => {
  const t = await createTestApp();
  const b = new Browser(t);
  const plain = await (await b.get('/')).text();
  assert.not.match(htmlTag(plain), /large-text/);
  assert.ok(
    tags(plain, 'a').some((a) => /text=large/.test(a)),
    'the switch is offered',
  );
  assert.ok(plain.includes('>大字<'));

  assert.match(htmlTag(await (await b.get('/about?text=large')).text()), /class="large-text"/);
  const later = await (await b.get('/no/such/page')).text();
  assert.match(htmlTag(later), /class="large-text"/, 'remembered, also on an error page');
  assert.ok(
    tags(later, 'a').some((a) => /text=normal/.test(a)),
    'a way back',
  );

  assert.not.match(htmlTag(await (await b.get('/?text=normal')).text()), /large-text/);
  assert.not.match(htmlTag(await (await b.get('/')).text()), /large-text/);
});

largeText('the text-size switch is on every page', async () => {
  const t = await createTestApp();
  for (const path of ['/', '/about', '/admin/login', '/no/such/page']) {
    const html = await (await t.app.request(`${path}?lang=en`)).text();
    assert.ok(html.includes('>Large text<'), path);
  }
});

largeText.run();

const health = suite('/healthz');

health('answers 200 ok as plain text', async () => {
  const t = await createTestApp();
  const res = await t.app.request('/healthz');
  assert.is(res.status, 200);
  assert.is(await res.text(), 'ok');
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
});

health.run();
