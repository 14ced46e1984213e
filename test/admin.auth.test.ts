import { createHook } from 'node:async_hooks';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createAdmin, issueSetupToken } from '../server/admin/accounts.js';
import { limitAddress } from '../server/admin/login-limit.js';
import { createApp } from '../server/app.js';
import { auditTrail } from '../server/audit/log.js';
import { fixedClock } from '../server/clock.js';
import { migrateToLatest } from '../server/db/database.js';
import { openPostgresStore } from '../server/db/postgres-store.js';
import { openSqliteStore } from '../server/db/sqlite-store.js';
import { createTestSchema } from './db.js';
import { Browser, countRows, createTestApp, loggedIn, TEST_PASSWORD, testConfig, type TestApp } from './helpers.js';

const SESSION = 'pingyi_session';
const MINUTE = 60_000;

function sessionCookieLine(res: Response): string | undefined {
  return res.headers.getSetCookie().find((l) => l.startsWith(`${SESSION}=`));
}

/** A browser holding exactly one cookie value, as an attacker replaying a stolen or old cookie would. */
function browserWithSession(t: TestApp, value: string): Browser {
  const b = new Browser(t);
  b.cookies.set(SESSION, value);
  return b;
}

async function isLoggedIn(b: Browser): Promise<boolean> {
  const res = await b.get('/admin');
  if (res.status === 200) return true;
  assert.is(res.status, 302);
  assert.match(res.headers.get('location') ?? '', /^\/admin\/login/);
  return false;
}

const login = suite('login and logout');

login('the right password answers 303 into the console with an HttpOnly, SameSite=Strict session cookie', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const b = new Browser(t);
  const res = await b.post('/admin/login', { username: 'admin', password: TEST_PASSWORD });
  assert.is(res.status, 303);
  assert.is(res.headers.get('location'), '/admin');
  const line = sessionCookieLine(res);
  assert.ok(line, 'sets the session cookie');
  assert.match(line, /;\s*HttpOnly/i);
  assert.match(line, /;\s*SameSite=Strict/i);
  const page = await b.get('/admin?lang=en');
  assert.is(page.status, 200);
  assert.ok((await page.text()).includes('Signed in as admin'));
});

login('behind https the session cookie is Secure and HSTS is sent', async () => {
  const t = await createTestApp({ config: { baseUrl: 'https://pingyi.example.gov.cn' } });
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const res = await new Browser(t).post('/admin/login', { username: 'admin', password: TEST_PASSWORD });
  assert.is(res.status, 303);
  assert.match(sessionCookieLine(res) ?? '', /;\s*Secure/i);
  assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d{7,}/);
});

login('a wrong password is 422 with a message, the name kept, and no session', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const b = new Browser(t);
  const res = await b.post('/admin/login?lang=en', { username: 'admin', password: 'not the password' });
  assert.is(res.status, 422);
  const html = await res.text();
  assert.ok(html.includes('The user name or password is not correct.'));
  assert.ok(html.includes('value="admin"'), 'the user name is kept');
  assert.is(sessionCookieLine(res), undefined);
  assert.not.ok(await isLoggedIn(b));
});

login('an unknown user gets exactly the same answer as a wrong password', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const wrongPassword = await new Browser(t).post('/admin/login?lang=en', { username: 'admin', password: 'nope nope nope' });
  const unknownUser = await new Browser(t).post('/admin/login?lang=en', { username: 'nobody', password: 'nope nope nope' });
  assert.is(unknownUser.status, wrongPassword.status);
  const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
  assert.is(strip(await unknownUser.text()), strip(await wrongPassword.text()));
});

login('logout ends the session on the server: the old cookie is sent to the login page afterwards', async () => {
  const t = await createTestApp();
  const b = await loggedIn(t);
  const cookie = b.cookies.get(SESSION);
  assert.ok(cookie);
  const res = await b.post('/admin/logout', { _csrf: b.token });
  assert.is(res.status, 303);
  assert.match(res.headers.get('location') ?? '', /^\/admin\/login/);
  assert.not.ok(b.cookies.has(SESSION), 'the browser is told to forget the cookie');
  const replay = browserWithSession(t, cookie);
  assert.not.ok(await isLoggedIn(replay), 'the old cookie no longer works');
  const post = await replay.post('/admin/units', { _csrf: b.token, code: 'U1', name: 'x', category: 'y', active: '1' });
  assert.is(post.status, 403);
  assert.is(await countRows(t.db, 'units'), 0);
});

login.run();

const fixation = suite('session fixation');

fixation('a session id planted before login is replaced, and the planted one stops working', async () => {
  const t = await createTestApp();
  // The attacker has an account of their own and a valid session in it.
  const attacker = await loggedIn(t, 'mallory');
  const planted = attacker.cookies.get(SESSION);
  assert.ok(planted);

  await createAdmin(t.db, t.audit, { username: 'victim', password: TEST_PASSWORD, actor: 'test' });
  const victim = browserWithSession(t, planted);
  const res = await victim.post('/admin/login', { username: 'victim', password: TEST_PASSWORD });
  assert.is(res.status, 303);
  const after = victim.cookies.get(SESSION);
  assert.ok(after);
  assert.is.not(after, planted, 'a new session id after login');
  assert.ok((await (await victim.get('/admin?lang=en')).text()).includes('Signed in as victim'));
  assert.not.ok(await isLoggedIn(browserWithSession(t, planted)), 'the planted id is worthless now');
});

fixation('a made-up session value set before login is not kept either', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const planted = 'A'.repeat(43);
  const b = browserWithSession(t, planted);
  assert.not.ok(await isLoggedIn(b));
  await b.post('/admin/login', { username: 'admin', password: TEST_PASSWORD });
  assert.is.not(b.cookies.get(SESSION), planted);
  assert.ok(await isLoggedIn(b));
  assert.not.ok(await isLoggedIn(browserWithSession(t, planted)));
});

fixation('every login gets its own session', async () => {
  const t = await createTestApp();
  const one = await loggedIn(t);
  const two = new Browser(t);
  await two.post('/admin/login', { username: 'admin', password: TEST_PASSWORD });
  assert.is.not(two.cookies.get(SESSION), one.cookies.get(SESSION));
  assert.ok(await isLoggedIn(one));
  assert.ok(await isLoggedIn(two));
});

fixation.run();

const idle = suite('idle expiry');

idle('a session idle longer than sessionIdleMinutes ends', async () => {
  const t = await createTestApp({ config: { sessionIdleMinutes: 30 } });
  const b = await loggedIn(t);
  t.clock.advance(29 * MINUTE);
  assert.ok(await isLoggedIn(b), 'still in after 29 idle minutes');
  t.clock.advance(31 * MINUTE);
  assert.not.ok(await isLoggedIn(b), 'out after 31 idle minutes');
  t.clock.advance(-60 * MINUTE);
  assert.not.ok(await isLoggedIn(b), 'an expired session stays ended');
});

idle('activity keeps the session alive', async () => {
  const t = await createTestApp({ config: { sessionIdleMinutes: 30 } });
  const b = await loggedIn(t);
  for (let i = 0; i < 4; i++) {
    t.clock.advance(20 * MINUTE);
    assert.ok(await isLoggedIn(b), `after ${(i + 1) * 20} minutes of regular use`);
  }
});

idle('the idle limit follows the configuration', async () => {
  const t = await createTestApp({ config: { sessionIdleMinutes: 5 } });
  const b = await loggedIn(t);
  t.clock.advance(6 * MINUTE);
  assert.not.ok(await isLoggedIn(b));
});

idle('an expired session cannot post either', async () => {
  const t = await createTestApp();
  const b = await loggedIn(t);
  t.clock.advance((t.config.sessionIdleMinutes + 1) * MINUTE);
  const res = await b.post('/admin/units', { _csrf: b.token, code: 'U1', name: 'Unit', category: 'Cat', active: '1' });
  assert.is(res.status, 403);
  assert.is(await countRows(t.db, 'units'), 0);
});

idle.run();

const anonymous = suite('every /admin route refuses anonymous requests');

/** The console's routes, as the app itself lists them, with dummy values for parameters. */
function adminRoutes(t: TestApp): { method: string; path: string }[] {
  const seen = new Set<string>();
  const out: { method: string; path: string }[] = [];
  for (const r of t.app.routes) {
    if (!(r.path === '/admin' || r.path.startsWith('/admin/'))) continue;
    if (r.path === '/admin/login' || r.path.startsWith('/admin/setup/')) continue;
    const path = r.path.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, 'X1').replace(/\*/g, 'anything');
    for (const method of r.method === 'ALL' ? ['GET', 'POST'] : [r.method]) {
      const key = `${method} ${path}`;
      if (seen.has(key)) continue;
      out.push({ method, path });
      seen.add(key);
    }
  }
  return out;
}

anonymous('GET is sent to the login page, anything else is 403, and nothing changes', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const routes = adminRoutes(t);
  assert.ok(routes.length >= 10, `only ${routes.length} routes found`);
  assert.ok(
    routes.some((r) => r.method === 'POST' && r.path === '/admin/pool/import'),
    'the list comes from the real app',
  );
  const audit = await countRows(t.db, 'audit_log');
  for (const { method, path } of routes) {
    const init: RequestInit = { method };
    if (method !== 'GET' && method !== 'HEAD') {
      init.body = new URLSearchParams({ code: 'X1', name: 'Name', category: 'Cat', stratum: 'S', active: '1' }).toString();
      init.headers = { 'content-type': 'application/x-www-form-urlencoded' };
    }
    const res = await t.app.request(path, init);
    if (method === 'GET') {
      assert.is(res.status, 302, `GET ${path}`);
      assert.match(res.headers.get('location') ?? '', /^\/admin\/login(\?|$)/, `GET ${path}`);
    } else {
      assert.is(res.status, 403, `${method} ${path}`);
    }
  }
  assert.is(await countRows(t.db, 'units'), 0);
  assert.is(await countRows(t.db, 'representatives'), 0);
  assert.is(await countRows(t.db, 'audit_log'), audit);
});

anonymous('the export of personal data is not readable without a session', async () => {
  const t = await createTestApp();
  const res = await t.app.request('/admin/pool/export.csv');
  assert.is(res.status, 302);
  assert.not.match(res.headers.get('content-type') ?? '', /csv/);
});

anonymous('after login the visitor lands on the page they asked for', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const b = new Browser(t);
  const first = await b.get('/admin/pool/composition');
  const loginUrl = first.headers.get('location') ?? '';
  const form = await (await b.get(loginUrl)).text();
  const action = /<form[^>]*action="([^"]+)"/.exec(form)?.[1]?.replace(/&amp;/g, '&');
  assert.ok(action);
  const res = await b.post(action, { username: 'admin', password: TEST_PASSWORD });
  assert.is(res.status, 303);
  assert.is(res.headers.get('location'), '/admin/pool/composition');
});

anonymous.run();

const csrf = suite('CSRF protection');

const unitForm = { code: 'U1', name: 'Unit one', category: 'Cat', active: '1' };

csrf('a logged-in POST without _csrf is 403 and changes nothing', async () => {
  const t = await createTestApp();
  const b = await loggedIn(t);
  const audit = await countRows(t.db, 'audit_log');
  const res = await b.post('/admin/units', unitForm);
  assert.is(res.status, 403);
  assert.is(await countRows(t.db, 'units'), 0);
  assert.is(await countRows(t.db, 'audit_log'), audit);
});

csrf('a wrong token, or another session’s token, is 403', async () => {
  const t = await createTestApp();
  const b = await loggedIn(t);
  const other = await loggedIn(t, 'other');
  for (const token of ['wrong', b.token.slice(0, -1), '', other.token]) {
    const res = await b.post('/admin/units', { ...unitForm, _csrf: token });
    assert.is(res.status, 403, `token ${JSON.stringify(token)}`);
  }
  assert.is(await countRows(t.db, 'units'), 0);
});

csrf('a cross-site Origin is 403 even with the right token', async () => {
  const t = await createTestApp();
  const b = await loggedIn(t);
  const res = await b.post('/admin/units', { ...unitForm, _csrf: b.token }, { origin: 'https://evil.example' });
  assert.is(res.status, 403);
  const fetchSite = await b.post('/admin/units', { ...unitForm, _csrf: b.token }, { 'sec-fetch-site': 'cross-site' });
  assert.is(fetchSite.status, 403);
  assert.is(await countRows(t.db, 'units'), 0);
});

csrf('the right token works, as a form field or as an X-CSRF-Token header, also from our own Origin', async () => {
  const t = await createTestApp();
  const b = await loggedIn(t);
  const field = await b.post('/admin/units', { ...unitForm, _csrf: b.token }, { origin: 'http://localhost' });
  assert.is(field.status, 303);
  const header = await b.post('/admin/units', { ...unitForm, code: 'U2' }, { 'x-csrf-token': b.token });
  assert.is(header.status, 303);
  assert.is(await countRows(t.db, 'units'), 2);
});

csrf('a file upload without the token is refused', async () => {
  const t = await createTestApp();
  const b = await loggedIn(t);
  const res = await b.upload('/admin/units/import', {}, { name: 'file', bytes: 'code,name,category\nU1,Unit,Cat\n' });
  assert.is(res.status, 403);
  assert.is(await countRows(t.db, 'units'), 0);
});

csrf('logout needs the token too (no forced logout from another site)', async () => {
  const t = await createTestApp();
  const b = await loggedIn(t);
  const res = await b.post('/admin/logout', {});
  assert.is(res.status, 403);
  assert.ok(await isLoggedIn(b));
});

csrf('the login form refuses a cross-site Origin', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const b = new Browser(t);
  const res = await b.post('/admin/login', { username: 'admin', password: TEST_PASSWORD }, { origin: 'https://evil.example' });
  assert.is(res.status, 403);
  assert.not.ok(b.cookies.has(SESSION));
});

csrf.run();

const limit = suite('login rate limits');

/** Runs n failing logins at once (scrypt runs in the thread pool, so this is quicker) and returns their statuses. */
async function failures(n: number, attempt: (i: number) => Promise<Response>): Promise<number[]> {
  return (await Promise.all(Array.from({ length: n }, (_, i) => attempt(i)))).map((r) => r.status);
}

limit('per account and address: the 6th attempt within 15 minutes is 429 with Retry-After, even with the right password', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const b = new Browser(t);
  for (let i = 0; i < 5; i++) {
    const res = await b.post('/admin/login', { username: 'admin', password: `guess ${i}` });
    assert.is(res.status, 422, `attempt ${i + 1}`);
  }
  const sixth = await b.post('/admin/login', { username: 'admin', password: TEST_PASSWORD });
  assert.is(sixth.status, 429);
  const retry = Number(sixth.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry > 0 && retry <= 15 * 60, `Retry-After ${retry}`);
  assert.not.ok(b.cookies.has(SESSION));
});

limit('per account and address: other accounts are unaffected, and the block ends after the window', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  await createAdmin(t.db, t.audit, { username: 'colleague', password: TEST_PASSWORD, actor: 'test' });
  const b = new Browser(t);
  for (let i = 0; i < 5; i++) await b.post('/admin/login', { username: 'admin', password: `guess ${i}` });
  assert.is((await new Browser(t).post('/admin/login', { username: 'colleague', password: TEST_PASSWORD })).status, 303);
  assert.is((await b.post('/admin/login', { username: 'admin', password: TEST_PASSWORD })).status, 429);
  t.clock.advance(16 * MINUTE);
  assert.is((await b.post('/admin/login', { username: 'admin', password: TEST_PASSWORD })).status, 303);
});

limit('per address: 20 failures from one address block it, made-up hops in front do not help; another address may still log in', async () => {
  const t = await createTestApp({ config: { trustProxy: true } });
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const b = new Browser(t);
  // The proxy appends the address it saw; whatever a client puts in front of it is its own invention.
  const statuses = await failures(20, (i) =>
    b.post('/admin/login', { username: `user${i}`, password: 'wrong password' }, { 'x-forwarded-for': `10.0.0.${i}, 203.0.113.7` }),
  );
  assert.equal(statuses, Array(20).fill(422));
  const blocked = await b.post('/admin/login', { username: 'admin', password: TEST_PASSWORD }, { 'x-forwarded-for': '203.0.113.7' });
  assert.is(blocked.status, 429);
  assert.ok(blocked.headers.get('retry-after'));
  const spoofed = await b.post('/admin/login', { username: 'admin', password: TEST_PASSWORD }, { 'x-forwarded-for': '10.9.9.9, 203.0.113.7' });
  assert.is(spoofed.status, 429);
  const other = await new Browser(t).post('/admin/login', { username: 'admin', password: TEST_PASSWORD }, { 'x-forwarded-for': '198.51.100.9' });
  assert.is(other.status, 303);
});

limit('without trustProxy, X-Forwarded-For is ignored: changing it does not escape the limit', async () => {
  const t = await createTestApp({ config: { trustProxy: false } });
  const b = new Browser(t);
  const statuses = await failures(20, (i) =>
    b.post('/admin/login', { username: `user${i}`, password: 'wrong password' }, { 'x-forwarded-for': `203.0.113.${i}` }),
  );
  assert.equal(statuses, Array(20).fill(422));
  const res = await b.post('/admin/login', { username: 'user99', password: 'wrong password' }, { 'x-forwarded-for': '198.51.100.9' });
  assert.is(res.status, 429);
});

/** Sorted statuses of a burst, for comparing with the expected mix. */
const sorted = (statuses: number[]) => [...statuses].sort((a, b) => a - b);
const from = (address: string) => ({ 'x-forwarded-for': address });

limit(
  '25 simultaneous wrong passwords for one account from one address: 5 are checked, 20 refused, and the administrator at another address gets in',
  async () => {
    const t = await createTestApp({ config: { trustProxy: true } });
    await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
    const b = new Browser(t);
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => b.post('/admin/login', { username: 'admin', password: `guess ${i}` }, from('203.0.113.7'))),
    );
    assert.equal(sorted(answers.map((r) => r.status)), [...Array(5).fill(422), ...Array(20).fill(429)]);
    for (const r of answers.filter((r) => r.status === 429)) assert.ok(Number(r.headers.get('retry-after')) > 0, 'every 429 carries Retry-After');
    const admin = new Browser(t);
    assert.is((await admin.post('/admin/login', { username: 'admin', password: TEST_PASSWORD }, from('198.51.100.9'))).status, 303);
    assert.ok(await isLoggedIn(admin));
  },
);

limit('the same burst split across two application servers on one database is held to the limit too', async () => {
  // On PostgreSQL each server has a pool of its own, as two machines would; SQLite in memory has one connection.
  const url = await createTestSchema();
  const [one, two] = url ? [openPostgresStore(url, { max: 4 }), openPostgresStore(url, { max: 4 })] : [openSqliteStore(':memory:'), undefined];
  await migrateToLatest(one.db);
  const clock = fixedClock('2026-03-01T02:00:00Z');
  const config = testConfig({ trustProxy: true });
  const audit = auditTrail(config.secret, clock);
  const servers = [one, two ?? one].map(
    (store) => ({ app: createApp({ store, config, clock, log: () => {} }), store, db: store.db, clock, audit, config, logs: [] }) as TestApp,
  );
  try {
    await createAdmin(one.db, audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        new Browser(servers[i % 2]!).post('/admin/login', { username: 'admin', password: `guess ${i}` }, from('203.0.113.7')),
      ),
    );
    assert.equal(sorted(answers.map((r) => r.status)), [...Array(5).fill(422), ...Array(20).fill(429)]);
    const res = await new Browser(servers[1]!).post('/admin/login', { username: 'admin', password: TEST_PASSWORD }, from('198.51.100.9'));
    assert.is(res.status, 303);
  } finally {
    await Promise.all([one.destroy(), two?.destroy()]);
  }
});

limit('distributed guessing: 50 failures for one account within an hour, from any addresses, block that account only', async () => {
  const t = await createTestApp({ config: { trustProxy: true } });
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  await createAdmin(t.db, t.audit, { username: 'colleague', password: TEST_PASSWORD, actor: 'test' });
  const b = new Browser(t);
  // Ten networks, each staying within its own limit of five.
  const statuses = await failures(50, (i) => b.post('/admin/login', { username: 'admin', password: `guess ${i}` }, from(`198.51.${i % 10}.1`)));
  assert.equal(statuses, Array(50).fill(422));
  t.clock.advance(20 * MINUTE);
  const blocked = await new Browser(t).post('/admin/login', { username: 'admin', password: TEST_PASSWORD }, from('192.0.2.44'));
  assert.is(blocked.status, 429, 'the account-wide limit holds at a fresh address');
  assert.is(Number(blocked.headers.get('retry-after')), 40 * 60, 'until the first of the 50 is an hour old');
  assert.is((await new Browser(t).post('/admin/login', { username: 'colleague', password: TEST_PASSWORD }, from('192.0.2.44'))).status, 303);
  t.clock.advance(40 * MINUTE + 1000);
  assert.is((await new Browser(t).post('/admin/login', { username: 'admin', password: TEST_PASSWORD }, from('192.0.2.44'))).status, 303);
});

limit('a login at one address forgives that address only: a guesser elsewhere keeps their count', async () => {
  const t = await createTestApp({ config: { trustProxy: true } });
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const attacker = new Browser(t);
  const admin = new Browser(t);
  const first = await failures(8, (i) =>
    i % 2
      ? attacker.post('/admin/login', { username: 'admin', password: `guess ${i}` }, from('203.0.113.7'))
      : admin.post('/admin/login', { username: 'admin', password: `typo ${i}` }, from('198.51.100.9')),
  );
  assert.equal(first, Array(8).fill(422));
  assert.is((await admin.post('/admin/login', { username: 'admin', password: TEST_PASSWORD }, from('198.51.100.9'))).status, 303);
  assert.is((await attacker.post('/admin/login', { username: 'admin', password: 'guess 4' }, from('203.0.113.7'))).status, 422);
  assert.is((await attacker.post('/admin/login', { username: 'admin', password: 'guess 5' }, from('203.0.113.7'))).status, 429, 'still counted');
  // The administrator's own typos were forgiven by their login: five more tries before a block.
  const again = await failures(5, (i) => new Browser(t).post('/admin/login', { username: 'admin', password: `typo ${i}` }, from('198.51.100.9')));
  assert.equal(again, Array(5).fill(422));
});

limit('Retry-After says when the oldest counted attempt leaves the window, and the wait is then over', async () => {
  const t = await createTestApp();
  const b = new Browser(t);
  for (let i = 0; i < 5; i++) await b.post('/admin/login', { username: 'admin', password: `guess ${i}` });
  t.clock.advance(10 * MINUTE);
  const res = await b.post('/admin/login?lang=en', { username: 'admin', password: 'guess 5' });
  assert.is(res.status, 429);
  assert.is(res.headers.get('retry-after'), '300');
  assert.match(await res.text(), /try again in 5 min\./);
  t.clock.advance(5 * MINUTE + 1000);
  assert.is((await b.post('/admin/login', { username: 'admin', password: 'guess 5' })).status, 422);
});

limit('IPv6: the addresses of one /64 network share one limit; another network is free', async () => {
  const t = await createTestApp({ config: { trustProxy: true } });
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const b = new Browser(t);
  const statuses = await failures(5, (i) => b.post('/admin/login', { username: 'admin', password: `guess ${i}` }, from(`2001:db8:1:2::${i + 1}`)));
  assert.equal(statuses, Array(5).fill(422));
  const same = await b.post('/admin/login', { username: 'admin', password: TEST_PASSWORD }, from('2001:DB8:1:2:ffff:ffff:ffff:fff0'));
  assert.is(same.status, 429);
  assert.is((await new Browser(t).post('/admin/login', { username: 'admin', password: TEST_PASSWORD }, from('2001:db8:1:3::1'))).status, 303);
});

limit('limitAddress: IPv4 as it is, IPv6 cut to its /64, IPv4-mapped IPv6 as IPv4, anything else unchanged', () => {
  const cases: [string, string][] = [
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:DB8:1:2::a', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['unknown', 'unknown'],
    ['not:an:address', 'not:an:address'],
  ];
  for (const [input, expected] of cases) assert.is(limitAddress(input), expected, input);
});

limit.run();

const setup = suite('first-admin setup link');

setup('works once: creates the administrator and logs them in', async () => {
  const t = await createTestApp();
  const token = await issueSetupToken(t.db, t.clock);
  const b = new Browser(t);
  const form = await b.get(`/admin/setup/${token}`);
  assert.is(form.status, 200);
  assert.ok((await form.text()).includes('name="confirm"'));
  const res = await b.post(`/admin/setup/${token}`, { username: 'chief', password: TEST_PASSWORD, confirm: TEST_PASSWORD });
  assert.is(res.status, 303);
  assert.is(res.headers.get('location'), '/admin');
  assert.ok((await (await b.get('/admin?lang=en')).text()).includes('Signed in as chief'));
  assert.is(await countRows(t.db, 'admins'), 1);

  assert.is((await new Browser(t).get(`/admin/setup/${token}`)).status, 410);
  const again = await new Browser(t).post(`/admin/setup/${token}`, { username: 'second', password: TEST_PASSWORD, confirm: TEST_PASSWORD });
  assert.is(again.status, 410);
  assert.is(await countRows(t.db, 'admins'), 1);
  assert.is((await new Browser(t).post('/admin/login', { username: 'chief', password: TEST_PASSWORD })).status, 303);
});

setup('a fresh link is 410 once an administrator exists; an unknown link is 410', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const token = await issueSetupToken(t.db, t.clock);
  assert.is((await t.app.request(`/admin/setup/${token}`)).status, 410);
  const post = await new Browser(t).post(`/admin/setup/${token}`, { username: 'intruder', password: TEST_PASSWORD, confirm: TEST_PASSWORD });
  assert.is(post.status, 410);
  assert.is((await t.app.request('/admin/setup/made-up-token')).status, 410);
  assert.is(await countRows(t.db, 'admins'), 1);
});

setup('a link expires after a day', async () => {
  const t = await createTestApp();
  const token = await issueSetupToken(t.db, t.clock);
  t.clock.advance(25 * 60 * MINUTE);
  assert.is((await t.app.request(`/admin/setup/${token}`)).status, 410);
});

setup('mismatched passwords and a short password are 422, create nothing, and leave the link usable', async () => {
  const t = await createTestApp();
  const token = await issueSetupToken(t.db, t.clock);
  const b = new Browser(t);
  const mismatch = await b.post(`/admin/setup/${token}?lang=en`, { username: 'chief', password: TEST_PASSWORD, confirm: `${TEST_PASSWORD}!` });
  assert.is(mismatch.status, 422);
  assert.ok((await mismatch.text()).includes('The two passwords differ.'));
  const short = await b.post(`/admin/setup/${token}?lang=en`, { username: 'chief', password: 'short', confirm: 'short' });
  assert.is(short.status, 422);
  assert.ok((await short.text()).includes('at least 10 characters'));
  assert.is(await countRows(t.db, 'admins'), 0);
  assert.not.ok(b.cookies.has(SESSION));
  assert.is((await b.get(`/admin/setup/${token}`)).status, 200, 'the link still works');
});

/** Runs `fn` and counts the scrypt computations Node starts meanwhile (each is an async resource of its own). */
async function scryptRuns(fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const hook = createHook({ init: (_id, type) => void (type === 'SCRYPTREQUEST' && n++) }).enable();
  try {
    await fn();
  } finally {
    hook.disable();
  }
  return n;
}

setup('an unknown, used or expired link is refused before any password is hashed', async () => {
  const t = await createTestApp();
  const expired = await issueSetupToken(t.db, t.clock);
  t.clock.advance(25 * 60 * MINUTE);
  const token = await issueSetupToken(t.db, t.clock);
  const fields = { username: 'chief', password: TEST_PASSWORD, confirm: TEST_PASSWORD };
  // The check can see hashing at all: the real link's one post runs scrypt.
  assert.ok((await scryptRuns(async () => assert.is((await new Browser(t).post(`/admin/setup/${token}`, fields)).status, 303))) >= 1);
  const runs = await scryptRuns(async () => {
    for (const link of ['made-up-token', token, expired, 'x'.repeat(300)]) {
      assert.is((await new Browser(t).post(`/admin/setup/${link}`, { ...fields, username: 'intruder' })).status, 410, link.slice(0, 20));
    }
  });
  assert.is(runs, 0, 'no scrypt for a link that cannot be used');
  assert.is(await countRows(t.db, 'admins'), 1);
});

setup('24 simultaneous posts to made-up links from one address: 10 answered 410, the rest 429; the real link works from elsewhere', async () => {
  const t = await createTestApp({ config: { trustProxy: true } });
  const token = await issueSetupToken(t.db, t.clock);
  const fields = { username: 'chief', password: TEST_PASSWORD, confirm: TEST_PASSWORD };
  const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => new Browser(t).post(`/admin/setup/guess-${i}`, fields, from('203.0.113.7'))));
  assert.equal(sorted(answers.map((r) => r.status)), [...Array(10).fill(410), ...Array(14).fill(429)]);
  for (const r of answers.filter((r) => r.status === 429)) assert.ok(Number(r.headers.get('retry-after')) > 0);
  assert.is((await t.app.request(`/admin/setup/${token}`, { headers: from('203.0.113.7') })).status, 429, 'the blocked address waits, also to look');
  const b = new Browser(t);
  assert.is((await b.get(`/admin/setup/${token}`, from('198.51.100.9'))).status, 200);
  assert.is((await b.post(`/admin/setup/${token}`, fields, from('198.51.100.9'))).status, 303);
  assert.is(await countRows(t.db, 'admins'), 1);
});

setup('the setup token never appears in the request log', async () => {
  const t = await createTestApp();
  const token = await issueSetupToken(t.db, t.clock);
  const b = new Browser(t);
  await b.get(`/admin/setup/${token}`);
  await b.post(`/admin/setup/${token}`, { username: 'chief', password: TEST_PASSWORD, confirm: TEST_PASSWORD });
  assert.ok(t.logs.length >= 2);
  for (const line of t.logs) assert.not.ok(line.includes(token), line);
});

setup.run();

const redirect = suite('no open redirect after login');

redirect('next= pointing off-site lands inside /admin, never elsewhere', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const hostile = [
    '//evil.example',
    'https://evil.example',
    'https://evil.example/admin',
    '/admin//evil.example',
    '/\\evil.example',
    '/admin/\\\\evil.example',
    '/admin@evil.example',
    'javascript:alert(1)',
    '/%2F%2Fevil.example',
    '/admin/%2F%2Fevil.example',
  ];
  for (const next of hostile) {
    const res = await new Browser(t).post(`/admin/login?next=${encodeURIComponent(next)}`, { username: 'admin', password: TEST_PASSWORD });
    assert.is(res.status, 303, next);
    const location = res.headers.get('location') ?? '';
    assert.ok(location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'), `${next} → ${location}`);
    const target = new URL(location, 'http://localhost');
    assert.is(target.origin, 'http://localhost', `${next} → ${location}`);
    assert.ok(target.pathname === '/admin' || target.pathname.startsWith('/admin/'), `${next} → ${location}`);
  }
});

redirect('a path inside the console is honoured', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'admin', password: TEST_PASSWORD, actor: 'test' });
  const res = await new Browser(t).post(`/admin/login?next=${encodeURIComponent('/admin/pool?q=x')}`, { username: 'admin', password: TEST_PASSWORD });
  assert.is(res.headers.get('location'), '/admin/pool?q=x');
});

redirect.run();

const hashing = suite('password hashing');

hashing('passwords are stored as salted scrypt hashes, never as text', async () => {
  const t = await createTestApp();
  await createAdmin(t.db, t.audit, { username: 'one', password: TEST_PASSWORD, actor: 'test' });
  await createAdmin(t.db, t.audit, { username: 'two', password: TEST_PASSWORD, actor: 'test' });
  const rows = await t.db.selectFrom('admins').select(['username', 'password_hash']).orderBy('username').execute();
  assert.is(rows.length, 2);
  for (const r of rows) {
    assert.ok(r.password_hash.startsWith('scrypt$'), r.password_hash);
    assert.not.ok(r.password_hash.includes(TEST_PASSWORD));
    assert.not.ok(r.password_hash.includes(Buffer.from(TEST_PASSWORD).toString('base64').slice(0, 12)));
  }
  assert.is.not(rows[0]?.password_hash, rows[1]?.password_hash, 'same password, different salt');
});

hashing('the password never reaches a log line or the audit log', async () => {
  const t = await createTestApp();
  const b = await loggedIn(t);
  await b.post('/admin/login', { username: 'admin', password: 'a wrong secret 42' });
  const audit = await t.db.selectFrom('audit_log').select(['actor', 'action', 'detail']).execute();
  const everything = [...t.logs, ...audit.map((r) => `${r.actor} ${r.action} ${r.detail}`)].join('\n');
  assert.not.ok(everything.includes(TEST_PASSWORD));
  assert.not.ok(everything.includes('a wrong secret 42'));
});

hashing.run();
