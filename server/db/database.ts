import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, sql, SqliteDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { checkpointInBackground } from './checkpointer.js';
import { migrations } from './migrations/index.js';
import type { Database, DB } from './schema.js';

/*
 * One schema and one set of queries, two databases: SQLite in DATA_DIR (the default, for one machine) and
 * PostgreSQL when DATABASE_URL is set (for several application servers on one database).
 */

export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

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
  prepare(sql: string): { run(parameters: readonly unknown[]): { changes: number | bigint }; all(parameters: readonly unknown[]): unknown[] };
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
  /** Around a write transaction: see Checkpointer in checkpointer.ts (no-ops without a background checkpointer). */
  aboutToWrite(): void;
  wrote(): void;
}

const syncConnections = new WeakMap<Database, SyncSqlite>();

/** The SQLite connection behind `db` when `openSqlite` made it (not a transaction, not another dialect). */
export function syncSqlite(db: Database): SyncSqlite | undefined {
  return syncConnections.get(db);
}

/**
 * The rows of a compiled read query. On SQLite it runs straight on the better-sqlite3 connection, which is most of
 * a small query's saving on a hot path: Kysely's driver queues each query behind a lock and several promises. Not
 * while a Kysely transaction holds the connection (it may yet roll back what it has written); then, and on other
 * dialects, through Kysely.
 */
export async function readRows<R>(db: Database, query: CompiledQuery): Promise<R[]> {
  const sqlite = syncConnections.get(db);
  if (sqlite && !sqlite.inTransaction) return sqlite.prepare(query.sql).all(query.parameters) as R[];
  return (await db.executeQuery<R>(query)).rows;
}

interface QueuedRead {
  query: CompiledQuery;
  resolve: (rows: unknown[]) => void;
  reject: (e: unknown) => void;
}

const readersTogether = new WeakMap<Database, (query: CompiledQuery) => Promise<unknown[]>>();

/**
 * `readRows` for a hot path's reads. On SQLite the reads asked for in one turn of the event loop run together, in
 * one read transaction: a statement on its own takes and gives back its WAL read lock (two system calls and a look
 * at the shared index), which costs more than the lookup itself in a large index (a link lookup among 100,000:
 * 12.9 µs alone, 7.5 µs in groups of 40). Each read keeps its own result or error. While a Kysely transaction holds
 * the connection, and on other dialects, each read goes through Kysely.
 */
export function readRowsTogether<R>(db: Database, query: CompiledQuery): Promise<R[]> {
  const sqlite = syncConnections.get(db);
  if (!sqlite) return readRows<R>(db, query);
  let read = readersTogether.get(db);
  if (!read) readersTogether.set(db, (read = readerTogether(db, sqlite)));
  return read(query) as Promise<R[]>;
}

function readerTogether(db: Database, sqlite: SyncSqlite): (query: CompiledQuery) => Promise<unknown[]> {
  let queue: QueuedRead[] = [];
  type Result = { ok: true; rows: unknown[] } | { ok: false; error: unknown };
  const readAll = sqlite.transaction((items: QueuedRead[]) =>
    items.map((it): Result => {
      try {
        return { ok: true, rows: sqlite.prepare(it.query.sql).all(it.query.parameters) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  const flush = () => {
    const items = queue;
    queue = [];
    if (sqlite.inTransaction) {
      for (const it of items) readRows(db, it.query).then(it.resolve, it.reject); // through Kysely, as readRows does then
      return;
    }
    let results: Result[];
    try {
      results = readAll(items);
    } catch (error) {
      // The transaction itself failed (it could not begin or end): no read is trusted.
      return items.forEach((it) => it.reject(error));
    }
    items.forEach((it, k) => {
      const r = results[k]!;
      if (r.ok) it.resolve(r.rows);
      else it.reject(r.error);
    });
  };
  return (query) =>
    new Promise((resolve, reject) => {
      if (queue.push({ query, resolve, reject }) === 1) setImmediate(flush);
    });
}

/**
 * Opens (creating if needed) a SQLite database: WAL so readers never wait for the writer, foreign keys on,
 * a busy timeout because the CLI and a running server share the file, freed space zeroed, and reads through a
 * memory map. A server passes `backgroundCheckpoints` so that WAL checkpoints (page copies and an fsync) run off
 * its event loop; they stop when the database is destroyed.
 */
export function openSqlite(file: string, opts: { backgroundCheckpoints?: boolean; longLogFrames?: number } = {}): Database {
  const sqlite = withStatementCache(new SqliteDatabase(file));
  if (file !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  // What a write frees (a link's cell rewritten when it is used, the pages that mixing leaves behind) is overwritten
  // with zeros, and temporary tables and VACUUM's copy stay in memory: neither leaves an earlier state of the
  // ballots or the links readable in a file (survey/mix.ts).
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('temp_store = MEMORY');
  // Reads through a memory map instead of a read() per page missing from SQLite's small page cache: system calls
  // are dear on this kind of virtual machine and every survey request looks a link up in a large index.
  if (file !== ':memory:') sqlite.pragma('mmap_size = 1073741824');
  let hooks = { aboutToWrite() {}, wrote() {} };
  if (opts.backgroundCheckpoints && file !== ':memory:') {
    sqlite.pragma('wal_autocheckpoint = 0');
    const checkpointer = checkpointInBackground(file, () => sqlite.open && sqlite.pragma('wal_autocheckpoint = 1000'), opts.longLogFrames);
    hooks = checkpointer;
    const close = sqlite.close.bind(sqlite);
    sqlite.close = () => {
      checkpointer.stop();
      return close();
    };
  }
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  syncConnections.set(db, Object.assign(sqlite, { aboutToWrite: hooks.aboutToWrite, wrote: hooks.wrote }) as unknown as SyncSqlite);
  return db;
}

// PostgreSQL's bigint (type 20) is what count(*) returns; SQLite gives a number, so PostgreSQL does too here.
const BIGINT = 20;
const pgTypes = { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === BIGINT ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser };

/**
 * A PostgreSQL database through a connection pool. `allowExitOnIdle` lets a CLI command or test end without an
 * explicit close once its queries are done.
 */
export function openPostgres(url: string, opts: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types: pgTypes, allowExitOnIdle: true, idleTimeoutMillis: 5000 });
  // An idle client whose connection drops (server restart) reports here; the pool replaces it on next use.
  pool.on('error', () => {});
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

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
 * The installation's database, migrated: PostgreSQL at `databaseUrl` when it is set, otherwise DATA_DIR/pingyi.db.
 * Shared by the server (`serving`), the CLI, the demo and the benchmarks.
 */
export async function openDatabase(config: { dataDir: string; databaseUrl: string | null }, opts: { serving?: boolean } = {}): Promise<Database> {
  let db: Database;
  if (config.databaseUrl) {
    db = openPostgres(config.databaseUrl);
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    // A server checkpoints SQLite's log in a worker thread, off its event loop; the CLI and tests need not.
    db = openSqlite(join(config.dataDir, 'pingyi.db'), { backgroundCheckpoints: opts.serving });
  }
  try {
    await migrateToLatest(db);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return db;
}

/**
 * A fresh schema of its own in the PostgreSQL database at TEST_DATABASE_URL, as a connection string (null when
 * the variable is unset: tests then run on SQLite).
 */
export async function createTestSchema(): Promise<string | null> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return null;
  const schema = `t_${randomBytes(8).toString('hex')}`;
  const admin = openPostgres(base, { max: 1 });
  try {
    await sql`create schema ${sql.id(schema)}`.execute(admin);
  } finally {
    await admin.destroy();
  }
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/**
 * Where a test keeps its data: a fresh in-memory SQLite database, or with TEST_DATABASE_URL a fresh PostgreSQL
 * schema of its own, so suites running side by side never meet.
 */
export async function openTestDatabase(): Promise<Database> {
  const url = await createTestSchema();
  const db = url ? openPostgres(url, { max: 4 }) : openSqlite(':memory:');
  await migrateToLatest(db);
  return db;
}
