import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { mixPostgres } from './postgres-mixing.js';
import type { DB } from './schema.js';
import { castQueries, compileHotQueries, headOf, withParams, type BallotRow, type CastOutcome, type LinkRow, type RoundUnitRow, type Store } from './store.js';
import { WRITER_LOCK } from './transaction.js';

// PostgreSQL's bigint (type 20) is what count(*) returns; SQLite gives a number, so PostgreSQL does too here.
const BIGINT = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === BIGINT ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Kysely on a PostgreSQL connection pool. `allowExitOnIdle` lets a CLI command or test end without an explicit close
 * once its queries are done.
 */
export function openPostgres(url: string, opts: { max?: number } = {}): Kysely<DB> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types: pgTypes, allowExitOnIdle: true, idleTimeoutMillis: 5000 });
  // An idle client whose connection drops (server restart) reports here; the pool replaces it on next use.
  pool.on('error', () => {});
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/** The store on PostgreSQL: the hot path's compiled queries through Kysely, one transaction per ballot. */
export function openPostgresStore(url: string, opts: { max?: number } = {}): Store {
  return new PostgresStore(openPostgres(url, opts));
}

class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  private readonly q;

  constructor(readonly db: Kysely<DB>) {
    this.q = compileHotQueries(db);
  }

  async findLink(tokenHash: string): Promise<LinkRow | undefined> {
    return (await this.db.executeQuery<LinkRow>(withParams(this.q.link, [tokenHash]))).rows[0];
  }

  async roundUnits(roundId: string): Promise<RoundUnitRow[]> {
    return (await this.db.executeQuery<RoundUnitRow>(withParams(this.q.units, [roundId]))).rows;
  }

  async publishedHead(roundId: string) {
    return headOf((await this.db.executeQuery<{ latest: unknown; stamp: unknown }>(withParams(this.q.publishedHead, [roundId]))).rows[0]);
  }

  /**
   * Ballots take the writer lock shared (transaction.ts): they run side by side, their guard being one atomic update
   * of their own link, but never while an administrator's change, such as closing the round, is under way.
   */
  async castBallot(tokenHash: string, usedOn: string, ballot: BallotRow): Promise<CastOutcome> {
    const { mark, insert } = castQueries(this.q, tokenHash, usedOn, ballot);
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock_shared(${WRITER_LOCK})`.execute(trx);
      if (Number((await trx.executeQuery(mark)).numAffectedRows ?? 0) !== 1) return 'used';
      await trx.executeQuery(insert);
      return 'cast';
    });
  }

  mix(): Promise<number> {
    return mixPostgres(this.db);
  }

  destroy(): Promise<void> {
    return this.db.destroy();
  }
}
