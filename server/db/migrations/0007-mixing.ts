import type { Kysely } from 'kysely';

// Frozen in time: never import app code here.

/**
 * The tables a mixing pass on PostgreSQL has rewritten but not yet compacted (see survey/mix.ts): a row is written
 * in the same transaction as the rewrite and deleted in the one that compacts the table, so a compaction that
 * fails or never runs is done by the next pass, whichever server runs it. SQLite keeps the table empty.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mixing_pending')
    .addColumn('table_name', 'varchar(64)', (c) => c.primaryKey())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mixing_pending').execute();
}
