// Guards issue 7's promise of several application servers on one database (docs/SPEC.md, Decisions and their reasons "the server keeps no state in
// memory that two instances would need to share"): two real server processes on one database. The same link
// submitted to both at the same moment stores one ballot; an administrator's session made on one works on the
// other; a round closed and published on one is seen at once on the other. Runs on the run's database: on
// PostgreSQL this is the deployment of the README; on SQLite, two processes sharing one file.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SESSION_COOKIE } from '../server/admin/sessions.js';
import {
  ballotBody,
  openPlace,
  prepareInstallation,
  receiptOf,
  runCli,
  startChildServer,
  submit,
  YEAR,
  type ChildServer,
  type Installation,
} from './child-server.js';
import { TEST_PASSWORD } from './helpers.js';

const LINKS = 40;
/** Links raced on both servers at once, and how many times each server gets each of them. */
const RACED = 20;
const PER_SERVER = 4;

const multi = suite('two application servers on one database');

let inst: Installation;
let a: ChildServer;
let b: ChildServer;

multi.before(async () => {
  inst = await prepareInstallation({ links: LINKS });
  [a, b] = await Promise.all([startChildServer(inst), startChildServer(inst)]);
});

multi.after(async () => {
  await Promise.all([a?.kill('SIGKILL'), b?.kill('SIGKILL')]);
  inst?.cleanup();
});

multi('the same link submitted to both servers at the same moment stores one ballot', async () => {
  const results = await Promise.all(
    inst.tokens.slice(0, RACED).map(async (token, i) => {
      const body = ballotBody(inst.units, i);
      const answers = await Promise.all(Array.from({ length: 2 * PER_SERVER }, (_, k) => submit(k % 2 ? b.base : a.base, token, body)));
      return answers.map((res) => ({ status: res.status, receipt: receiptOf(res) }));
    }),
  );
  for (const [i, answers] of results.entries()) {
    const statuses = answers.map((x) => x.status).sort();
    assert.equal(statuses, [303, ...Array(2 * PER_SERVER - 1).fill(409)], `link ${i}: one 303 and the rest 409 (got ${statuses.join(' ')})`);
  }
  const db = (await openPlace(inst)).db;
  try {
    const round = await db.selectFrom('rounds').select('id').where('year', '=', YEAR).executeTakeFirstOrThrow();
    const ballots = await db.selectFrom('ballots').select('receipt').where('round_id', '=', round.id).execute();
    assert.is(ballots.length, RACED, 'one ballot per link');
    const acknowledged = results.flatMap((answers) => answers.map((x) => x.receipt).filter(Boolean)).sort();
    assert.equal(ballots.map((x) => x.receipt).sort(), acknowledged, 'exactly the acknowledged ballots are stored');
    const used = await db.selectFrom('round_links').select('code').where('round_id', '=', round.id).where('used_on', 'is not', null).execute();
    assert.is(used.length, RACED, 'as many links marked used');
  } finally {
    await db.destroy();
  }
});

/** Logs in on `server` as a browser does; returns the session cookie and the CSRF token of the console. */
async function logIn(server: ChildServer): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${server.base}/admin/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: 'operator', password: TEST_PASSWORD }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  assert.is(res.status, 303, 'logged in');
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] as string)
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`)) as string;
  assert.ok(cookie, 'a session cookie');
  const console = await (await fetch(`${server.base}/admin`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(console)?.[1] as string;
  assert.ok(csrf, 'a CSRF token on the console');
  return { cookie, csrf };
}

function post(server: ChildServer, path: string, session: { cookie: string; csrf: string }, fields: Record<string, string>): Promise<Response> {
  return fetch(`${server.base}${path}`, {
    method: 'POST',
    body: new URLSearchParams({ _csrf: session.csrf, ...fields }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie, origin: server.base },
    redirect: 'manual',
  });
}

multi('a session made on one server works on the other; publishing on one is seen at once on the other', async () => {
  const made = await runCli(inst, ['admin', 'add', 'operator'], { PASSWORD: TEST_PASSWORD });
  assert.is(made.code, 0, `admin add: ${made.stderr}`);
  const session = await logIn(a);
  const onB = await fetch(`${b.base}/admin/rounds/${YEAR}`, { headers: { cookie: session.cookie } });
  assert.is(onB.status, 200, 'the session from server A opens the console on server B');

  // Both servers have served (and may have cached) "not published yet" before the change.
  for (const s of [a, b]) assert.is((await fetch(`${s.base}/results/${YEAR}.json`)).status, 404, 'no results yet');

  assert.is((await post(b, `/admin/rounds/${YEAR}/close`, session, { confirm: '1' })).status, 303, 'closed on B');
  assert.is((await post(a, `/admin/rounds/${YEAR}/publish`, session, { confirm: '1', note: '' })).status, 303, 'published on A');

  const [fromA, fromB] = await Promise.all(
    [a, b].map(async (s) => {
      const res = await fetch(`${s.base}/results/${YEAR}.json`);
      assert.is(res.status, 200, `results served by ${s === a ? 'A' : 'B'}`);
      return res.text();
    }),
  );
  assert.is(fromB, fromA, 'both servers serve the same published bytes');
  assert.is((JSON.parse(fromB as string) as { ballots: number }).ballots, RACED);
  // And a link submitted on either server now finds the round closed.
  for (const s of [a, b]) assert.is((await submit(s.base, inst.tokens[LINKS - 1] as string, ballotBody(inst.units, 0))).status, 410);
});

multi.run();
