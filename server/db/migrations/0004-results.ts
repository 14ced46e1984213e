import type { Kysely } from 'kysely';

// Frozen in time: never import app code here.

/** Published results: immutable snapshots, one row per version; a correction adds a version. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('published_results')
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('published_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('note', 'text')
    // The exact bytes served at /results/{year}.json, sha256 included.
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('published_results_pk', ['round_id', 'version'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('published_results').execute();
}
