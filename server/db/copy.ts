import { sql } from 'kysely';
import type { Database, DB } from './schema.js';
import { transaction } from './transaction.js';

/**
 * Every table, parents before the tables that refer to them, each with its primary key (the order rows are copied
 * in: ballots and handed comments by their random id, so the copy's layout says nothing about arrival either).
 */
const TABLES: readonly { name: keyof DB; key: readonly string[] }[] = [
  { name: 'admins', key: ['id'] },
  { name: 'admin_sessions', key: ['id'] },
  { name: 'setup_tokens', key: ['id'] },
  { name: 'login_failures', key: ['id'] },
  { name: 'categories', key: ['name'] },
  { name: 'units', key: ['id'] },
  { name: 'representatives', key: ['id'] },
  { name: 'audit_log', key: ['seq'] },
  { name: 'rounds', key: ['id'] },
  { name: 'round_pool', key: ['round_id', 'code'] },
  { name: 'round_units', key: ['round_id', 'code'] },
  { name: 'round_draw', key: ['round_id', 'code'] },
  { name: 'round_allocation', key: ['round_id', 'stratum'] },
  { name: 'round_replacements', key: ['round_id', 'seq'] },
  { name: 'round_links', key: ['round_id', 'code'] },
  { name: 'ballots', key: ['id'] },
  { name: 'published_results', key: ['round_id', 'version'] },
  { name: 'mixing_pending', key: ['table_name'] },
  { name: 'unit_comments', key: ['id'] },
  { name: 'rectification_items', key: ['id'] },
  { name: 'rectification_updates', key: ['item_id', 'seq'] },
  { name: 'measures', key: ['round_id', 'unit_code'] },
  { name: 'paper_serials', key: ['round_id', 'serial'] },
  { name: 'paper_entries', key: ['round_id', 'serial', 'admin_id'] },
];

const BATCH = 500;

/** A copy refused before anything was written, for a reason the user can act on. */
export class CopyRefused extends Error {}

async function countOf(db: Database, table: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export interface CopiedTable {
  table: string;
  rows: number;
}

/**
 * Copies every row of every table from one migrated database into another, empty one, in one transaction on the
 * target: it ends with all of it or nothing. The source is read inside one transaction too, so a server still
 * writing to it cannot make the copy inconsistent. Afterwards the row counts of both are compared table by table.
 */
export async function copyDatabase(from: Database, to: Database): Promise<CopiedTable[]> {
  for (const { name } of TABLES) {
    const n = await countOf(to, name);
    if (n > 0) throw new CopyRefused(`the target database is not empty (${name} holds ${n} rows); copy into a new, empty database`);
  }
  const copied = await from.transaction().execute((source) =>
    transaction(to, async (target) => {
      const done: CopiedTable[] = [];
      for (const { name, key } of TABLES) {
        let rows = 0;
        for (let offset = 0; ; offset += BATCH) {
          const batch = await sql<
            Record<string, unknown>
          >`select * from ${sql.table(name)} order by ${sql.join(key.map((k) => sql.ref(k)))} limit ${BATCH} offset ${offset}`.execute(source);
          if (batch.rows.length === 0) break;
          await target
            .insertInto(name)
            .values(batch.rows as never)
            .execute();
          rows += batch.rows.length;
          if (batch.rows.length < BATCH) break;
        }
        done.push({ table: name, rows });
      }
      return done;
    }),
  );
  for (const { table, rows } of copied) {
    const [a, b] = [await countOf(from, table), await countOf(to, table)];
    if (b !== rows || a < rows) throw new Error(`after copying, ${table} holds ${b} rows in the target; ${rows} were copied and the source holds ${a}`);
  }
  return copied;
}

/** The tables a database holds beyond those this version knows (a newer Pingyi made it): refuse to copy then. */
export async function unknownTables(db: Database): Promise<string[]> {
  const known = new Set<string>(TABLES.map((t) => t.name));
  const tables = await db.introspection.getTables();
  return tables.map((t) => t.name).filter((n) => !known.has(n) && !n.startsWith('kysely_'));
}
