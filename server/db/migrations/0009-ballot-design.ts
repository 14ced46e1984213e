import type { Kysely } from 'kysely';

// Frozen in time: never import app code here.

/**
 * The ballot design (several indicators, weights per stratum, reasons for 不满意). A round keeps its design in
 * three JSON columns, null for each part that is the default: existing rounds keep today's ballot. A ballot gains
 * the stratum of the seat it was cast on (for weights and per-stratum figures, and nothing else about the person)
 * and the reasons it ticked; ballots cast before carry neither, as nothing ties them to a seat.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rounds').addColumn('indicators', 'text').execute();
  await db.schema.alterTable('rounds').addColumn('strata_weights', 'text').execute();
  await db.schema.alterTable('rounds').addColumn('reasons', 'text').execute();
  await db.schema.alterTable('ballots').addColumn('stratum', 'varchar(50)').execute();
  // {unitCode: [1-based reason index, …]}: only units with a reason ticked; null when none.
  await db.schema.alterTable('ballots').addColumn('reasons', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ballots').dropColumn('reasons').execute();
  await db.schema.alterTable('ballots').dropColumn('stratum').execute();
  await db.schema.alterTable('rounds').dropColumn('reasons').execute();
  await db.schema.alterTable('rounds').dropColumn('strata_weights').execute();
  await db.schema.alterTable('rounds').dropColumn('indicators').execute();
}
