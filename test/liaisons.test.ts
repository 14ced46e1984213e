// Guards issue 16's liaisons: accounts administrators add, disable and reset in the console; the same login page
// and sessions; and "a liaison cannot read or change anything outside their unit" — a walk over every console
// route of the app, GET and POST, as a liaison, with real ids of another unit's comments and items.
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { countAdmins } from '../server/admin/accounts.js';
import { liaisonMayReach } from '../server/admin/guard.js';
import { tableNames } from './db-inspect.js';
import { DATES, followUpJson, followUpWorld, handed, signIn, type World } from './followup-fixture.js';
import { Browser, TEST_PASSWORD, type TestApp } from './helpers.js';
import { mainText } from './survey-fixture.js';

type Signed = Browser & { token: string; username: string };

/** Every row of every table but sessions and login attempts (which logging in changes), as sorted text. */
async function everything(t: TestApp): Promise<string> {
  const out: string[] = [];
  for (const table of await tableNames(t.db)) {
    if (table.startsWith('kysely_') || table === 'admin_sessions' || table === 'login_failures') continue;
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.db);
    out.push(`# ${table}`, ...rows.rows.map((r) => JSON.stringify(r)).sort());
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
const walk = suite('a liaison reaches nothing outside their unit: every console route, GET and POST');

let w: World;
let liaison: Signed;
let otherComment = 0;
let otherItem = '';
let ownComment = 0;

walk.before(async () => {
  w = await followUpWorld({ publish2026: true, now: '2026-04-05T02:00:00Z' });
  const office = await signIn(w, 'office', 'admin');
  const rows = await handed(w, 2026);
  const u06 = rows.find((r) => r.unit_code === 'U06')!;
  const u05 = rows.find((r) => r.unit_code === 'U05')!;
  otherComment = Number(u06.id);
  ownComment = Number(u05.id);
  for (const id of [otherComment, ownComment]) assert.is((await office.post(`/admin/rounds/2026/comments/${id}/release`, { _csrf: office.token })).status, 303);
  assert.is(
    (await office.post('/admin/units/U06/rectification/2026', { _csrf: office.token, problem: '问题', measure: '措施', deadline: '2026-09-30' })).status,
    303,
  );
  otherItem = (await followUpJson(w, 2026)).units.find((u) => u.code === 'U06')!.items[0]!.id;
  liaison = await signIn(w, 'u05', { unit: 'U05' });
});

/** The console's routes as the app lists them, with real values of another unit (U06) for their parameters. */
function consoleRoutes(t: TestApp): { method: string; path: string; pattern: string }[] {
  const seen = new Set<string>();
  const out: { method: string; path: string; pattern: string }[] = [];
  for (const r of t.app.routes) {
    if (!(r.path === '/admin' || r.path.startsWith('/admin/'))) continue;
    const path = r.path
      .replace(/:year\b/g, '2026')
      .replace(/\/comments\/:id\b/g, `/comments/${otherComment}`)
      .replace(/\/items\/:id\b/g, `/items/${otherItem}`)
      .replace(/:code\b/g, 'U06')
      .replace(/:token\b/g, 'X'.repeat(32))
      .replace(/:[A-Za-z_]+/g, 'X1')
      .replace(/\*/g, 'anything');
    for (const method of r.method === 'ALL' ? ['GET', 'POST'] : [r.method]) {
      if (method !== 'GET' && method !== 'POST') continue;
      const key = `${method} ${path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ method, path, pattern: r.path });
    }
  }
  return out;
}

/** Fields of every console form, with plausible values: a route the guard let through would act on them. */
const FIELDS = {
  unit: 'U06',
  code: 'U06',
  name: '改名',
  category: '公共服务部门',
  active: '0',
  reason: '越权暂缓',
  reply: '越权答复',
  problem: '越权问题',
  measure: '诫勉谈话',
  deadline: '2026-09-30',
  status: 'done',
  note: '越权',
  decidedOn: '2026-04-04',
  username: 'intruder',
  password: 'a long enough password',
  confirm: '1',
  year: '2027',
  publicRandom: '123',
  source: 's',
  title: 'T',
};

walk('every route outside the allowed few answers 403 (GET too), the allowed ones refuse another unit, nothing changes', async () => {
  const routes = consoleRoutes(w);
  assert.ok(routes.length >= 50, `only ${routes.length} console routes found`);
  for (const p of ['/admin/rounds/:year/comments/:id/release', '/admin/pool/export.csv', '/admin/liaisons', '/admin/rounds/:year/measures'])
    assert.ok(
      routes.some((r) => r.pattern === p),
      `the list comes from the real app (${p})`,
    );
  const before = await everything(w);
  const allowed: string[] = [];
  for (const { method, path, pattern } of routes) {
    if (pattern === '/admin/login' || pattern.startsWith('/admin/setup/')) continue; // reachable by anyone, no session needed
    if (pattern === '/admin/logout') continue; // checked below: it ends this session
    const res = method === 'GET' ? await liaison.get(`${path}?lang=en`) : await liaison.post(`${path}?lang=en`, { _csrf: liaison.token, ...FIELDS });
    const body = await res.text();
    if (liaisonMayReach(method, path)) {
      allowed.push(`${method} ${pattern}`);
      if (method === 'GET') {
        assert.is(res.status, 200, `${method} ${path}`);
        assert.not.match(mainText(body), '对交通的意见', "another unit's comment");
      } else {
        // Another unit's comment or item is 403; their own form naming another unit is refused as input.
        assert.ok([403, 422].includes(res.status), `${method} ${path}: ${res.status}`);
      }
    } else {
      assert.is(res.status, 403, `${method} ${path}`);
      assert.match(mainText(body), "A liaison's account reaches only their unit's page", `${method} ${path}: the reason`);
    }
  }
  assert.equal(allowed.sort(), [
    'GET /admin/unit',
    'POST /admin/rectification/items/:id/updates',
    'POST /admin/unit/comments/:id/reply',
    'POST /admin/unit/rectification/:year',
  ]);
  assert.is(await everything(w), before, 'nothing stored changed');
  // Still logged in, and their own unit's actions still work: the refusals were about the role, not the session.
  assert.is((await liaison.post(`/admin/unit/comments/${ownComment}/reply`, { _csrf: liaison.token, reply: '本单位的答复' })).status, 303);
});

walk('paths dressed up to look like the unit page are refused too', async () => {
  for (const path of [
    '/admin/unit/../pool',
    '/admin/unit/%2e%2e/pool',
    '/admin/units',
    '/admin/UNIT',
    '/admin/unit-x',
    '/admin//pool',
    '/admin/pool/',
    '/admin',
  ]) {
    const res = await liaison.get(path);
    assert.ok([403, 404].includes(res.status), `${path}: ${res.status}`);
    assert.not.match(await res.text(), '跟进代表', `${path}: no personal data`);
  }
});

walk('the liaison page shows their own unit, its navigation offers nothing else; logout works', async () => {
  const html = await (await liaison.get('/admin/unit?lang=en')).text();
  assert.match(html, 'My unit: 市城管局');
  const nav = /<nav class="site-nav console-nav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
  assert.equal(
    [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]),
    ['/admin/unit'],
  );
  const res = await liaison.post('/admin/logout', { _csrf: liaison.token });
  assert.is(res.status, 303);
  assert.is((await liaison.get('/admin/unit')).status, 302, 'logged out: sent to the login page');
});

walk('an administrator has no unit page', async () => {
  const office = await signIn(w, 'office2', 'admin');
  const res = await office.get('/admin/unit?lang=en');
  assert.is(res.status, 403);
  assert.match(mainText(await res.text()), "This page is for a unit's liaison");
});

walk.run();

// ---------------------------------------------------------------------------------------------------------------
const accounts = suite('liaison accounts in the console: add, log in, disable, enable, reset');

let a: World;
let office: Signed;

accounts.before(async () => {
  a = await followUpWorld({ publish2026: true, now: DATES[2026].publish });
  office = await signIn(a, 'office', 'admin');
});

const liaisonId = async (username: string) => (await a.db.selectFrom('admins').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;

accounts('an administrator adds a liaison for a unit (audited); bad input is refused with the form kept', async () => {
  const before = await everything(a);
  for (const [fields, message] of [
    [{ username: 'jt', password: TEST_PASSWORD, unit: 'NOPE' }, 'Give the code of an existing unit'],
    [{ username: 'jt', password: 'short', unit: 'U06' }, 'at least 10 characters'],
    [{ username: 'office', password: TEST_PASSWORD, unit: 'U06' }, 'This user name is taken'],
    [{ username: 'a b', password: TEST_PASSWORD, unit: 'U06' }, 'The user name must be'],
  ] as const) {
    const res = await office.post('/admin/liaisons?lang=en', { _csrf: office.token, ...fields });
    assert.is(res.status, 422, JSON.stringify(fields));
    const html = await res.text();
    assert.match(html, message);
    assert.match(html, `value="${fields.username.replace(' ', ' ')}"`, 'the user name is kept');
  }
  assert.is(await everything(a), before, 'nothing changed');
  const res = await office.post('/admin/liaisons', { _csrf: office.token, username: 'jt', password: TEST_PASSWORD, unit: 'U06' });
  assert.is(res.status, 303);
  const row = await a.db.selectFrom('admins').selectAll().where('username', '=', 'jt').executeTakeFirstOrThrow();
  assert.equal([row.role, row.unit_code, row.active], ['liaison', 'U06', 1]);
  const audit = await a.db.selectFrom('audit_log').select(['actor', 'action', 'detail']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
  assert.equal([audit.actor, audit.action, JSON.parse(audit.detail)], ['office', 'liaison.add', { username: 'jt', unit: 'U06' }]);
  assert.match(mainText(await (await office.get('/admin/liaisons')).text()), '市交通运输局');
  assert.is(await countAdmins(a.db), 1, 'a liaison is not an administrator (the setup link counts administrators only)');
});

accounts('a liaison logs in on the same page and lands on their unit page, whatever the next page asked', async () => {
  const b = new Browser(a);
  const res = await b.post(`/admin/login?next=${encodeURIComponent('/admin/pool')}`, { username: 'jt', password: TEST_PASSWORD });
  assert.is(res.status, 303);
  assert.is(res.headers.get('location'), '/admin/unit');
  assert.is((await b.get('/admin/unit')).status, 200);
});

accounts('disabling ends the session at once; a disabled liaison is told only that the login failed; enabling restores', async () => {
  const b = new Browser(a);
  assert.is((await b.post('/admin/login', { username: 'jt', password: TEST_PASSWORD })).status, 303);
  const id = await liaisonId('jt');
  assert.is((await office.post(`/admin/liaisons/${id}/active`, { _csrf: office.token, active: '0' })).status, 303);
  assert.is((await b.get('/admin/unit')).status, 302, 'the open session ended');
  const again = await b.post('/admin/login?lang=en', { username: 'jt', password: TEST_PASSWORD });
  assert.is(again.status, 422);
  const text = await again.text();
  assert.match(text, 'The user name or password is not correct.');
  assert.not.match(text, /disabled/i);
  assert.is((await office.post(`/admin/liaisons/${id}/active`, { _csrf: office.token, active: '1' })).status, 303);
  assert.is((await b.post('/admin/login', { username: 'jt', password: TEST_PASSWORD })).status, 303);
  const actions = await a.db.selectFrom('audit_log').select('action').where('action', 'like', 'liaison.%').orderBy('seq').execute();
  assert.equal(
    actions.map((r) => r.action),
    ['liaison.add', 'liaison.disable', 'liaison.enable'],
  );
});

accounts('resetting the password: the old one stops working, the sessions end, a short one is refused', async () => {
  const b = new Browser(a);
  assert.is((await b.post('/admin/login', { username: 'jt', password: TEST_PASSWORD })).status, 303);
  const id = await liaisonId('jt');
  const short = await office.post(`/admin/liaisons/${id}/password?lang=en`, { _csrf: office.token, password: 'short' });
  assert.is(short.status, 422);
  const refused = await short.text();
  assert.match(refused, 'at least 10 characters');
  assert.match(refused, /<details(?=[^>]*reset-password)(?=[^>]*\sopen)/, 'the refused reset form is shown unfolded');
  assert.is((await office.post(`/admin/liaisons/${id}/password`, { _csrf: office.token, password: 'a brand new passphrase' })).status, 303);
  assert.is((await b.get('/admin/unit')).status, 302, 'the session ended');
  assert.is((await new Browser(a).post('/admin/login', { username: 'jt', password: TEST_PASSWORD })).status, 422);
  assert.is((await new Browser(a).post('/admin/login', { username: 'jt', password: 'a brand new passphrase' })).status, 303);
  assert.is((await office.post('/admin/liaisons/nope/password', { _csrf: office.token, password: 'a brand new passphrase' })).status, 404);
  assert.is(
    (
      await office.post(
        `/admin/liaisons/${(await a.db.selectFrom('admins').select('id').where('username', '=', 'office').executeTakeFirstOrThrow()).id}/active`,
        { _csrf: office.token, active: '0' },
      )
    ).status,
    404,
    'an administrator is not a liaison',
  );
});

accounts.run();
