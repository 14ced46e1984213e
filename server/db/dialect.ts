import { PostgresAdapter, type Kysely } from 'kysely';

/*
 * One schema and one set of queries, two databases: SQLite in DATA_DIR (the default, for one machine) and
 * PostgreSQL when DATABASE_URL is set (for several application servers on one database).
 */
export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
