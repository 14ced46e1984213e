// Guards the survey's promises that a user cannot check by looking at a page (docs/SPEC.md, The path of a ballot; docs/SPEC.md, Anonymity and trust; docs/SPEC.md, Decisions and their reasons): one ballot per
// link however many copies arrive at once; ballots that the database itself cannot tie to a person, a link or a
// moment; logs without tokens; token guessing slowed to nothing; and a stolen database that cannot vote.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import { createApp } from '../server/app.js';
import { dialectOf } from '../server/db/dialect.js';
import { ballotTables, columnNames, dumpDatabase, indexedColumns, referencedTables, tableNames } from './db-inspect.js';
import { countRows, loggedIn } from './helpers.js';
import { readFile } from 'node:fs/promises';
import { commentsByUnit } from '../server/survey/turnout.js';
import { closeRound, findRound } from '../server/rounds/rounds.js';
import { receiptOf } from './child-server.js';
import { fullBallot, CHOICES, ok, openSurvey, post, usedOn, type Survey } from './survey-fixture.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const DATE_LIKE = /\d{4}-\d\d-\d\d/;

/** Twelve units keep these tests quick; nothing here depends on the number of units. */
const UNITS = demoUnits()
  .filter((_, i) => i % 3 === 0)
  .slice(0, 12);

// ---------------------------------------------------------------------------------------------------------------
const once = suite('exactly one ballot per link');

once('twenty simultaneous submissions of one link: one 303, nineteen 409, one ballot — the one that got the 303', async () => {
  const s = await openSurvey({ units: UNITS });
  // The app runs on a database that counts how many submissions reach the casting transaction: the race must be
  // real (several get past the "link unused" check) for one ballot to prove the transaction's guard.
  let casts = 0;
  const watched = new Proxy(s.store, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key === 'castBallot') casts++;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const app = createApp({ store: watched, config: s.config, clock: s.clock });
  const token = s.tokens[0] as string;
  const attempts = Array.from({ length: 20 }, (_, i) => ({ ...fullBallot(s.units, (_c, k) => CHOICES[(i + k) % 4] as string), comment: `copy ${i}` }));
  const results = await Promise.all(attempts.map((fields) => post({ app }, token, fields)));
  assert.ok(casts > 1, `submissions raced into the casting step (${casts})`);
  const statuses = results.map((r) => r.status);
  assert.is(statuses.filter((x) => x === 303).length, 1, `one success (${statuses.join(',')})`);
  assert.is(statuses.filter((x) => x === 409).length, 19, 'the rest told the link was used');
  const rows = await s.db.selectFrom('ballots').selectAll().execute();
  assert.is(rows.length, 1, 'one ballot stored');
  const winner = statuses.indexOf(303);
  assert.is(rows[0]?.receipt, receiptOf(results[winner] as Response), 'the stored ballot is the one whose receipt was shown');
  assert.is(rows[0]?.comment, `copy ${winner}`, 'and holds that submission’s answers, not a mix');
  assert.equal(
    JSON.parse(rows[0]?.answers ?? '{}'),
    Object.fromEntries(s.units.map((u) => [u.code, (attempts[winner] as Record<string, string>)[`u.${u.code}`]])),
  );
  assert.is(await usedOn(s, token), '2026-03-10');
});

once('a burst of three copies each over ten links at once: ten ballots, ten distinct receipts', async () => {
  const s = await openSurvey({ units: UNITS });
  const links = s.tokens.slice(0, 10);
  const requests = [0, 1, 2].flatMap((copy) => links.map((token) => ({ token, copy })));
  const results = await Promise.all(requests.map(({ token, copy }) => post(s, token, { ...fullBallot(s.units), comment: `copy ${copy}` })));
  const winners = results.filter((r) => r.status === 303);
  assert.is(winners.length, 10, 'one success per link');
  assert.is(results.filter((r) => r.status === 409).length, 20);
  for (const token of links) {
    const mine = results.filter((_, i) => requests[i]?.token === token);
    assert.is(mine.filter((r) => r.status === 303).length, 1, 'each link succeeds once');
    assert.ok(await usedOn(s, token), 'each link marked used');
  }
  const rows = await s.db.selectFrom('ballots').select('receipt').execute();
  assert.is(rows.length, 10);
  assert.equal(rows.map((r) => r.receipt).sort(), winners.map((r) => receiptOf(r) as string).sort(), 'the receipts shown are the receipts stored');
  assert.is(new Set(rows.map((r) => r.receipt)).size, 10);
  for (const token of s.tokens.slice(10)) assert.is(await usedOn(s, token), null, 'other links untouched');
});

// ---------------------------------------------------------------------------------------------------------------
const anon = suite('anonymity the database can prove');

/** Casts one ballot per link, in the order given, and returns the receipts in arrival order. */
async function castAll(s: Survey, tokens: string[]): Promise<string[]> {
  const receipts: string[] = [];
  for (const [i, token] of tokens.entries()) {
    s.clock.advance(37 * 60_000); // ballots arrive over several days
    const res = await post(s, token, {
      ...fullBallot(s.units, (_c, k) => CHOICES[(i * 3 + k) % 4] as string),
      'c.U01': `unit note ${i}`,
      comment: `ballot number ${i}`,
    });
    assert.is(res.status, 303);
    receipts.push(receiptOf(res) as string);
  }
  return receipts;
}

anon('the ballots table has exactly the anonymous columns, no insertion counter, and nothing refers to a ballot', async () => {
  const s = await openSurvey({ units: UNITS });
  assert.equal(await columnNames(s.db, 'ballots'), ['answers', 'comment', 'comments', 'id', 'reasons', 'receipt', 'round_id', 'stratum']);
  if (dialectOf(s.db) === 'sqlite') {
    // The id is the INTEGER PRIMARY KEY, i.e. the rowid itself: no hidden insertion counter besides the random id.
    const ddl = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'ballots'`.execute(s.db);
    assert.match(ddl.rows[0]?.sql ?? '', /"id" integer primary key/i, 'the id is the rowid');
    await castAll(s, s.tokens.slice(0, 5));
    const rows = await sql<{ r: number; id: number }>`select rowid as r, id from ballots`.execute(s.db);
    assert.is(rows.rows.length, 5);
    for (const row of rows.rows) assert.is(row.r, row.id, 'the rowid is the random id');
  }
  // (PostgreSQL has no rowid; its hidden transaction ids and row positions are handled by mixing: tests below.
  // There `ballots` is a view of the mixed ballots and the inbox, each with the same columns.)
  const stored = await ballotTables(s.db);
  assert.equal(stored, dialectOf(s.db) === 'sqlite' ? ['ballots'] : ['ballot_inbox', 'ballots_mixed']);
  for (const table of stored) {
    assert.equal(await columnNames(s.db, table), ['answers', 'comment', 'comments', 'id', 'reasons', 'receipt', 'round_id', 'stratum'], table);
    // Indexes hold only the round, the receipt and the (random) id.
    for (const c of await indexedColumns(s.db, table)) assert.ok(['round_id', 'receipt', 'id'].includes(c), `an index of ${table} on ${c}`);
    // Only `rounds` is referenced from ballots (on PostgreSQL by the view's trigger instead of a key, migration
    // 0015), and no table references ballots (no link-to-ballot key anywhere).
    assert.equal(await referencedTables(s.db, table), dialectOf(s.db) === 'sqlite' ? ['rounds'] : []);
    for (const name of await tableNames(s.db)) {
      assert.not.ok((await referencedTables(s.db, name)).includes(table), `${name} does not reference ${table}`);
    }
  }
});

anon('no ballot value holds a token, a token or code hash, a representative, or a date', async () => {
  const s = await openSurvey({ units: UNITS });
  const receipts = await castAll(s, s.tokens);
  assert.is(receipts.length, 30);
  const links = await s.db.selectFrom('round_links').select(['token_hash', 'code_hash']).execute();
  const secrets = [
    ...s.tokens,
    ...links.flatMap((l) => [l.token_hash, l.code_hash ?? '']).filter(Boolean),
    ...s.pool.flatMap((p) => [p.code, p.name, p.phone ?? '', p.email ?? '']).filter(Boolean),
  ];
  const rows = await s.db.selectFrom('ballots').selectAll().execute();
  assert.is(rows.length, 30);
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      const text = String(value);
      for (const secret of secrets) assert.not.ok(text.includes(secret), `ballots.${column} holds ${secret}`);
      assert.not.match(text, DATE_LIKE, `ballots.${column} holds something like a date: ${text.slice(0, 80)}`);
      assert.not.match(text, /\d\d:\d\d/, `ballots.${column} holds something like a time`);
    }
  }
  // A ballot's id and receipt exist in the ballots table only: no participation record, audit row or other table
  // points at them.
  const elsewhere = await dumpDatabase(s.db, ['ballots']);
  for (const row of rows) {
    assert.not.ok(elsewhere.includes(String(row.id)), 'ballot id found outside ballots');
    assert.not.ok(elsewhere.includes(row.receipt), 'receipt found outside ballots');
  }
  assert.not.ok(
    s.logs.some((l) => receipts.some((r) => l.includes(r))),
    'no receipt in the logs',
  );
});

anon('of the representative a ballot records the stratum of the seat it was cast on, and nothing else', async () => {
  const s = await openSurvey({ units: UNITS });
  await castAll(s, [...s.tokens.slice(0, 6), ...s.tokens.slice(-6)]); // seats of both strata
  const rows = await s.db.selectFrom('ballots').select(['stratum', 'reasons']).execute();
  // The strata of the ballots are exactly those of the seats whose links were used: no more is known of anyone.
  const used = await s.db
    .selectFrom('round_links')
    .innerJoin('round_pool', (j) => j.onRef('round_pool.round_id', '=', 'round_links.round_id').onRef('round_pool.code', '=', 'round_links.code'))
    .select('round_pool.stratum')
    .where('round_links.used_on', 'is not', null)
    .execute();
  assert.equal(rows.map((r) => r.stratum).sort(), used.map((r) => r.stratum).sort());
  assert.equal([...new Set(rows.map((r) => r.stratum))].sort(), ['企业代表', '社区居民']);
  assert.ok(
    rows.every((r) => r.reasons === null),
    'no reasons where none were ticked',
  );
  // A stratum names a group of many (the smallest stratum of a real pool is far larger than this test's): the
  // console warns before publishing per-stratum figures of a weighted round with a stratum under 10 ballots.
  const pool = new Set(s.pool.map((p) => p.stratum));
  for (const r of rows) assert.ok(pool.has(r.stratum ?? ''), `a stratum of the pool: ${r.stratum}`);
});

anon('ids are random, and the stored order is the id order, not the arrival order', async () => {
  const s = await openSurvey({ units: UNITS });
  const arrival = await castAll(s, s.tokens);
  // On PostgreSQL the servers mix the ballots every minute and at closing (server/survey/mix.ts); here, now.
  await s.store.mix();
  // The table itself, in storage order (SQLite would otherwise read the covering receipt index, in receipt order).
  const table = dialectOf(s.db) === 'sqlite' ? sql`ballots not indexed` : sql`ballots`;
  const stored = await sql<{ id: number; receipt: string }>`select id, receipt from ${table}`.execute(s.db);
  const ids = stored.rows.map((r) => Number(r.id));
  assert.ok(
    ids.every((id) => Number.isSafeInteger(id) && id >= 1),
    'integers from 1 to 2^53 − 1',
  );
  // 30 random 53-bit ids all falling below 2^48 would happen with probability 2^-150.
  assert.ok(
    ids.some((id) => id >= 2 ** 48),
    'spread over the whole range',
  );
  assert.is(new Set(ids).size, 30);
  // Why this proves storage order says nothing: on SQLite the id is the rowid, so rows live in a B-tree ordered
  // by it, a random number drawn at casting time; on PostgreSQL mixing rewrites the
  // table in id order. A scan (and the file's page layout) therefore follows the ids, i.e. a random permutation
  // chosen independently of when each ballot came. Below: the unordered scan is exactly id order, and it is not
  // the order of arrival (which, for 30 ballots, a random order would match with probability 1/30!).
  assert.equal(
    ids,
    [...ids].sort((a, b) => a - b),
    'a plain scan returns the ballots in id order',
  );
  const storedOrder = stored.rows.map((r) => r.receipt);
  assert.not.equal(storedOrder, arrival, 'the stored order is not the arrival order');
  assert.equal([...storedOrder].sort(), [...arrival].sort(), 'the same ballots');
  const positions = storedOrder.map((r) => arrival.indexOf(r));
  assert.not.equal(
    positions,
    [...positions].sort((a, b) => a - b),
  );
});

anon('PostgreSQL: after mixing, no ballot carries the transaction id of the link that cast it', async () => {
  const s = await openSurvey({ units: UNITS });
  if (dialectOf(s.db) !== 'postgres') return; // SQLite stores no transaction ids
  await castAll(s, s.tokens.slice(0, 10));
  // The hidden xmin of each stored row, read from the tables behind the view `ballots`.
  const xmins = async (table: 'ballots' | 'round_links') =>
    (table === 'ballots'
      ? await sql<{ x: string }>`select xmin::text as x from ballots_mixed union all select xmin::text as x from ballot_inbox`.execute(s.db)
      : await sql<{ x: string }>`select xmin::text as x from round_links where used_on is not null`.execute(s.db)
    ).rows.map((r) => r.x);
  const linkX = async () => new Set(await xmins('round_links'));
  // Before mixing the trace is there: this is what mixing has to remove.
  const before = await xmins('ballots');
  assert.is(new Set(before).size, 10, 'each ballot was written by its own transaction');
  const used = await linkX();
  assert.ok(
    before.every((x) => used.has(x)),
    'and each ballot shares it with its link',
  );
  assert.is(await s.store.mix(), 10, 'ten ballots mixed');
  const after = await xmins('ballots');
  assert.is(new Set(after).size, 1, 'all ballots now carry one transaction id');
  // The links keep theirs (when people voted); no ballot shares one with any link any more.
  assert.equal(await linkX(), used, 'the links are not rewritten');
  assert.not.ok(
    after.some((x) => used.has(x)),
    'no ballot carries a link transaction id',
  );
  assert.is(await s.store.mix(), 0, 'nothing to do until another ballot comes');
  await castAll(s, s.tokens.slice(10, 11));
  assert.is(await s.store.mix(), 11, 'a new ballot makes the ballots mixed again, all of them');
  const again = await xmins('ballots');
  assert.is(new Set(again).size, 1);
  const usedNow = await linkX();
  assert.not.ok(
    again.some((x) => usedNow.has(x)),
    'again no ballot carries a link transaction id',
  );
});

anon('participation records keep a date only, and voting writes no time anywhere', async () => {
  const s = await openSurvey({ units: UNITS });
  // `paper` is a flag set by an administrator before any ballot (server/paper/), never by voting.
  assert.equal(await columnNames(s.db, 'round_links'), [
    'active',
    'code',
    'code_hash',
    'generation',
    'issued_at',
    'paper',
    'round_id',
    'token_hash',
    'used_on',
  ]);
  const before = await s.db.selectFrom('round_links').selectAll().orderBy('code').execute();
  const auditBefore = await countRows(s.db, 'audit_log');
  const dumpBefore = await dumpDatabase(s.db, ['ballots', 'round_links']);
  await castAll(s, s.tokens.slice(0, 12));
  const after = await s.db.selectFrom('round_links').selectAll().orderBy('code').execute();
  assert.is(after.filter((l) => l.used_on).length, 12);
  for (const [i, link] of after.entries()) {
    if (link.used_on) assert.match(link.used_on, /^\d{4}-\d\d-\d\d$/, 'used_on is a bare date');
    // Only used_on changed: issued_at is when the link was made, untouched by voting.
    assert.equal({ ...link, used_on: null }, before[i], 'nothing else in the link changed');
  }
  assert.is(await countRows(s.db, 'audit_log'), auditBefore, 'casting a ballot writes no audit row (it would carry a time)');
  assert.is(await dumpDatabase(s.db, ['ballots', 'round_links']), dumpBefore, 'no other table changed');
});

anon('request logs show /s/[token] and never a token, valid or not', async () => {
  const s = await openSurvey({ units: UNITS });
  const tried = [s.tokens[0] as string, s.tokens[1] as string, 'AAAAAAAAAAAAAAAAAAAAAA', 'tooShort'];
  await s.app.request(`/s/${tried[0]}?lang=en`);
  await post(s, tried[0] as string, fullBallot(s.units));
  await post(s, tried[0] as string, fullBallot(s.units));
  await post(s, tried[1] as string, { 'u.U01': 'bad' });
  await s.app.request(`/s/${tried[2]}`);
  await s.app.request(`/s/${tried[3]}`);
  await s.app.request(`/s/${tried[1]}/extra`);
  assert.ok(s.logs.filter((l) => l.includes('/s/[token]')).length >= 6, s.logs.join('\n'));
  for (const line of s.logs) for (const token of tried) assert.not.ok(line.includes(token), `log line holds a token: ${line}`);
});

anon('no survey page is cached (a shared phone must not replay a ballot or a receipt)', async () => {
  const s = await openSurvey({ units: UNITS });
  const token = s.tokens[0] as string;
  const form = await s.app.request(`/s/${token}`);
  const refused = await post(s, token, { 'u.U01': 'satisfied' });
  const sent = await post(s, token, fullBallot(s.units));
  const thanks = await s.app.request(sent.headers.get('location') ?? '/thanks');
  const used = await s.app.request(`/s/${token}`);
  for (const [what, res] of [
    ['form', form],
    ['422', refused],
    ['303', sent],
    ['thanks', thanks],
    ['409', used],
  ] as const) {
    assert.is(res.headers.get('cache-control'), 'no-store', what);
  }
  assert.equal([form.status, refused.status, sent.status, thanks.status, used.status], [200, 422, 303, 200, 409]);
});

// ---------------------------------------------------------------------------------------------------------------
const receipt = suite('the receipt never travels in an address');

receipt('the 303 goes to /thanks with no query; the receipt rides in a short-lived HttpOnly cookie for /thanks, shown once and cleared', async () => {
  const s = await openSurvey({ units: UNITS });
  const sent = await post(s, s.tokens[0] as string, fullBallot(s.units));
  assert.is(sent.status, 303);
  assert.is(sent.headers.get('location'), '/thanks', 'no receipt in the Location header');
  const cookie = sent.headers.getSetCookie().find((c) => c.startsWith('receipt=')) ?? '';
  assert.match(cookie, /^receipt=([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}); Max-Age=300; Path=\/thanks; HttpOnly; SameSite=Strict$/);
  const code = receiptOf(sent) as string;
  const [stored] = await s.db.selectFrom('ballots').select('receipt').execute();
  assert.is(stored?.receipt, code);

  const thanks = await s.app.request('/thanks', { headers: { cookie: `receipt=${code}` } });
  assert.is(thanks.status, 200);
  assert.match(await thanks.text(), new RegExp(`<p class="receipt" id="receipt">${code}</p>`), 'the page shows it');
  assert.ok(
    thanks.headers.getSetCookie().some((c) => /^receipt=; Max-Age=0; Path=\/thanks; HttpOnly/.test(c)),
    'and clears it',
  );

  // Without the cookie (a reload after it was cleared, or anyone else): no receipt, a page that says why.
  for (const path of ['/thanks', `/thanks?receipt=${code}`]) {
    const again = await s.app.request(path);
    assert.is(again.status, 200, path);
    const html = await again.text();
    assert.not.match(html, 'id="receipt"', `${path}: no receipt shown`);
    assert.not.match(html.replace(/href="[^"]*"/g, ''), code, `${path}: nor the code taken from the address`);
  }
  const forged = await s.app.request('/thanks', { headers: { cookie: 'receipt=<script>' } });
  assert.not.match(await forged.text(), '<script>', 'a malformed cookie is not echoed');
});

receipt('the representative’s pages send no Referer at all: Referrer-Policy no-referrer on /s/… (every answer) and /thanks', async () => {
  const s = await openSurvey({ units: UNITS });
  const token = s.tokens[0] as string;
  const answers = [
    await s.app.request(`/s/${token}`),
    await post(s, token, { 'u.U01': 'satisfied' }),
    await post(s, token, fullBallot(s.units)),
    await post(s, token, fullBallot(s.units)),
    await s.app.request(`/s/${token}`),
    await s.app.request('/s/AAAAAAAAAAAAAAAAAAAAAA'),
    await s.app.request('/thanks'),
  ];
  assert.equal(
    answers.map((r) => r.status),
    [200, 422, 303, 409, 409, 404, 200],
  );
  for (const res of answers) assert.is(res.headers.get('referrer-policy'), 'no-referrer', `${res.status}`);
  assert.is((await s.app.request('/about')).headers.get('referrer-policy'), 'same-origin', 'other pages keep same-origin');
});

receipt('the published receipts are looked up by POST, so a receipt reaches no address there either', async () => {
  const html = await readFile(new URL('../server/results/public-receipts.tsx', import.meta.url), 'utf8');
  assert.match(html, '<form method="post"');
});

receipt('the README’s proxy example keeps /s/ and /k request lines (links and 测评码) out of the access log', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  assert.match(readme, /location ~ \^\/\(s\|k\)\(\/\|\$\) \{\s*access_log off;/);
});

receipt.run();

// ---------------------------------------------------------------------------------------------------------------
const comments = suite('comments are readable only after closing');

comments('while open, the console shows no comment, so none can be matched with the not-answered list; after closing, all of them', async () => {
  const s = await openSurvey({ units: UNITS });
  const b = await loggedIn(s);
  await post(s, s.tokens[0] as string, { ...fullBallot(s.units), 'c.U01': '第一条独特意见', comment: '第一条总体意见' });
  const before = await (await b.get(`/admin/rounds/2026/comments?lang=en`)).text();
  await post(s, s.tokens[1] as string, { ...fullBallot(s.units), 'c.U01': '第二条独特意见' });
  const after = await (await b.get(`/admin/rounds/2026/comments?lang=en`)).text();
  for (const html of [before, after]) {
    assert.not.match(html, '独特意见', 'no unit comment while open');
    assert.not.match(html, '总体意见</li>', 'no overall comment while open');
    assert.match(html, 'Comments can be read once the round has closed');
  }
  const round = (await findRound(s.db, 2026))!;
  assert.is(await commentsByUnit(s.db, round), undefined, 'the query itself refuses while open');
  ok(await closeRound(s.store, s.audit, 2026, 'test'), 'close');
  const closed = await (await b.get(`/admin/rounds/2026/comments?lang=en`)).text();
  assert.match(closed, '第一条独特意见');
  assert.match(closed, '第二条独特意见');
  assert.match(closed, '第一条总体意见');
});

comments.run();

// ---------------------------------------------------------------------------------------------------------------
const guessing = suite('token guessing');

const guess = (i: number) => `Guess${String(i).padStart(17, '0')}`;

guessing('21st unknown token from one address: 429 with Retry-After; other addresses unaffected; lifted after the window', async () => {
  const s = await openSurvey({ units: UNITS, config: { trustProxy: true } });
  const blocked = { 'x-forwarded-for': '203.0.113.7' };
  const other = { 'x-forwarded-for': '198.51.100.23' };
  const valid = s.tokens[0] as string;
  for (let i = 0; i < 20; i++) {
    const res = await s.app.request(i % 4 === 3 ? `/s/bad!${i}` : `/s/${guess(i)}`, { headers: blocked });
    assert.is(res.status, 404, `guess ${i + 1}`);
  }
  const limited = await s.app.request(`/s/${guess(20)}`, { headers: blocked });
  assert.is(limited.status, 429, '21st guess');
  const retry = Number(limited.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry > 0 && retry <= 600, `Retry-After in seconds (${limited.headers.get('retry-after')})`);
  assert.match(await limited.text(), '分钟后再试');

  assert.is((await s.app.request(`/s/${guess(21)}`, { headers: other })).status, 404, 'another address still gets 404');
  assert.is((await s.app.request(`/s/${valid}`, { headers: other })).status, 200, 'and real links work for it');

  // A valid link works even from the blocked address: a school, an office or a mobile carrier's NAT puts many
  // representatives behind one address, and one guesser there must not lock them all out. (Guessing a 132-bit
  // token is hopeless either way; what the limit refuses is the guessing.)
  assert.is((await s.app.request(`/s/${valid}`, { headers: blocked })).status, 200, 'valid link GET from the blocked address');
  assert.is((await post(s, valid, { 'u.U01': 'nonsense' }, blocked)).status, 422, 'a refused form from it is shown again');
  assert.is((await post(s, valid, fullBallot(s.units), blocked)).status, 303, 'valid link POST from the blocked address');
  assert.is((await s.app.request(`/s/${valid}`, { headers: blocked })).status, 409, 'and once used, it says so');
  assert.is((await s.app.request(`/s/${guess(22)}`, { headers: blocked })).status, 429, 'unknown tokens are still refused');
  assert.is((await s.app.request('/s/bad!token', { headers: blocked })).status, 429, 'malformed ones too');

  s.clock.advance(10 * 60_000 + 1000);
  assert.is((await s.app.request(`/s/${guess(23)}`, { headers: blocked })).status, 404, 'after the window, guesses count from zero again');
});

guessing('without trustProxy, X-Forwarded-For is ignored: changing it does not reset the count', async () => {
  const s = await openSurvey({ units: UNITS, config: { trustProxy: false } });
  for (let i = 0; i < 20; i++) {
    assert.is((await s.app.request(`/s/${guess(i)}`, { headers: { 'x-forwarded-for': `192.0.2.${i}` } })).status, 404);
  }
  assert.is((await s.app.request(`/s/${guess(20)}`, { headers: { 'x-forwarded-for': '192.0.2.200' } })).status, 429);
});

guessing('with trustProxy, only the last hop (the one our proxy adds) counts: forged first hops do not help', async () => {
  const s = await openSurvey({ units: UNITS, config: { trustProxy: true } });
  for (let i = 0; i < 20; i++) {
    assert.is((await s.app.request(`/s/${guess(i)}`, { headers: { 'x-forwarded-for': `10.9.9.${i}, 203.0.113.9` } })).status, 404);
  }
  assert.is((await s.app.request(`/s/${guess(20)}`, { headers: { 'x-forwarded-for': '10.0.0.1, 203.0.113.9' } })).status, 429);
});

// ---------------------------------------------------------------------------------------------------------------
const stolen = suite('a stolen database cannot vote');

stolen('only SHA-256 hashes of tokens are stored, and a hash is not a token', async () => {
  const s = await openSurvey({ units: UNITS });
  const links = await s.db.selectFrom('round_links').select(['code', 'token_hash']).execute();
  assert.is(links.length, s.seats.length);
  for (const seat of s.seats) assert.is(links.find((l) => l.code === seat.code)?.token_hash, sha256(seat.token), `hash of ${seat.code}'s token`);
  const dump = await dumpDatabase(s.db);
  for (const token of s.tokens) assert.not.ok(dump.includes(token), 'a token is stored somewhere');

  const hash = links[0]?.token_hash as string;
  for (const attempt of [hash, hash.slice(0, 22), hash.toUpperCase()]) {
    assert.is((await s.app.request(`/s/${attempt}`)).status, 404, `GET with ${attempt.length} chars of a hash`);
    assert.is((await post(s, attempt, fullBallot(s.units))).status, 404, 'POST');
  }
  assert.equal(await s.db.selectFrom('ballots').select('id').execute(), [], 'nothing stored');
  assert.ok((await s.db.selectFrom('round_links').select('used_on').where('used_on', 'is not', null).execute()).length === 0, 'no link used');
});

once.run();
anon.run();
guessing.run();
stolen.run();
