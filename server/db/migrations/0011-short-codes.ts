import type { Kysely } from 'kysely';

// Frozen in time: never import app code here.

/**
 * The 测评码: each link keeps the SHA-256 of its short code beside that of its token, unique so that a code names
 * one seat. The database cannot derive a code (it has no SECRET), so links issued before this column are left empty
 * here and filled by the application, which knows the secret, when it starts (links/code-hashes.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('round_links').addColumn('code_hash', 'varchar(64)').execute();
  await db.schema.createIndex('round_links_code_hash').unique().on('round_links').column('code_hash').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('round_links_code_hash').execute();
  await db.schema.alterTable('round_links').dropColumn('code_hash').execute();
}
