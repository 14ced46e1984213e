// Guards issue 16's "a released comment's id must not let anyone match two comments of one ballot": handed comments
// are rows of their own, with random ids, no reference to a ballot, stored in id order; closing a round again after
// reopening adds only the new ballots' comments; migration 0008 hands over the rounds closed before it. And a
// liaison sees only their unit's released comments, never while the round is open again.
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLiaison } from '../server/admin/liaisons.js';
import { migrateTo, migrateToLatest } from '../server/db/database.js';
import { dialectOf } from '../server/db/dialect.js';
import { closeRound, findRound, openRound } from '../server/rounds/rounds.js';
import { columnNames, referencedTables } from './db-inspect.js';
import { Browser, TEST_PASSWORD } from './helpers.js';
import { fullBallot, mainText, ok, openSurvey, post, type Survey } from './survey-fixture.js';

const UNITS = [
  { code: 'U01', name: '市教育局', category: '公共服务部门', active: true },
  { code: 'U02', name: '市卫生健康委', category: '公共服务部门', active: true },
  { code: 'U03', name: '市人社局', category: '行政执法部门', active: true },
];

/** Every seat casts a ballot that comments on U01 and U02 with the same tag, `b{i}`. */
async function castTagged(s: Survey, from: number, to: number, extra: Record<string, string> = {}): Promise<void> {
  for (let i = from; i < to; i++) {
    const res = await post(s, s.tokens[i]!, { ...fullBallot(s.units), 'c.U01': `b${i}`, 'c.U02': `b${i}`, comment: `overall ${i}`, ...extra });
    assert.is(res.status, 303);
  }
}

/** The ids in the order the table itself holds them: SQLite's table b-tree (no index), PostgreSQL's heap. */
async function storedOrder(s: Survey): Promise<number[]> {
  const q =
    dialectOf(s.db) === 'sqlite'
      ? sql<{ id: number }>`select id from unit_comments not indexed`
      : sql<{ id: number }>`select id from unit_comments order by ctid`;
  return (await q.execute(s.db)).rows.map((r) => Number(r.id));
}

const rows = (s: Survey) => s.db.selectFrom('unit_comments').selectAll().orderBy('id').execute();

/** Spearman's rank correlation of two orderings of the same tags. */
function spearman(a: string[], b: string[]): number {
  const rankB = new Map(b.map((tag, i) => [tag, i]));
  const n = a.length;
  const d2 = a.reduce((sum, tag, i) => sum + (i - (rankB.get(tag) as number)) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

const anon = suite('handed comments cannot be matched to their ballots, nor to each other');

anon('a handed comment holds no ballot, no time of casting; its id is random, its table references rounds only', async () => {
  const s = await openSurvey({ units: UNITS });
  await castTagged(s, 0, 5);
  ok(await closeRound(s.store, s.audit, 2026, 'test'), 'close');
  assert.equal(await columnNames(s.db, 'unit_comments'), [
    'due_on',
    'id',
    'public',
    'reason',
    'replied_at',
    'reply',
    'round_id',
    'screened_at',
    'status',
    'text',
    'unit_code',
  ]);
  assert.equal(await referencedTables(s.db, 'unit_comments'), ['rounds']);
  const handed = await rows(s);
  assert.is(handed.length, 10);
  const ballotIds = new Set((await s.db.selectFrom('ballots').select('id').execute()).map((b) => Number(b.id)));
  for (const r of handed) {
    assert.ok(Number.isSafeInteger(Number(r.id)) && Number(r.id) > 0);
    assert.not.ok(ballotIds.has(Number(r.id)), 'not a ballot id');
    assert.is(r.screened_at, null, 'no time until an administrator screens it');
  }
  if (dialectOf(s.db) === 'sqlite') {
    const ddl = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'unit_comments'`.execute(s.db);
    assert.match(ddl.rows[0]?.sql ?? '', /"id" integer primary key/i, 'the id is the rowid: no hidden insertion counter');
    const rowids = await sql<{ r: number; id: number }>`select rowid as r, id from unit_comments`.execute(s.db);
    for (const row of rowids.rows) assert.is(row.r, row.id);
  }
});

anon("the ids' order says nothing about the ballots: two comments of one ballot are not placed alike", async () => {
  const s = await openSurvey({ units: UNITS });
  await castTagged(s, 0, 30);
  ok(await closeRound(s.store, s.audit, 2026, 'test'), 'close');
  const handed = await rows(s);
  const u01 = handed.filter((r) => r.unit_code === 'U01').map((r) => r.text);
  const u02 = handed.filter((r) => r.unit_code === 'U02').map((r) => r.text);
  assert.is(u01.length, 30);
  // Were ids given in any order shared by the two comments of a ballot (the ballots' order, their arrival), the
  // two orders would agree (rho near 1). Independent random ids: |rho| > 0.7 has a chance of about 1 in 50,000.
  const rho = spearman(u01, u02);
  assert.ok(Math.abs(rho) < 0.7, `the two units' orders agree: rho = ${rho.toFixed(3)}`);
  const cast = (await s.db.selectFrom('ballots').select('comments').orderBy('id').execute()).map(
    (b) => (JSON.parse(b.comments) as Record<string, string>).U01!,
  );
  assert.ok(Math.abs(spearman(u01, cast)) < 0.7, 'nor does the ballots’ own order show through');
});

anon('rows are stored in the order of their random ids, all written at once', async () => {
  const s = await openSurvey({ units: UNITS });
  await castTagged(s, 0, 12);
  ok(await closeRound(s.store, s.audit, 2026, 'test'), 'close');
  const sorted = (await rows(s)).map((r) => Number(r.id));
  assert.equal(await storedOrder(s), sorted, 'the table holds them in id order');
  if (dialectOf(s.db) === 'postgres') {
    const writers = await sql<{ n: number }>`select count(distinct xmin::text)::int as n from unit_comments`.execute(s.db);
    assert.is(writers.rows[0]?.n, 1, 'one transaction wrote them all');
  }
});

anon('closing again after reopening adds only the comments of ballots cast meanwhile; screened ones stay as they were', async () => {
  const s = await openSurvey({ units: UNITS });
  await castTagged(s, 0, 4);
  ok(await closeRound(s.store, s.audit, 2026, 'test'), 'close');
  const first = await rows(s);
  const released = first[0]!;
  await s.db.updateTable('unit_comments').set({ status: 'released', due_on: '2026-05-01' }).where('id', '=', released.id).execute();
  await createLiaison(s.db, s.audit, { username: 'liaison', password: TEST_PASSWORD, unit: released.unit_code, actor: 'test' });
  const b = new Browser(s);
  assert.is((await b.post('/admin/login', { username: 'liaison', password: TEST_PASSWORD })).status, 303);
  assert.match(mainText(await (await b.get('/admin/unit')).text()), released.text);

  ok(await openRound(s.db, s.audit, 2026, 'test'), 'reopen');
  assert.not.match(mainText(await (await b.get('/admin/unit')).text()), released.text, 'nothing shown while the round is open again');
  // A new ballot repeats an earlier comment word for word: it is a comment of its own all the same.
  await castTagged(s, 4, 6, { 'c.U03': 'b0' });
  ok(await closeRound(s.store, s.audit, 2026, 'test'), 'close again');
  const second = await rows(s);
  assert.is(second.length, first.length + 6);
  for (const r of first) assert.equal(second.find((x) => x.id === r.id)?.status, r.id === released.id ? 'released' : 'pending');
  const counts = (unit: string) => second.filter((r) => r.unit_code === unit).length;
  assert.equal([counts('U01'), counts('U02'), counts('U03')], [6, 6, 2]);
  assert.match(mainText(await (await b.get('/admin/unit')).text()), released.text, 'shown again once closed');
});

anon('migration 0008 hands over the comments of rounds closed before it, under fresh ids, and none of a round still open', async () => {
  const s = await openSurvey({ units: UNITS });
  await castTagged(s, 0, 6);
  ok(await closeRound(s.store, s.audit, 2026, 'test'), 'close');
  await migrateTo(s.db, '0007-mixing');
  await migrateToLatest(s.db);
  const handed = await rows(s);
  assert.equal(
    handed.map((r) => `${r.unit_code}:${r.text}:${r.status}`).sort(),
    [...[0, 1, 2, 3, 4, 5].map((i) => `U01:b${i}:pending`), ...[0, 1, 2, 3, 4, 5].map((i) => `U02:b${i}:pending`)].sort(),
  );
  assert.equal(
    await storedOrder(s),
    handed.map((r) => Number(r.id)),
    'in id order',
  );

  ok(await openRound(s.db, s.audit, 2026, 'test'), 'reopen');
  await migrateTo(s.db, '0007-mixing');
  await migrateToLatest(s.db);
  assert.is((await rows(s)).length, 0, 'an open round has nothing handed over');
  const round = (await findRound(s.db, 2026))!;
  assert.is(round.status, 'open');
});

anon.run();
