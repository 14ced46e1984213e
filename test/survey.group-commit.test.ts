// Group commit on SQLite (server/survey/links.ts): ballots that arrive close together share one transaction, a
// group stays open while ballots keep coming (a turn of the event loop at a time, for at most a few milliseconds),
// and every ballot of a group is still guarded by its own link.
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../scripts/demo-city.js';
import { syncSqlite } from '../server/db/database.js';
import { castBallot, type CastResult } from '../server/survey/links.js';
import { ballotCount, CHOICES, openSurvey, type Survey } from './survey-fixture.js';

const UNITS = demoUnits().slice(0, 6);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `body` with `performance.now()` (the group's clock) standing still except when `advance` moves it, so how
 * long the test's own turns take on a busy machine does not matter.
 */
async function withClock<T>(body: (advance: (ms: number) => void) => Promise<T>): Promise<T> {
  const real = performance.now;
  let now = real.call(performance);
  performance.now = () => now;
  try {
    return await body((ms) => (now += ms));
  } finally {
    performance.now = real;
  }
}

/** The survey, and a count of its commits of ballots (the connection reports each write it commits). */
async function counted(): Promise<{ s: Survey; commits: () => number; cast: (token: string) => Promise<CastResult> }> {
  const s = await openSurvey({ units: UNITS });
  const conn = syncSqlite(s.db)!;
  let commits = 0;
  const wrote = conn.wrote;
  conn.wrote = () => {
    commits++;
    wrote();
  };
  const roundId = (await s.db.selectFrom('rounds').select('id').executeTakeFirstOrThrow()).id;
  const answers = Object.fromEntries(UNITS.map((u, i) => [u.code, CHOICES[i % 4]]));
  return { s, commits: () => commits, cast: (token) => castBallot(s.db, s.clock, s.config.timeZone, { token, roundId, answers: answers as never, comments: {}, comment: null }) };
}

const group = suite('group commit (SQLite)');
// The PostgreSQL pass casts each ballot in a transaction of its own (no group commit there): nothing to test.
const sqlitePass = !process.env.TEST_DATABASE_URL;

if (sqlitePass) group('ballots arriving one turn of the event loop after another share one commit', async () => {
  const { s, commits, cast } = await counted();
  const results = await withClock(async () => {
    const pending: Promise<CastResult>[] = [];
    for (const token of s.tokens.slice(0, 10)) {
      pending.push(cast(token));
      await turn();
    }
    return Promise.all(pending);
  });
  assert.ok(results.every((r) => r.ok), 'all cast');
  assert.is(commits(), 1, 'one commit for ten ballots that came a turn apart');
  assert.is(await ballotCount(s), 10);
});

if (sqlitePass) group('a group closes when a turn brings nothing, and after a few milliseconds at most', async () => {
  const { s, commits, cast } = await counted();
  // Two ballots with a pause between them that is longer than the group waits: two commits.
  const first = cast(s.tokens[0] as string);
  await sleep(20);
  const second = cast(s.tokens[1] as string);
  await Promise.all([first, second]);
  assert.is(commits(), 2, 'a pause closes the group');
  // A steady trickle, one ballot every turn with a millisecond between turns (28 ms in all): the group stops
  // waiting after its 3 ms, so every fourth ballot or so starts a new group.
  const before = commits();
  await withClock(async (advance) => {
    const trickle: Promise<CastResult>[] = [];
    for (const token of s.tokens.slice(2)) {
      trickle.push(cast(token));
      advance(1);
      await turn();
    }
    await Promise.all(trickle);
  });
  const made = commits() - before;
  assert.ok(made >= 7 && made <= 14, `28 ballots a millisecond apart, in groups of at most 3 ms: ${made} commits`);
});

if (sqlitePass) group('a long stretch of the loop before the group\'s first turn does not use up its hold', async () => {
  const { s, commits, cast } = await counted();
  // Under load the turn that reads a burst of requests can take longer than the hold; a ballot that comes in the
  // next turn still joins the group.
  const results = await withClock(async (advance) => {
    const first = cast(s.tokens[0] as string);
    advance(10);
    await turn();
    const second = cast(s.tokens[1] as string);
    return Promise.all([first, second]);
  });
  assert.ok(results.every((r) => r.ok), 'both cast');
  assert.is(commits(), 1, 'one commit for both');
});

if (sqlitePass) group('within one group each ballot is still guarded by its own link', async () => {
  const { s, commits, cast } = await counted();
  const [a, b] = s.tokens as [string, string];
  const results = await Promise.all([cast(a), cast(b), cast(a), cast(b), cast(a)]);
  assert.equal(
    results.map((r) => r.ok),
    [true, true, false, false, false],
  );
  assert.is(commits(), 1);
  assert.is(await ballotCount(s), 2);
});

group.run();
