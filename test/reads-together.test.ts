// readRowsTogether (server/db/database.ts), the hot path's reads: on SQLite the reads of one turn of the event loop
// share one read transaction, yet each gets its own rows or its own error, and none ever runs inside a transaction
// another request has open. On PostgreSQL each read simply goes through Kysely.
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDatabase, readRows, readRowsTogether, syncSqlite } from '../server/db/database.js';
import type { Database } from '../server/db/schema.js';

const reads = suite('reads together');

async function withTable(body: (db: Database) => Promise<void>): Promise<void> {
  const db = await openTestDatabase();
  try {
    await sql`create table t (k integer primary key, v text not null)`.execute(db);
    await sql`insert into t (k, v) values (1, 'one'), (2, 'two'), (3, 'three')`.execute(db);
    await body(db);
  } finally {
    await db.destroy();
  }
}

reads('reads asked for in one turn each get their own rows, the same as one by one', async () => {
  await withTable(async (db) => {
    const compile = (k: number) => sql<{ v: string }>`select v from t where k = ${k}`.compile(db);
    const together = await Promise.all([1, 2, 3, 4, 2].map((k) => readRowsTogether<{ v: string }>(db, compile(k))));
    const alone: { v: string }[][] = [];
    for (const k of [1, 2, 3, 4, 2]) alone.push(await readRows<{ v: string }>(db, compile(k)));
    assert.equal(together, alone);
    assert.equal(together.map((rows) => rows.map((r) => r.v)), [['one'], ['two'], ['three'], [], ['two']]);
  });
});

reads('on SQLite the reads of one turn share one transaction, and later turns get one of their own', async () => {
  if (process.env.TEST_DATABASE_URL) return; // PostgreSQL has no synchronous connection to share
  await withTable(async (db) => {
    const conn = syncSqlite(db)!;
    let transactions = 0;
    const transaction = conn.transaction.bind(conn);
    conn.transaction = ((fn: (...args: never[]) => unknown) => {
      const run = transaction(fn);
      return ((...args: never[]) => {
        transactions++;
        return run(...args);
      }) as never;
    }) as typeof conn.transaction;
    const q = sql<{ v: string }>`select v from t where k = ${1}`.compile(db);
    await Promise.all([1, 2, 3].map(() => readRowsTogether(db, q)));
    assert.is(transactions, 1, 'three reads of one turn, one transaction');
    await readRowsTogether(db, q);
    await readRowsTogether(db, q);
    assert.is(transactions, 3, 'one more for each later turn');
  });
});

reads('a read that fails fails alone', async () => {
  await withTable(async (db) => {
    const good = sql<{ v: string }>`select v from t where k = ${3}`.compile(db);
    const bad = sql`select v from no_such_table where k = ${1}`.compile(db);
    const [a, b, c] = await Promise.allSettled([readRowsTogether(db, good), readRowsTogether(db, bad), readRowsTogether(db, good)]);
    assert.equal(a, { status: 'fulfilled', value: [{ v: 'three' }] });
    assert.is(b.status, 'rejected');
    assert.match(String((b as PromiseRejectedResult).reason), /no_such_table/);
    assert.equal(c, { status: 'fulfilled', value: [{ v: 'three' }] });
  });
});

reads('a read never joins a transaction another request has open: it waits and sees what was committed', async () => {
  // (On PostgreSQL a read takes another connection of the pool and sees what was committed when it runs.)
  if (process.env.TEST_DATABASE_URL) return;
  await withTable(async (db) => {
    const q = sql<{ v: string }>`select v from t where k = ${9}`.compile(db);
    let pending: Promise<{ v: string }[]> | undefined;
    const rolledBack = await db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into t (k, v) values (9, 'rolled back')`.execute(trx);
        pending = readRowsTogether<{ v: string }>(db, q);
        await new Promise((resolve) => setImmediate(resolve)); // the read's turn comes while the transaction is open
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('roll back');
      })
      .catch((e: Error) => e.message);
    assert.is(rolledBack, 'roll back');
    assert.equal(await pending, [], 'the rolled-back row was never read');
    await db.transaction().execute(async (trx) => {
      await sql`insert into t (k, v) values (9, 'nine')`.execute(trx);
      pending = readRowsTogether<{ v: string }>(db, q);
      await new Promise((resolve) => setImmediate(resolve));
    });
    assert.equal(await pending, [{ v: 'nine' }], 'the committed row is read after the commit');
  });
});

reads.run();
