import type { Kysely } from 'kysely';

// Frozen in time: never import app code here.

/**
 * Login attempts are now counted before the password is checked, and wrong setup links are counted too: `kind`
 * tells the two apart ('login' or 'setup'), so that neither limit counts the other's rows. Rows kept so far were
 * failed logins.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('login_failures')
    .addColumn('kind', 'varchar(8)', (c) => c.notNull().defaultTo('login'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('login_failures').where('kind', '<>', 'login').execute();
  await db.schema.alterTable('login_failures').dropColumn('kind').execute();
}
