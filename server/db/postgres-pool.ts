import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import pg from 'pg';

/*
 * The connection pool Kysely uses on PostgreSQL: pg.Pool behind Kysely's own small pool interface, so that every
 * failure that means "the database cannot answer now" (it is down, restarting, out of connections, or too busy to
 * answer in time) leaves the database layer as one error, DatabaseUnavailable, which the web app answers with 503
 * and Retry-After instead of a 500 or a request that hangs. pg.Pool itself drops a broken connection and opens a
 * fresh one on the next request, so the servers recover by themselves when the database comes back.
 */

/** The database could not answer now; nothing was written. Try again in a few seconds. */
export class DatabaseUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the database is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * SQLSTATEs that mean the server cannot serve (connection exceptions, too many connections, shutting down or
 * starting up) or gave up on a statement that waited too long (statement or lock timeout: saturated).
 */
const UNAVAILABLE_STATES = /^(08...|53300|57P01|57P02|57P03|57014|55P03)$/;
/** Socket errors of the connection to the database. */
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether an error from pg means the database is unavailable rather than that the query was wrong. */
export function isUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || SOCKET_ERRORS.has(code))) return true;
  // pg's own words for a connection lost or never made within connectionTimeoutMillis.
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly/i.test(
    e.message,
  );
}

const unavailable = (e: unknown) => (isUnavailable(e) ? new DatabaseUnavailable(e) : e);

// PostgreSQL's bigint (type 20) is what count(*) returns; SQLite gives a number, so PostgreSQL does too here.
const BIGINT = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === BIGINT ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * The statements each connection prepares once, by their text: the hot path's, run for every form page and ballot.
 * An unnamed statement is parsed and planned on every run, and planning the link lookup (three tables) took
 * PostgreSQL several times as long as running it; a prepared one is planned once per connection and then reused.
 */
const preparedNames = new Map<string, string>();

/** Has every connection prepare `q`'s statement the first time it runs it. Returns `q`. */
export function prepared<Q extends { sql: string }>(q: Q): Q {
  if (!preparedNames.has(q.sql)) preparedNames.set(q.sql, `pingyi_${preparedNames.size + 1}`);
  return q;
}

export interface PoolOptions {
  /** Connections at most (per server process). */
  max?: number;
  /** A statement running longer than this is cancelled (and its request answered 503). */
  statementTimeoutMs?: number;
}

/** Long enough for any administrator's action on a province-sized round; a ballot takes milliseconds. */
const STATEMENT_TIMEOUT_MS = 60_000;
/** How long a request waits for a free connection, or for a new one to open, before it is answered 503. */
const CONNECT_TIMEOUT_MS = 5_000;

export function postgresPool(url: string, opts: PoolOptions = {}): PostgresPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    types,
    allowExitOnIdle: true, // a CLI command or test ends without an explicit close once its queries are done
    idleTimeoutMillis: 5_000,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: opts.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS,
    // A transaction left open (a crashed request) must not hold locks and old row versions for ever.
    idle_in_transaction_session_timeout: 60_000,
  });
  // An idle client whose connection drops (a restart) reports here; the pool replaces it on next use.
  pool.on('error', () => {});
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect().catch((e: unknown) => {
        throw unavailable(e);
      });
      let broken = false;
      return {
        query: ((sql: string | object, parameters?: readonly unknown[]) => {
          if (typeof sql !== 'string') return client.query(sql as never); // a cursor: Kysely streams
          const name = preparedNames.get(sql);
          return (name ? client.query({ name, text: sql, values: parameters as unknown[] }) : client.query(sql, parameters as unknown[])).then(
            (r) => r as unknown as PostgresQueryResult<unknown>,
            (e: unknown) => {
              const mapped = unavailable(e);
              if (mapped instanceof DatabaseUnavailable) broken = true;
              throw mapped;
            },
          );
        }) as PostgresPoolClient['query'],
        // A client whose connection failed is closed rather than handed to the next request.
        release: (destroy?: boolean) => client.release(destroy || broken),
      };
    },
    end: () => pool.end(),
  };
}
