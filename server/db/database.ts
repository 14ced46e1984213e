import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { dialectOf } from './dialect.js';
import { migrations } from './migrations/index.js';
import { openPostgres, openPostgresStore } from './postgres-store.js';
import type { Database } from './schema.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export class DatabaseSetupError extends Error {}

/**
 * Text must sort by bytes, as on SQLite: codes, strata and units are ordered in SQL, and the draw's method is
 * defined in byte order. A database created with another collation is refused with the command that makes a
 * right one.
 */
async function checkPostgres(db: Database): Promise<void> {
  // (The locale provider column exists from PostgreSQL 15 on; read through to_jsonb so older servers work too.)
  const { rows } = await sql<{ collate: string; encoding: string; provider: string | null }>`
    select datcollate as collate, pg_encoding_to_char(encoding) as encoding, to_jsonb(d) ->> 'datlocprovider' as provider
    from pg_database d where datname = current_database()`.execute(db);
  const info = rows[0];
  const byteOrder = ['C', 'POSIX', 'C.UTF-8', 'C.utf8'].includes(info?.collate ?? '') && (info?.provider ?? 'c') === 'c';
  if (!info || !byteOrder || info.encoding !== 'UTF8') {
    const collation = info?.provider === 'i' ? 'an ICU collation' : `collation ${info?.collate ?? '?'}`;
    throw new DatabaseSetupError(
      `The PostgreSQL database has ${collation} and encoding ${info?.encoding ?? '?'}; Pingyi needs the C collation and UTF8 ` +
        `so text sorts by bytes as the published method says. Create it with:\n` +
        `  CREATE DATABASE pingyi TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';`,
    );
  }
}

/** Brings the schema to the newest migration; throws with the migration's name on failure. */
export async function migrateToLatest(db: Database): Promise<void> {
  await migrateTo(db, undefined);
}

/** Brings the schema up or down to the named migration (the newest when undefined); for tests of a migration. */
export async function migrateTo(db: Database, name: string | undefined): Promise<void> {
  let migrationTableSchema: string | undefined;
  if (dialectOf(db) === 'postgres') {
    await checkPostgres(db);
    // Kysely looks for its bookkeeping tables in every schema unless told which; other installations may share
    // the database under schemas of their own.
    migrationTableSchema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema;
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema });
  const { error, results } = await (name === undefined ? migrator.migrateToLatest() : migrator.migrateTo(name));
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? '?'} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The installation's store, migrated: PostgreSQL at `databaseUrl` when it is set, otherwise DATA_DIR/pingyi.db.
 * Shared by the server (`serving`: SQLite's checkpoints then run in a worker thread, PostgreSQL's published heads
 * are kept in memory), the CLI, the demo and the benchmarks.
 */
export async function openStore(
  config: { dataDir: string; databaseUrl: string | null; databasePoolSize?: number },
  opts: { serving?: boolean } = {},
): Promise<Store> {
  let store: Store;
  if (config.databaseUrl) {
    store = openPostgresStore(config.databaseUrl, { max: config.databasePoolSize, serving: opts.serving });
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    store = openSqliteStore(join(config.dataDir, 'pingyi.db'), { serving: opts.serving });
  }
  try {
    await migrateToLatest(store.db);
  } catch (e) {
    await store.destroy();
    throw e;
  }
  return store;
}

/**
 * A fresh schema of its own in the PostgreSQL database at `url`, as a connection string that works in it: for tests
 * and benchmarks that share one server, so that they never meet.
 */
export async function createSchema(url: string): Promise<string> {
  const schema = `t_${randomBytes(8).toString('hex')}`;
  const admin = openPostgres(url, { max: 1 });
  try {
    await sql`create schema ${sql.id(schema)}`.execute(admin);
  } finally {
    await admin.destroy();
  }
  const own = new URL(url);
  own.searchParams.set('options', `-c search_path=${schema}`);
  return own.toString();
}
