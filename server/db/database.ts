import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrations } from './migrations/index.js';
import type { Database, DB } from './schema.js';

/**
 * Opens (creating if needed) a SQLite database: WAL so readers never wait for the writer, foreign keys on,
 * and a busy timeout because the CLI and a running server share the file.
 */
export function openSqlite(file: string): Database {
  const sqlite = new SqliteDatabase(file);
  if (file !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  return new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
}

/** Brings the schema to the newest migration; throws with the migration's name on failure. */
export async function migrateToLatest(db: Database): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? '?'} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A fresh, migrated in-memory database: what every test suite starts from. */
export async function openMemoryDatabase(): Promise<Database> {
  const db = openSqlite(':memory:');
  await migrateToLatest(db);
  return db;
}
