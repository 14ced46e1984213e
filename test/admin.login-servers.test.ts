// The login limit with two real server processes on one database (on SQLite, two processes sharing one file; with
// TEST_DATABASE_URL, one PostgreSQL schema): a burst of wrong passwords split between them is held to the limit,
// because each attempt is counted in the database before its password is checked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createAdmin } from '../server/admin/accounts.js';
import { auditTrail } from '../server/audit/log.js';
import { fixedClock } from '../server/clock.js';
import { loadConfig } from '../server/config.js';
import { newPlace, openPlace, startChildServer, type ChildServer } from './child-server.js';
import { TEST_PASSWORD } from './helpers.js';

const servers = suite('the login limit across two application servers');

let root: string;
let a: ChildServer;
let b: ChildServer;

servers.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'pingyi-login-'));
  const place = await newPlace(join(root, 'data'));
  place.env.TRUST_PROXY = '1';
  const db = (await openPlace(place)).db;
  try {
    await createAdmin(db, auditTrail(loadConfig(place.env).secret, fixedClock(new Date())), { username: 'operator', password: TEST_PASSWORD, actor: 'test' });
  } finally {
    await db.destroy();
  }
  [a, b] = await Promise.all([startChildServer(place), startChildServer(place)]);
});

servers.after(async () => {
  await Promise.all([a?.kill('SIGKILL'), b?.kill('SIGKILL')]);
  rmSync(root, { recursive: true, force: true });
});

function logIn(server: ChildServer, password: string, address: string): Promise<Response> {
  return fetch(`${server.base}/admin/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: 'operator', password }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
    redirect: 'manual',
  });
}

servers('25 simultaneous wrong passwords from one address, split between the servers: 5 checked, 20 refused; the administrator elsewhere gets in', async () => {
  const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => logIn(i % 2 ? b : a, `guess ${i}`, '203.0.113.7')));
  const statuses = answers.map((r) => r.status).sort((x, y) => x - y);
  assert.equal(statuses, [...Array(5).fill(422), ...Array(20).fill(429)], `${statuses.join(' ')}\n${a.output().slice(-2000)}\n${b.output().slice(-2000)}`);
  for (const r of answers.filter((r) => r.status === 429)) assert.ok(Number(r.headers.get('retry-after')) > 0, 'Retry-After');
  for (const server of [a, b]) assert.is((await logIn(server, TEST_PASSWORD, '203.0.113.7')).status, 429, 'the guessing address stays blocked on both');
  const res = await logIn(b, TEST_PASSWORD, '198.51.100.9');
  assert.is(res.status, 303, 'the real administrator at another address');
});

servers.run();
