import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Frozen in time: never import app code here.

/**
 * Paper ballots (纸质测评票). A seat answering on paper is flagged on its link, which then takes no ballot online
 * (the flag travels with the link when it is re-issued). Serials are recorded per round with the stratum of the
 * batch they were printed in, and nothing about who received which. An entry is one administrator's typing of a
 * returned sheet; entries are deleted once two agree and the ballot is stored in `ballots` like any other. On
 * PostgreSQL the one-round-trip cast learns to refuse a seat on paper.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('round_links')
    .addColumn('paper', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('paper_serials')
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('serial', 'varchar(16)', (c) => c.notNull())
    .addColumn('stratum', 'varchar(50)', (c) => c.notNull())
    .addColumn('batch', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_serials_pk', ['round_id', 'serial'])
    .execute();
  await db.schema
    .createTable('paper_entries')
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('serial', 'varchar(16)', (c) => c.notNull())
    .addColumn('admin_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('answers', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_entries_pk', ['round_id', 'serial', 'admin_id'])
    .execute();
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await castFunction(db, 'and paper = 0');
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) await castFunction(db, '');
  await db.schema.dropTable('paper_entries').execute();
  await db.schema.dropTable('paper_serials').execute();
  await db.schema.alterTable('round_links').dropColumn('paper').execute();
}

/** pingyi_cast as migration 0010 made it, with one more condition on the link (migration 0017's down puts it back). */
export async function castFunction(db: Kysely<any>, extra: string): Promise<void> {
  await sql`
    create or replace function pingyi_cast(p_token_hash text, p_used_on text, p_ballot jsonb) returns integer
    language plpgsql as $$
    declare
      r text;
    begin
      perform pg_advisory_xact_lock_shared(7140330);
      update round_links set used_on = p_used_on
        where token_hash = p_token_hash and active = 1 and used_on is null ${sql.raw(extra)}
          and round_id in (select id from rounds where status = 'open')
        returning round_id into r;
      if r is null then
        return 0;
      end if;
      insert into ballots select * from jsonb_populate_record(null::ballots, p_ballot || jsonb_build_object('round_id', r));
      return 1;
    end $$`.execute(db);
}
