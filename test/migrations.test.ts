// Migrations that change stored data, run both ways on a database with ballots in it (on SQLite, and with
// TEST_DATABASE_URL on PostgreSQL): nothing is lost, and the new shape is the one the code expects.
import { sql } from 'kysely';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { migrateTo, migrateToLatest } from '../server/db/database.js';
import { dialectOf } from '../server/db/dialect.js';
import { CHOICES, fullBallot, openSurvey, post } from './survey-fixture.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('0005 gives every ballot a random integer id (the rowid on SQLite) and keeps its contents; down and up again', async () => {
  const s = await openSurvey();
  for (const [i, token] of s.tokens.slice(0, 12).entries()) {
    const res = await post(s, token, { ...fullBallot(s.units, (_c, k) => CHOICES[(i + k) % 4] as string), comment: `note ${i}` });
    assert.is(res.status, 303);
  }
  const contents = async () =>
    (await s.db.selectFrom('ballots').select(['round_id', 'receipt', 'answers', 'comments', 'comment']).orderBy('receipt').execute()).map((r) =>
      JSON.stringify(r),
    );
  const ids = async () => (await sql<{ id: unknown }>`select id from ballots`.execute(s.db)).rows.map((r) => r.id);
  const before = await contents();
  assert.is(before.length, 12);

  await migrateTo(s.db, '0004-results');
  assert.equal(await contents(), before, 'down: the same ballots');
  assert.ok(
    (await ids()).every((id) => typeof id === 'string' && UUID_V4.test(id)),
    'down: UUID ids again',
  );

  await migrateToLatest(s.db);
  assert.equal(await contents(), before, 'up: the same ballots');
  const upIds = (await ids()) as number[];
  assert.ok(
    upIds.every((id) => Number.isSafeInteger(id) && id >= 1),
    'up: integer ids',
  );
  assert.is(new Set(upIds).size, 12);
  if (dialectOf(s.db) === 'sqlite') {
    const rows = await sql<{ r: number; id: number }>`select rowid as r, id from ballots`.execute(s.db);
    assert.ok(
      rows.rows.every((row) => row.r === row.id),
      'the id is the rowid',
    );
  } else {
    // Since 0013 the view `ballots` shows the mixed ballots and the inbox; the mixed table keeps the names. Since
    // 0015 the view's trigger checks the round instead of a foreign key.
    const names = await sql<{ conname: string }>`select conname from pg_constraint where conrelid = 'ballots_mixed'::regclass order by conname`.execute(s.db);
    assert.equal(
      names.rows.map((r) => r.conname),
      ['ballots_pkey', 'ballots_receipt'],
      'the constraints keep their names',
    );
  }
  // And the survey still casts into the new table.
  const res = await post(s, s.tokens[12]!, fullBallot(s.units));
  assert.is(res.status, 303);
  assert.is((await contents()).length, 13);
});

test.run();
