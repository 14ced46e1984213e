// Looking at a database from the outside, the same way on SQLite and PostgreSQL: which tables and columns there
// are, and every row as text. Used by the tests that prove what is (and is not) stored.
import { sql } from 'kysely';
import { dialectOf } from '../server/db/dialect.js';
import type { Database } from '../server/db/schema.js';

/** The tables of the database (of the current schema on PostgreSQL), in name order. */
export async function tableNames(db: Database): Promise<string[]> {
  const rows =
    dialectOf(db) === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/**
 * The tables that hold the ballots: `ballots` itself on SQLite; on PostgreSQL the tables behind the view `ballots`
 * (the mixed ballots and the inbox, migration 0013), in name order.
 */
export async function ballotTables(db: Database): Promise<string[]> {
  if (dialectOf(db) === 'sqlite') return ['ballots'];
  const rows = await sql<{ name: string }>`select table_name as name from information_schema.view_table_usage
    where view_schema = current_schema() and view_name = 'ballots' order by table_name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** A table's column names, in name order. */
export async function columnNames(db: Database, table: string): Promise<string[]> {
  const rows =
    dialectOf(db) === 'sqlite'
      ? await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)
      : await sql<{ name: string }>`select column_name as name from information_schema.columns
          where table_schema = current_schema() and table_name = ${table}`.execute(db);
  return rows.rows.map((r) => r.name).sort();
}

/** The tables that `table` refers to by foreign key. */
export async function referencedTables(db: Database, table: string): Promise<string[]> {
  const rows =
    dialectOf(db) === 'sqlite'
      ? await sql<{ name: string }>`select "table" as name from pragma_foreign_key_list(${table})`.execute(db)
      : await sql<{ name: string }>`select ccu.table_name as name
          from information_schema.table_constraints tc
          join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.constraint_schema = tc.constraint_schema
          where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema() and tc.table_name = ${table}`.execute(db);
  return [...new Set(rows.rows.map((r) => r.name))].sort();
}

/** The columns that the indexes of `table` cover (primary key and unique constraints included). */
export async function indexedColumns(db: Database, table: string): Promise<string[]> {
  const rows =
    dialectOf(db) === 'sqlite'
      ? await sql<{ name: string }>`select ii.name from pragma_index_list(${table}) il join pragma_index_info(il.name) ii`.execute(db)
      : await sql<{ name: string }>`select a.attname as name from pg_index i
          join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
          join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey)
          where n.nspname = current_schema() and c.relname = ${table}`.execute(db);
  return [...new Set(rows.rows.map((r) => r.name))].sort();
}

/**
 * Every row of every table except `skip` (`ballots` stands for every table of ballots), one line per row (`table value | value …`), lines sorted: the text
 * changes exactly when the stored data does, whatever order a database happens to return rows in.
 */
export async function dumpDatabase(db: Database, skip: readonly string[] = []): Promise<string> {
  const out: string[] = [];
  const skipped = skip.includes('ballots') ? [...skip, ...(await ballotTables(db))] : skip;
  for (const name of await tableNames(db)) {
    if (skipped.includes(name)) continue;
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
    for (const row of rows.rows)
      out.push(
        `${name} ${Object.values(row)
          .map((v) => String(v))
          .join(' | ')}`,
      );
  }
  return out.sort().join('\n');
}

/**
 * Catches every insert, update and delete on `tables` as it happens, by triggers that record it in a side table
 * (a write that is rolled back takes its record with it). `take()` returns what was written since the last call.
 */
export async function watchWrites(db: Database, tables: readonly string[]): Promise<{ take(): Promise<{ tbl: string; op: string }[]> }> {
  if (dialectOf(db) === 'sqlite') {
    // Temporary objects live on this connection only, which is the one the app uses.
    await sql`create temp table watched_writes (tbl text, op text)`.execute(db);
    for (const table of tables) {
      for (const op of ['insert', 'update', 'delete']) {
        await sql
          .raw(`create temp trigger "watch_${table}_${op}" after ${op} on main."${table}" begin insert into watched_writes values ('${table}', '${op}'); end`)
          .execute(db);
      }
    }
  } else {
    await sql`create table watched_writes (tbl text, op text)`.execute(db);
    await sql`create function watch_write() returns trigger language plpgsql as $$
      begin insert into watched_writes values (tg_table_name, lower(tg_op)); return null; end $$`.execute(db);
    for (const table of tables) {
      await sql.raw(`create trigger "watch_${table}" after insert or update or delete on "${table}" for each row execute function watch_write()`).execute(db);
    }
  }
  return {
    async take() {
      const rows = (await sql<{ tbl: string; op: string }>`select tbl, op from watched_writes`.execute(db)).rows;
      if (rows.length) await sql`delete from watched_writes`.execute(db);
      return rows;
    },
  };
}
