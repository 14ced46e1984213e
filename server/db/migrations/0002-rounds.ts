import type { Kysely } from 'kysely';

// Frozen in time: never import app code here.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rounds')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('year', 'integer', (c) => c.notNull().unique())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('sample_size', 'integer', (c) => c.notNull())
    .addColumn('scale', 'varchar(16)', (c) => c.notNull())
    .addColumn('points', 'varchar(32)', (c) => c.notNull())
    .addColumn('stratify', 'integer', (c) => c.notNull())
    .addColumn('bottom_scope', 'varchar(16)', (c) => c.notNull())
    .addColumn('min_valid', 'integer', (c) => c.notNull())
    .addColumn('opens_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('closes_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('frozen_at', 'varchar(32)')
    .addColumn('pool_hash', 'varchar(64)')
    .addColumn('public_random', 'text')
    .addColumn('public_random_source', 'text')
    .addColumn('seed', 'varchar(64)')
    .addColumn('drawn_at', 'varchar(32)')
    .addColumn('opened_at', 'varchar(32)')
    .addColumn('closed_at', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  // The frozen pool: who was eligible, as it was at the freeze. Later pool edits never touch it.
  await db.schema
    .createTable('round_pool')
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('code', 'varchar(32)', (c) => c.notNull())
    .addColumn('stratum', 'varchar(50)', (c) => c.notNull())
    .addColumn('district', 'varchar(50)')
    // Who the code stood for at the freeze, so invitations reach the right person even if a code is edited later.
    .addColumn('representative_id', 'varchar(36)', (c) => c.notNull())
    .addPrimaryKeyConstraint('round_pool_pk', ['round_id', 'code'])
    .execute();

  // The frozen units, in the order the form shows their categories.
  await db.schema
    .createTable('round_units')
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('code', 'varchar(32)', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('category', 'varchar(50)', (c) => c.notNull())
    .addColumn('category_position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('round_units_pk', ['round_id', 'code'])
    .execute();

  // The draw's outcome: the sample in drawn order and each stratum's reserves in order.
  await db.schema
    .createTable('round_draw')
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('code', 'varchar(32)', (c) => c.notNull())
    .addColumn('stratum', 'varchar(50)', (c) => c.notNull())
    .addColumn('kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('round_draw_pk', ['round_id', 'code'])
    .execute();

  await db.schema
    .createTable('round_allocation')
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('stratum', 'varchar(50)', (c) => c.notNull())
    .addColumn('pool_count', 'integer', (c) => c.notNull())
    .addColumn('seats', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('round_allocation_pk', ['round_id', 'stratum'])
    .execute();

  await db.schema
    .createTable('round_replacements')
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('out_code', 'varchar(32)', (c) => c.notNull())
    .addColumn('in_code', 'varchar(32)', (c) => c.notNull())
    .addColumn('reason', 'varchar(200)', (c) => c.notNull())
    .addColumn('date', 'varchar(10)', (c) => c.notNull())
    .addPrimaryKeyConstraint('round_replacements_pk', ['round_id', 'seq'])
    .execute();

  // One link per seat holder. Only the SHA-256 of the token is kept: a stolen database cannot vote.
  await db.schema
    .createTable('round_links')
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('code', 'varchar(32)', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('used_on', 'varchar(10)')
    .addColumn('issued_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('round_links_pk', ['round_id', 'code'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['round_links', 'round_replacements', 'round_allocation', 'round_draw', 'round_units', 'round_pool', 'rounds']) {
    await db.schema.dropTable(t).execute();
  }
}
