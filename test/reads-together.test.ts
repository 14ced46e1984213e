// The SQLite store's link lookups (server/db/sqlite-store.ts): the lookups of one turn of the event loop share one
// read transaction, yet each gets its own row, and none ever runs inside a transaction another request has open.
// On PostgreSQL each lookup simply goes through Kysely.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SqliteStore } from '../server/db/sqlite-store.js';
import { demoUnits } from '../server/demo/city.js';
import { tokenHash } from '../server/links/tokens.js';
import { onPostgres } from './db.js';
import { openSurvey } from './survey-fixture.js';

const reads = suite('link lookups read together');
const UNITS = demoUnits().slice(0, 3);

reads('lookups asked for in one turn each get their own link, the same as one by one', async () => {
  const s = await openSurvey({ units: UNITS });
  const asked = [s.tokens[0], s.tokens[1], 'NoSuchTokenNoSuchToken', s.tokens[2], s.tokens[1]] as string[];
  const together = await Promise.all(asked.map((t) => s.store.findLink(tokenHash(t))));
  const alone = [];
  for (const t of asked) alone.push(await s.store.findLink(tokenHash(t)));
  assert.equal(together, alone);
  assert.equal(
    together.map((l) => l?.year),
    [2026, 2026, undefined, 2026, 2026],
  );
});

reads('on SQLite the lookups of one turn share one read transaction, and later turns get one of their own', async () => {
  if (onPostgres) return; // PostgreSQL has no synchronous connection to share
  const s = await openSurvey({ units: UNITS });
  const store = s.store as SqliteStore;
  const before = store.counters.readTransactions;
  await Promise.all(s.tokens.slice(0, 3).map((t) => store.findLink(tokenHash(t))));
  assert.is(store.counters.readTransactions - before, 1, 'three lookups of one turn, one transaction');
  await store.findLink(tokenHash(s.tokens[0] as string));
  await store.findLink(tokenHash(s.tokens[1] as string));
  assert.is(store.counters.readTransactions - before, 3, 'one more for each later turn');
});

reads('a lookup never joins a transaction another request has open: it waits and sees what was committed', async () => {
  // (On PostgreSQL a lookup takes another connection of the pool and sees what was committed when it runs.)
  if (onPostgres) return;
  const s = await openSurvey({ units: UNITS });
  const hash = tokenHash(s.tokens[0] as string);
  let pending: ReturnType<typeof s.store.findLink> | undefined;
  const rolledBack = await s.db
    .transaction()
    .execute(async (trx) => {
      await trx.updateTable('round_links').set({ used_on: '2026-03-09' }).where('token_hash', '=', hash).execute();
      pending = s.store.findLink(hash);
      await new Promise((resolve) => setImmediate(resolve)); // the lookup's turn comes while the transaction is open
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('roll back');
    })
    .catch((e: Error) => e.message);
  assert.is(rolledBack, 'roll back');
  assert.is((await pending)?.usedOn, null, 'the rolled-back change was never read');
  await s.db.transaction().execute(async (trx) => {
    await trx.updateTable('round_links').set({ used_on: '2026-03-10' }).where('token_hash', '=', hash).execute();
    pending = s.store.findLink(hash);
    await new Promise((resolve) => setImmediate(resolve));
  });
  assert.is((await pending)?.usedOn, '2026-03-10', 'the committed change is read after the commit');
});

reads.run();
