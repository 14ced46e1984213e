// Group commit on SQLite (server/db/sqlite-store.ts): ballots that arrive close together share one transaction, a
// group stays open while ballots keep coming (a turn of the event loop at a time, for at most a few milliseconds),
// and every ballot of a group is still guarded by its own link. On PostgreSQL (server/db/postgres-store.ts) the
// ballots and the link lookups of one turn go to the database as one statement each, with the same guards.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import type { SqliteStore } from '../server/db/sqlite-store.js';
import { type CompiledQuery, sql } from 'kysely';
import { tokenHash } from '../server/links/tokens.js';
import { castBallot, type CastResult } from '../server/survey/cast.js';
import { Grouped } from '../server/db/groups.js';
import { ballotCount, CHOICES, openSurvey } from './survey-fixture.js';

const UNITS = demoUnits().slice(0, 6);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The group's clock: standing still except when the test moves it, so a busy machine's slow turns do not matter. */
function stillClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** The survey on a store whose group commit reads `clock`, the count of its commits, and a way to cast. */
async function counted(clock = stillClock()) {
  const s = await openSurvey({ units: UNITS, store: { now: clock.now } });
  // Only the SQLite store counts its commits; PostgreSQL's statements are counted by countedPostgres.
  const store = s.store as Partial<SqliteStore>;
  const before = store.counters?.commits ?? 0;
  const roundId = (await s.db.selectFrom('rounds').select('id').executeTakeFirstOrThrow()).id;
  const answers = Object.fromEntries(UNITS.map((u, i) => [u.code, CHOICES[i % 4]]));
  return {
    s,
    advance: clock.advance,
    commits: () => (store.counters?.commits ?? 0) - before,
    cast: (token: string): Promise<CastResult> =>
      castBallot(s.store, s.clock, s.config.timeZone, { token, roundId, answers: answers as never, comments: {}, comment: null }),
  };
}

const group = suite('group commit (SQLite)');
const sqlitePass = !process.env.TEST_DATABASE_URL;

if (sqlitePass)
  group('ballots arriving one turn of the event loop after another share one commit', async () => {
    const { s, commits, cast } = await counted();
    const pending: Promise<CastResult>[] = [];
    for (const token of s.tokens.slice(0, 10)) {
      pending.push(cast(token));
      await turn();
    }
    const results = await Promise.all(pending);
    assert.ok(
      results.every((r) => r.ok),
      'all cast',
    );
    assert.is(commits(), 1, 'one commit for ten ballots that came a turn apart');
    assert.is(await ballotCount(s), 10);
  });

if (sqlitePass)
  group('a group closes when a turn brings nothing, and after a few milliseconds at most', async () => {
    const { s, commits, cast, advance } = await counted();
    // Two ballots, the second sent once the first is answered: the first's group closed with nothing else coming
    // (it would never be answered otherwise), so two commits. A fixed pause between them could be shorter than
    // the first ballot's way to the store on a loaded machine.
    await cast(s.tokens[0] as string);
    await cast(s.tokens[1] as string);
    assert.is(commits(), 2, 'a pause closes the group');
    // A steady trickle, one ballot every turn with a millisecond between turns (28 ms in all): the group stops
    // waiting after its 3 ms, so every fourth ballot or so starts a new group.
    const before = commits();
    const trickle: Promise<CastResult>[] = [];
    for (const token of s.tokens.slice(2)) {
      trickle.push(cast(token));
      advance(1);
      await turn();
    }
    await Promise.all(trickle);
    const made = commits() - before;
    assert.ok(made >= 7 && made <= 14, `28 ballots a millisecond apart, in groups of at most 3 ms: ${made} commits`);
  });

if (sqlitePass)
  group("a long stretch of the loop before the group's first turn does not use up its hold", async () => {
    const { s, commits, cast, advance } = await counted();
    // Under load the turn that reads a burst of requests can take longer than the hold; a ballot that comes in the
    // next turn still joins the group.
    const first = cast(s.tokens[0] as string);
    advance(10);
    await turn();
    const second = cast(s.tokens[1] as string);
    const results = await Promise.all([first, second]);
    assert.ok(
      results.every((r) => r.ok),
      'both cast',
    );
    assert.is(commits(), 1, 'one commit for both');
  });

if (sqlitePass)
  group('within one group each ballot is still guarded by its own link', async () => {
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

const grouped = suite('groups of requests (PostgreSQL store)');
const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'answered',
    (e: unknown) => String(e),
  );

grouped('a turn makes a group; while two groups are out, the next grows until one comes back', async () => {
  const runs: { items: string[]; answer: (outs: (string | Promise<string>)[]) => void; fail: (e: Error) => void }[] = [];
  const g = new Grouped<string, string>(
    (items) =>
      new Promise((answer, fail) => {
        runs.push({ items, answer, fail });
      }),
    2,
  );
  const a = g.add('a');
  const a2 = g.add('a2');
  await turn();
  const b = g.add('b');
  await turn();
  const waiting = ['c', 'd', 'e'].map((x) => g.add(x));
  await turn();
  await turn();
  assert.equal(
    runs.map((r) => r.items),
    [['a', 'a2'], ['b']],
    'two out, and c, d, e wait',
  );
  runs[0]?.answer(['A', Promise.reject(new Error('a2 alone'))]);
  assert.is(await a, 'A');
  assert.is(await failure(a2), 'Error: a2 alone');
  await turn();
  assert.equal(runs[2]?.items, ['c', 'd', 'e'], 'one group for all that waited');
  runs[1]?.fail(new Error('down'));
  assert.is(await failure(b), 'Error: down');
  runs[2]?.answer(['C', 'D', 'E']);
  assert.equal(await Promise.all(waiting), ['C', 'D', 'E']);
});

grouped('a full group leaves at once, and what is left over goes too while a flight is free', async () => {
  const sizes: number[] = [];
  const g = new Grouped<number, number>(
    (items) => {
      sizes.push(items.length);
      return new Promise(() => {});
    },
    2,
    100,
    4,
  );
  for (let k = 0; k < 7; k++) void g.add(k);
  assert.equal(sizes, [4], 'the full group, before the turn ends');
  await turn();
  assert.equal(sizes, [4, 3], 'the rest, in the second flight');
});

grouped('groups stuck at the database hold the next one back for their patience only', async () => {
  const runs: string[][] = [];
  const at: number[] = [];
  const g = new Grouped<string, string>(
    (items) => {
      runs.push(items);
      at.push(performance.now());
      return runs.length <= 2 ? new Promise(() => {}) : Promise.resolve(items.map((x) => x.toUpperCase()));
    },
    2,
    40,
  );
  void g.add('a');
  await turn();
  void g.add('b');
  await turn();
  assert.is(await g.add('c'), 'C');
  assert.equal(runs, [['a'], ['b'], ['c']]);
  const waited = (at[2] as number) - (at[1] as number);
  assert.ok(waited >= 39, `c left once b had been out for its patience: ${waited.toFixed(0)} ms`);
});

grouped.run();

/** The survey on PostgreSQL, with the statements its store sends counted by what they call. */
async function countedPostgres() {
  const t = await counted();
  const db = t.s.store.db;
  const sent: string[] = [];
  const execute = db.executeQuery.bind(db);
  db.executeQuery = ((q: CompiledQuery) => {
    sent.push(q.sql);
    return execute(q);
  }) as typeof db.executeQuery;
  return { ...t, statements: (what: string) => sent.filter((q) => q.includes(what)).length };
}

const pg = suite('group commit (PostgreSQL)');

if (!sqlitePass)
  pg('ten ballots of one turn are one statement; a link sent three times at once stores one ballot', async () => {
    const { s, cast, statements } = await countedPostgres();
    try {
      const ten = await Promise.all(s.tokens.slice(0, 10).map(cast));
      assert.ok(
        ten.every((r) => r.ok),
        'all cast',
      );
      assert.is(statements('pingyi_cast_many'), 1, 'one statement for ten ballots');
      // The inbox keeps them in the order of their random ids, not in the order of their links (or of their turn).
      const inbox = (await sql<{ id: number }>`select id from ballot_inbox order by ctid`.execute(s.db)).rows.map((r) => Number(r.id));
      assert.equal(
        inbox,
        [...inbox].sort((x, y) => x - y),
      );
      assert.is(inbox.length, 10);
      const [a, b] = s.tokens.slice(10) as [string, string];
      const results = await Promise.all([cast(a), cast(b), cast(a), cast(b), cast(a)]);
      assert.equal(
        results.map((r) => r.ok),
        [true, true, false, false, false],
      );
      assert.is(await ballotCount(s), 12);
    } finally {
      await s.store.destroy();
    }
  });

for (const mixed of [false, true])
  if (!sqlitePass)
    pg(`a ballot whose receipt or id is taken${mixed ? ' by a mixed ballot' : ''} fails alone: the others of its group are cast`, async () => {
      const { s, cast } = await countedPostgres();
      try {
        assert.ok((await cast(s.tokens[0] as string)).ok);
        // Mixed, the first ballot is in the mixed table, where only the function's own check can see it.
        if (mixed) assert.is(await s.store.mix(), 1);
        const stored = await s.db.selectFrom('ballots').selectAll().executeTakeFirstOrThrow();
        const row = (id: number, receipt: string) => ({
          id,
          roundId: stored.round_id,
          receipt,
          answers: stored.answers,
          comments: stored.comments,
          comment: null,
          stratum: stored.stratum,
          reasons: null,
        });
        const today = '2026-03-10';
        const outcomes = await Promise.allSettled([
          s.store.castBallot(tokenHash(s.tokens[1] as string), today, row(11, 'AAAA-1111')),
          s.store.castBallot(tokenHash(s.tokens[2] as string), today, row(12, stored.receipt)),
          s.store.castBallot(tokenHash(s.tokens[3] as string), today, row(13, 'AAAA-3333')),
          s.store.castBallot(tokenHash(s.tokens[4] as string), today, row(Number(stored.id), 'AAAA-4444')),
        ]);
        assert.equal(
          outcomes.map((o) => o.status),
          ['fulfilled', 'rejected', 'fulfilled', 'rejected'],
        );
        assert.match(String((outcomes[1] as PromiseRejectedResult).reason), 'ballots_receipt');
        assert.match(String((outcomes[3] as PromiseRejectedResult).reason), 'ballots_pkey');
        assert.is(await ballotCount(s), 3);
        const links = await s.db.selectFrom('round_links').select('used_on').where('used_on', 'is not', null).execute();
        assert.is(links.length, 3, "the refused ballots' links stay unused");
      } finally {
        await s.store.destroy();
      }
    });

if (!sqlitePass)
  pg("the hot path's statements are prepared once per connection", async () => {
    const s = await openSurvey({ units: UNITS, store: { postgresPool: 1 } });
    try {
      const roundId = (await s.db.selectFrom('rounds').select('id').executeTakeFirstOrThrow()).id;
      const answers = Object.fromEntries(UNITS.map((u, i) => [u.code, CHOICES[i % 4]]));
      for (const token of s.tokens.slice(0, 3)) {
        assert.ok(await s.store.findLink(tokenHash(token)));
        const cast = await castBallot(s.store, s.clock, s.config.timeZone, { token, roundId, answers: answers as never, comments: {}, comment: null });
        assert.ok(cast.ok);
      }
      // The store's one connection: what it prepared, and how often each statement ran as prepared.
      const prepared = (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(s.store.db)).rows.map((r) => r.statement);
      assert.ok(
        prepared.some((q) => q.includes('pingyi_cast_many')),
        'the cast',
      );
      assert.ok(
        prepared.some((q) => q.includes('"round_links"."token_hash" =')),
        'the link lookup',
      );
      assert.is(new Set(prepared).size, prepared.length, 'each once');
    } finally {
      await s.store.destroy();
    }
  });

if (!sqlitePass)
  pg('link lookups of one turn are one query, each answered with its own link or none', async () => {
    const { s, statements } = await countedPostgres();
    try {
      const [a, b] = s.tokens.map(tokenHash) as [string, string];
      const before = statements('round_links');
      const found = await Promise.all([a, b, 'f'.repeat(64), a].map((h) => s.store.findLink(h)));
      assert.is(statements('round_links') - before, 1);
      assert.equal(
        found.map((l) => l?.tokenHash),
        [a, b, undefined, a],
      );
      assert.ok(found[0]?.stratum && found[0].roundId, 'with its stratum and round');
    } finally {
      await s.store.destroy();
    }
  });

pg.run();
