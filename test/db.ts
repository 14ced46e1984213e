// Where tests keep their data. On a plain `npm test` run, SQLite in memory; with TEST_DATABASE_URL (the PostgreSQL
// pass of `npm test`, see scripts/test.ts), a fresh schema of the test's own in that database, so suites running
// side by side never meet.
import { createSchema, migrateToLatest } from '../server/db/database.js';
import { openPostgresStore } from '../server/db/postgres-store.js';
import { openSqliteStore, type SqliteStoreOptions } from '../server/db/sqlite-store.js';
import type { Store } from '../server/db/store.js';

/** A connection string to a fresh schema of its own on the test run's PostgreSQL server; null on a SQLite run. */
export async function createTestSchema(): Promise<string | null> {
  const base = process.env.TEST_DATABASE_URL;
  return base ? createSchema(base) : null;
}

export const onPostgres = !!process.env.TEST_DATABASE_URL;

/** The SQLite store's options, and the size of the pool on PostgreSQL (4 connections unless told). */
export type TestStoreOptions = SqliteStoreOptions & { postgresPool?: number };

/** A fresh, migrated store: in-memory SQLite, or a PostgreSQL schema of its own on a PostgreSQL run. */
export async function openTestStore(opts: TestStoreOptions = {}): Promise<Store> {
  const url = await createTestSchema();
  const { postgresPool, ...sqlite } = opts;
  const store = url ? openPostgresStore(url, { max: postgresPool ?? 4 }) : openSqliteStore(':memory:', sqlite);
  await migrateToLatest(store.db);
  return store;
}
