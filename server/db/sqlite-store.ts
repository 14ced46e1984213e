import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { checkpointInBackground, LONG_LOG_FRAMES, type Checkpointer } from './checkpointer.js';
import type { DB } from './schema.js';
import {
  acceptsBallot,
  castQueries,
  compileHotQueries,
  headOf,
  withParams,
  type BallotRow,
  type CastOutcome,
  type LinkRow,
  type RoundUnitRow,
  type Store,
} from './store.js';

/*
 * The store on SQLite. Kysely runs each query as a separate awaited step behind a lock, and a transaction as several
 * such steps; on the hot path that cost more than the statements themselves. So the hot path runs its compiled
 * queries straight on the better-sqlite3 connection, synchronously: the link lookups asked for in one turn of the
 * event loop in one read transaction, and the ballots that arrive close together in one write transaction (group
 * commit). Never while a Kysely transaction holds the connection (it may yet roll back): then, through Kysely.
 */

export interface SqliteStoreOptions {
  /** A server's: WAL checkpoints in a worker thread, off the event loop (checkpointer.ts). */
  serving?: boolean;
  /** The checkpointer's long-log limit, in pages (tests use a smaller one). */
  longLogFrames?: number;
  /** Milliseconds on a monotonic clock, for group commit's hold (tests hold it still). */
  now?: () => number;
}

/** A group waits for more ballots for at most this long after its first turn of the event loop... */
const GROUP_HOLD_MS = 3;
/** ...and stops waiting once it has this many, to keep each commit's stall of the event loop short. */
const GROUP_MAX = 64;

/**
 * Opens (creating if needed) a SQLite database: WAL so readers never wait for the writer, foreign keys on, a busy
 * timeout because the CLI and a running server share the file, freed space zeroed and temporary data in memory (so no
 * earlier state of a ballot or a link stays readable in a file), and reads through a memory map.
 */
export function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): SqliteStore {
  const conn = new SqliteDatabase(file);
  const onDisk = file !== ':memory:';
  if (onDisk) conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = NORMAL');
  conn.pragma('foreign_keys = ON');
  conn.pragma('busy_timeout = 10000');
  conn.pragma('secure_delete = ON');
  conn.pragma('temp_store = MEMORY');
  // Every survey request looks a link up in a large index; system calls are dear on a virtual machine.
  if (onDisk) conn.pragma('mmap_size = 1073741824');
  let checkpointer: Checkpointer | undefined;
  if (opts.serving && onDisk) {
    conn.pragma('wal_autocheckpoint = 0');
    checkpointer = checkpointInBackground(file, () => conn.open && conn.pragma('wal_autocheckpoint = 1000'), opts.longLogFrames ?? LONG_LOG_FRAMES);
  }
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: conn }) });
  return new SqliteStore(conn, db, checkpointer, opts.now ?? (() => performance.now()));
}

/** How the fast path batched its work so far: read transactions and write commits (tests and diagnostics). */
export interface SqliteCounters {
  readTransactions: number;
  commits: number;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Queued<T> {
  run: () => T;
  resolve: (value: T) => void;
  reject: (e: unknown) => void;
}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly counters: SqliteCounters = { readTransactions: 0, commits: 0 };
  private readonly q;
  private readonly statements = new Map<string, SqliteDatabase.Statement>();
  private reads: (Queued<unknown[]> & { query: CompiledQuery })[] = [];
  private casts: (Queued<boolean> & { mark: CompiledQuery; insert: CompiledQuery })[] = [];
  private groupStarted: number | undefined;
  private groupSeen = 0;

  constructor(
    private readonly conn: SqliteDatabase.Database,
    readonly db: Kysely<DB>,
    private readonly checkpointer: Checkpointer | undefined,
    private readonly now: () => number,
  ) {
    this.q = compileHotQueries(db);
  }

  /** A statement prepared once per store; the hot path's SQL is a handful of texts. */
  private statement(sql: string): SqliteDatabase.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.conn.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  async findLink(tokenHash: string): Promise<LinkRow | undefined> {
    return (await this.readTogether<LinkRow>(withParams(this.q.link, [tokenHash])))[0];
  }

  async findLinkByCode(codeHash: string): Promise<LinkRow | undefined> {
    return (await this.readTogether<LinkRow>(withParams(this.q.linkByCode, [codeHash])))[0];
  }

  roundUnits(roundId: string): Promise<RoundUnitRow[]> {
    return this.read<RoundUnitRow>(withParams(this.q.units, [roundId]));
  }

  async publishedHead(roundId: string) {
    return headOf((await this.readTogether<{ latest: unknown; stamp: unknown }>(withParams(this.q.publishedHead, [roundId])))[0]);
  }

  /** One read on the connection, or through Kysely while a Kysely transaction holds it. */
  private async read<R>(query: CompiledQuery): Promise<R[]> {
    if (!this.conn.inTransaction) return this.statement(query.sql).all(...query.parameters) as R[];
    return (await this.db.executeQuery<R>(query)).rows;
  }

  /**
   * The reads asked for in one turn of the event loop run in one read transaction: on its own, each statement takes
   * and gives back the WAL's read lock, which costs more than a lookup in a large index. Each read keeps its own
   * rows or error.
   */
  private readTogether<R>(query: CompiledQuery): Promise<R[]> {
    return new Promise<unknown[]>((resolve, reject) => {
      const run = () => this.statement(query.sql).all(...query.parameters);
      if (this.reads.push({ query, run, resolve, reject }) === 1) setImmediate(() => this.flushReads());
    }) as Promise<R[]>;
  }

  private flushReads(): void {
    const items = this.reads;
    this.reads = [];
    if (this.conn.inTransaction) {
      // A Kysely transaction holds the connection: each read waits for it through Kysely, as `read` does.
      for (const it of items) this.db.executeQuery(it.query).then((r) => it.resolve(r.rows as unknown[]), it.reject);
      return;
    }
    let results: Outcome<unknown[]>[];
    try {
      this.counters.readTransactions++;
      results = this.conn.transaction(() => items.map((it) => attempt(it.run)))();
    } catch (error) {
      // The transaction itself failed (it could not begin or end): no read is trusted.
      for (const it of items) it.reject(error);
      return;
    }
    for (const [k, it] of items.entries()) settle(it, results[k] as Outcome<unknown[]>);
  }

  async castBallot(tokenHash: string, usedOn: string, ballot: BallotRow): Promise<CastOutcome> {
    const { mark, insert } = castQueries(this.q, tokenHash, usedOn, ballot);
    const cast = await new Promise<boolean>((resolve, reject) => {
      const run = () => this.castOne(mark, insert);
      if (this.casts.push({ run, mark, insert, resolve, reject }) === 1) {
        this.groupStarted = undefined;
        this.groupSeen = 0;
        setImmediate(() => this.groupTurn());
      }
    });
    return cast ? 'cast' : 'used';
  }

  /** On SQLite a lookup costs no round trip, so the link is looked up and checked here, then cast as usual. */
  async castStraight(tokenHash: string, usedOn: string, at: string, ballot: Omit<BallotRow, 'stratum'>): Promise<'cast' | 'refused'> {
    const link = await this.findLink(tokenHash);
    if (!link || link.roundId !== ballot.roundId || link.paper || !acceptsBallot(link, Date.parse(at))) return 'refused';
    return (await this.castBallot(tokenHash, usedOn, { ...ballot, stratum: link.stratum })) === 'cast' ? 'cast' : 'refused';
  }

  private castOne(mark: CompiledQuery, insert: CompiledQuery): boolean {
    if (Number(this.statement(mark.sql).run(...mark.parameters).changes) !== 1) return false;
    this.statement(insert.sql).run(...insert.parameters);
    return true;
  }

  /**
   * Group commit: ballots that arrive close together are cast in one transaction, each still guarded by its own
   * "mark this link used if it is unused". A group is open for one turn of the event loop, and for one more each time
   * the last turn brought it ballots (at most GROUP_HOLD_MS from its first turn, GROUP_MAX ballots): under load
   * ballots keep arriving for a while after the previous group's answers went out, and a group closed too early
   * leaves them to wait for the whole of the next one. Nobody is answered before the commit.
   */
  private groupTurn(): void {
    const now = this.now();
    this.groupStarted ??= now;
    if (this.casts.length > this.groupSeen && this.casts.length < GROUP_MAX && now - this.groupStarted < GROUP_HOLD_MS) {
      this.groupSeen = this.casts.length;
      setImmediate(() => this.groupTurn());
    } else this.flushCasts();
  }

  private flushCasts(): void {
    const items = this.casts;
    this.casts = [];
    if (this.conn.inTransaction) {
      // Never nested in a transaction another request has open (its rollback would take the ballots with it).
      for (const it of items) this.castThroughKysely(it.mark, it.insert).then(it.resolve, it.reject);
      return;
    }
    this.checkpointer?.aboutToWrite();
    try {
      const cast = this.conn.transaction(() => items.map((it) => it.run()))();
      for (const [k, it] of items.entries()) it.resolve(cast[k] as boolean);
    } catch {
      // The group failed as a whole (a receipt that collides, say): each ballot again on its own, so one ballot's
      // failure stays its own.
      for (const it of items)
        settle(
          it,
          attempt(() => this.conn.transaction(it.run)()),
        );
    }
    this.counters.commits++;
    this.checkpointer?.wrote();
  }

  private async castThroughKysely(mark: CompiledQuery, insert: CompiledQuery): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (Number((await trx.executeQuery(mark)).numAffectedRows ?? 0) !== 1) return false;
      await trx.executeQuery(insert);
      return true;
    });
  }

  /**
   * A VACUUM writes the whole database anew from its contents (each table and index in key order, pages numbered in
   * that order, nothing freed left over); a TRUNCATE checkpoint then copies the log into the database and empties
   * it. The files are then the same whatever order the ballots came in. Runs while it holds Kysely's connection, so
   * no Kysely transaction is open, and without a pause, so group commit never writes in the middle of it.
   */
  async mix(): Promise<number> {
    const count = await this.db.connection().execute(async () => {
      if (this.conn.inTransaction) throw new Error('a transaction is open on the connection');
      const [row] = this.conn.prepare('select count(*) as n from ballots').all() as { n: number }[];
      this.conn.exec('vacuum');
      return row?.n ?? 0;
    });
    await this.emptyLog();
    return count;
  }

  /**
   * A TRUNCATE checkpoint does not wait for one already running (the checkpointer's, another process's), so it is
   * tried again for a few seconds, letting other queries run in between.
   */
  private async emptyLog(): Promise<void> {
    for (let waitMs = 1; ; waitMs *= 2) {
      const busy = await this.db.connection().execute(async () => (this.conn.pragma('wal_checkpoint(truncate)') as { busy: number }[])[0]?.busy === 1);
      if (!busy) break;
      if (waitMs > 4096) throw new Error('the WAL could not be emptied (other connections kept checkpointing or reading); it still holds earlier pages');
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    this.checkpointer?.wrote(); // the checkpointer learns that the log is empty
  }

  async destroy(): Promise<void> {
    // The worker's connection first, so that this one is the last to close and leaves no log behind.
    this.checkpointer?.stop();
    await this.db.destroy();
  }
}

function attempt<T>(run: () => T): Outcome<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

function settle<T>(it: { resolve: (v: T) => void; reject: (e: unknown) => void }, r: Outcome<T>): void {
  if (r.ok) it.resolve(r.value);
  else it.reject(r.error);
}
