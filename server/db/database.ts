import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { checkpointInBackground } from './checkpointer.js';
import { migrations } from './migrations/index.js';
import type { Database, DB } from './schema.js';

/**
 * Kysely prepares every query anew; better-sqlite3 statements can be reused, and preparing is a large share of a
 * small query's cost. This keeps the last few hundred statements by their SQL text.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = prepare(source);
      if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
      cache.set(source, stmt);
    }
    return stmt;
  }) as typeof sqlite.prepare;
  return sqlite;
}

/**
 * The synchronous connection under a database opened by `openSqlite`, for the hot path that runs its compiled
 * queries in one better-sqlite3 transaction. Narrow on purpose: other dialects have none, so such a path always
 * keeps its Kysely form next to it.
 */
export interface SyncSqlite {
  readonly inTransaction: boolean;
  prepare(sql: string): { run(parameters: readonly unknown[]): { changes: number | bigint } };
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
}

const syncConnections = new WeakMap<Database, SyncSqlite>();

/** The SQLite connection behind `db` when `openSqlite` made it (not a transaction, not another dialect). */
export function syncSqlite(db: Database): SyncSqlite | undefined {
  return syncConnections.get(db);
}

/**
 * Opens (creating if needed) a SQLite database: WAL so readers never wait for the writer, foreign keys on,
 * a busy timeout because the CLI and a running server share the file, and reads through a memory map. A server passes
 * `backgroundCheckpoints` so that WAL checkpoints (page copies and an fsync) run off its event loop; they stop
 * when the database is destroyed.
 */
export function openSqlite(file: string, opts: { backgroundCheckpoints?: boolean } = {}): Database {
  const sqlite = withStatementCache(new SqliteDatabase(file));
  if (file !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  // Reads through a memory map instead of a read() per page missing from SQLite's small page cache: system calls
  // are dear on this kind of virtual machine and every survey request looks a link up in a large index.
  if (file !== ':memory:') sqlite.pragma('mmap_size = 1073741824');
  if (opts.backgroundCheckpoints && file !== ':memory:') {
    sqlite.pragma('wal_autocheckpoint = 0');
    const stop = checkpointInBackground(file, () => sqlite.open && sqlite.pragma('wal_autocheckpoint = 1000'));
    const close = sqlite.close.bind(sqlite);
    sqlite.close = () => {
      stop();
      return close();
    };
  }
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  syncConnections.set(db, sqlite as unknown as SyncSqlite);
  return db;
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
