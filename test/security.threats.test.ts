// One test per threat of docs/THREAT-MODEL.md that no other file covers.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createAdmin } from '../server/admin/accounts.js';
import { upsertRepresentatives } from '../server/pool/representatives.js';
import { closeRound } from '../server/rounds/rounds.js';
import { publishResults } from '../server/results/publish.js';
import { Browser, TEST_PASSWORD } from './helpers.js';
import { CLOSES, fullBallot, ok, openSurvey, post } from './survey-fixture.js';

const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';

/** An open survey with a logged-in administrator, whose pool has a hostile name. */
async function setup() {
  const s = await openSurvey();
  await upsertRepresentatives(
    s.db,
    s.audit,
    [{ code: 'EVIL1', name: `恶意${XSS}`, stratum: '社区居民', district: XSS.slice(0, 40), phone: null, email: null, active: true }],
    { actor: 'test' },
  );
  await createAdmin(s.db, s.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const b = new Browser(s);
  await b.post('/admin/login', { username: 'admin', password: TEST_PASSWORD });
  return { s, b };
}

const xss = suite('stored XSS');

xss('a representative name and district with markup are shown as text in the console', async () => {
  const { b } = await setup();
  for (const path of ['/admin/pool?q=EVIL1', '/admin/pool/r/EVIL1', '/admin/pool/composition']) {
    const html = await (await b.get(path)).text();
    assert.not.ok(html.includes('<script>alert(1)'), `${path} has raw script`);
    assert.not.ok(/<img src=x/i.test(html), `${path} has a raw img`);
  }
  assert.ok((await (await b.get('/admin/pool/r/EVIL1')).text()).includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
});

xss('comments with markup are shown as text on the console comments page', async () => {
  const { s, b } = await setup();
  const ballot = fullBallot(s.units);
  const unit = s.units[0]!.code;
  const res = await post(s, s.tokens[0]!, { ...ballot, [`c.${unit}`]: XSS, comment: XSS });
  assert.is(res.status, 303);
  ok(await closeRound(s.store, s.audit, 2026, 'test'), 'close'); // comments are readable once the round has closed
  const html = await (await b.get('/admin/rounds/2026/comments')).text();
  assert.not.ok(html.includes('<script>alert(1)'));
  assert.ok(html.split('&lt;script&gt;alert(1)&lt;/script&gt;').length >= 3, 'both comments shown, escaped');
});

xss.run();

const framing = suite('framing');

framing('every kind of answer forbids framing', async () => {
  const { s, b } = await setup();
  const paths = ['/', '/about', '/healthz', '/nope', `/s/${s.tokens[1]}`, '/s/AAAAAAAAAAAAAAAAAAAAAA', '/draw/2026', '/draw/2026.json', '/admin/login'];
  for (const p of paths) {
    const res = await s.app.request(p);
    assert.ok((res.headers.get('content-security-policy') ?? '').includes("frame-ancestors 'none'"), p);
    assert.is(res.headers.get('x-frame-options'), 'DENY', p);
  }
  const admin = await b.get('/admin/pool');
  assert.is(admin.headers.get('x-frame-options'), 'DENY');
});

framing.run();

const traversal = suite('path traversal');

traversal('static files cannot be used to read anything outside web/', async () => {
  const { s } = await setup();
  const tricks = [
    '/assets/../package.json',
    '/assets/..%2fpackage.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/assets/..%5c..%5cpackage.json',
    '/assets/css/../../server/config.ts',
    '/assets/%2e%2e%2f%2e%2e%2fdata%2fsecret',
    '/assets/css/app.css',
    '/assets/css/app.css%00.js',
    '/assets//etc/passwd',
  ];
  const secretish = readFileSync(new URL('../package.json', import.meta.url), 'utf8').slice(0, 40);
  for (const p of tricks) {
    const res = await s.app.request(p);
    const body = await res.text();
    assert.ok(res.status === 404 || res.status === 400, `${p} → ${res.status}`);
    assert.not.ok(body.includes(secretish), `${p} leaked a file`);
  }
});

traversal.run();

const timing = suite('constant time');

timing('secrets are compared in constant time or not compared at all', () => {
  const read = (f: string) => readFileSync(new URL(`../server/${f}`, import.meta.url), 'utf8');
  // Passwords and CSRF tokens: timingSafeEqual, never === on the secret.
  assert.match(read('admin/passwords.ts'), /timingSafeEqual\(key, expected\)/);
  assert.match(read('admin/sessions.ts'), /timingSafeEqual\(x, y\)/);
  assert.match(read('admin/guard.ts'), /sameSecret\(given, admin\.csrfToken\)/);
  // A missing account costs a full scrypt too, so timing does not reveal which user names exist.
  assert.match(read('admin/auth-routes.tsx'), /dummyHash\(\)/);
  // Survey and session tokens are looked up by their SHA-256: the database compares hashes, not the secret.
  assert.match(read('survey/accept.ts'), /findLink\(tokenHash\(key\.token\)\)/);
  assert.match(read('survey/accept.ts'), /findLinkByCode\(codeHash\(code\)\)/);
  assert.match(read('admin/sessions.ts'), /const id = sha256\(token\)/);
});

timing.run();

const personal = suite('personal data in public output');

personal('no name, phone or e-mail of any representative appears in any public page or open data', async () => {
  const { s } = await setup();
  for (const token of s.tokens.slice(0, 25)) assert.is((await post(s, token, fullBallot(s.units))).status, 303);
  s.clock.set(new Date(Date.parse(CLOSES) + 3600_000));
  ok(await closeRound(s.store, s.audit, 2026, 'test'));
  ok(await publishResults(s.db, s.audit, { year: 2026, note: '' }, 'test'));
  const reps = await s.db.selectFrom('representatives').select(['name', 'phone', 'email']).execute();
  const secrets = reps.flatMap((r) => [r.name, r.phone, r.email]).filter((v): v is string => !!v && v.length >= 4);
  const paths = [
    '/',
    '/about',
    '/draw/2026',
    '/draw/2026.json',
    '/draw/2026?code=SQ0000',
    '/results/2026',
    '/results/2026.json',
    '/results/2026.csv',
    `/units/${s.units[0]!.code}`,
    '/healthz',
  ];
  for (const p of paths) {
    const res = await s.app.request(p);
    assert.is(res.status, 200, p);
    const body = await res.text();
    for (const v of secrets) assert.not.ok(body.includes(v), `${p} contains "${v}"`);
  }
  for (const line of s.logs) for (const v of secrets) assert.not.ok(line.includes(v), `a log line contains "${v}"`);
});

personal.run();
