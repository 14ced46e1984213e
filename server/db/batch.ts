import { type Insertable, sql } from 'kysely';
import { dialectOf } from './dialect.js';
import type { DB, Executor } from './schema.js';

/** Bound parameters one SQLite statement may carry (its limit is 32,766). */
const SQLITE_PARAMETERS = 32_000;
/** Rows per PostgreSQL statement: each column goes as one array, so the limit is the statement's size, not its parameters. */
const POSTGRES_ROWS = 50_000;

/**
 * Inserts rows in as few statements as the database allows: a province-sized pool is millions of rows, and each
 * statement is a round trip and a parse. PostgreSQL gets each column as one array (`unnest`), which it parses as a
 * few parameters whatever the number of rows; SQLite, as many rows as its parameter limit allows.
 */
export async function insertInBatches<T extends keyof DB & string>(db: Executor, table: T, rows: readonly Insertable<DB[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as object);
  if (dialectOf(db) === 'sqlite') {
    const size = Math.max(1, Math.floor(SQLITE_PARAMETERS / columns.length));
    for (let i = 0; i < rows.length; i += size) {
      await db
        .insertInto(table)
        .values(rows.slice(i, i + size) as never)
        .execute();
    }
    return;
  }
  for (let i = 0; i < rows.length; i += POSTGRES_ROWS) {
    const chunk = rows.slice(i, i + POSTGRES_ROWS) as Record<string, unknown>[];
    const arrays = columns.map((c) => {
      const values = chunk.map((r) => r[c] ?? null);
      // A column of numbers goes as bigint (assigned to integer columns as is); anything else as text.
      const numeric = values.every((v) => v === null || typeof v === 'number');
      return sql`${values}::${sql.raw(numeric ? 'bigint[]' : 'text[]')}`;
    });
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) select * from unnest(${sql.join(arrays)})`.execute(db);
  }
}
