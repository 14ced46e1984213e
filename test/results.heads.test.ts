// Guards the published results' heads kept by a PostgreSQL server's store (server/db/postgres-store.ts): a server
// serves its published pages without asking the database each time, yet forgets what it kept as soon as anything
// is published, by another server or the command line, so no server serves a stale page.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { auditTrail } from '../server/audit/log.js';
import { fixedClock } from '../server/clock.js';
import { migrateToLatest } from '../server/db/database.js';
import { openPostgresStore } from '../server/db/postgres-store.js';
import { demoUnits } from '../server/demo/city.js';
import { openRoundForWholePool } from '../server/demo/open-round.js';
import { publishResults } from '../server/results/publish.js';
import { closeRound, findRound } from '../server/rounds/rounds.js';
import { createTestSchema, onPostgres } from './db.js';
import { testConfig } from './helpers.js';
import { ok } from './survey-fixture.js';

const heads = suite('published heads kept in memory on PostgreSQL');

/** Polls `read` until it gives `want` (a notice takes a moment to arrive), or gives up after a few seconds. */
async function eventually<T>(read: () => Promise<T>, want: T): Promise<T> {
  let got = await read();
  for (let i = 0; i < 100 && got !== want; i++) {
    await new Promise((r) => setTimeout(r, 50));
    got = await read();
  }
  return got;
}

heads('a server keeps the head it read, and forgets it when anything is published elsewhere', async () => {
  if (!onPostgres) return; // on SQLite a server reads the head each time, a prepared statement away
  const url = (await createTestSchema()) as string;
  const other = openPostgresStore(url); // "another server", or the CLI
  await migrateToLatest(other.db);
  const server = openPostgresStore(url, { serving: true });
  try {
    const clock = fixedClock(new Date());
    const config = testConfig({ minPool: 10 });
    const audit = auditTrail(config.secret, clock);
    await openRoundForWholePool(other.db, clock, config, {
      year: 2026,
      units: demoUnits().slice(0, 3),
      links: 12,
      strata: ['甲', '乙'],
      codePrefix: 'H',
      codeDigits: 3,
      title: 'Heads',
      publicRandom: 'heads',
      actor: 'test',
    });
    ok(await closeRound(other, audit, 2026, 'test'), 'close');
    ok(await publishResults(other.db, audit, { year: 2026, note: '' }, 'test'), 'publish');
    const roundId = (await findRound(other.db, 2026))!.id;
    await new Promise((r) => setTimeout(r, 300)); // the serving store's listening connection is up by now

    assert.equal(await server.publishedHead(roundId), { latest: 1, stamp: 1 });
    // A change that sends no notice (nothing real does this) is not seen: the head comes from memory...
    await other.db.deleteFrom('published_results').execute();
    assert.equal(await server.publishedHead(roundId), { latest: 1, stamp: 1 }, 'kept in memory');
    assert.equal(await other.publishedHead(roundId), { latest: null, stamp: 0 }, 'while the database says otherwise');
    // ...and a publication is, within moments, whoever makes it.
    ok(await publishResults(other.db, audit, { year: 2026, note: '' }, 'test'), 'publish again');
    await other.db
      .insertInto('published_results')
      .values({ round_id: roundId, version: 7, published_at: clock.now().toISOString(), note: 'x', body: '{}', sha256: '0'.repeat(64) })
      .execute();
    assert.is(await eventually(async () => (await server.publishedHead(roundId)).latest, 7), 7, 'the newest version is seen');
    assert.equal(await server.publishedHead(roundId), { latest: 7, stamp: 2 });
  } finally {
    await server.destroy();
    await other.destroy();
  }
});

heads.run();
