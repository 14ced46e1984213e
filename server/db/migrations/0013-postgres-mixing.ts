import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Frozen in time: never import app code here.

/**
 * PostgreSQL only: ballots arrive in an inbox, so that mixing never holds up a ballot (db/postgres-mixing.ts).
 * The stored ballots move to `ballots_mixed`, written anew here in id order by this one transaction; ballots cast
 * from now on go to `ballot_inbox`; `ballots` becomes a view of both, so every query reads all ballots, and a
 * ballot inserted into the view goes to the inbox by a trigger that first checks its id and receipt against every
 * stored ballot (each table's own unique indexes cover only its rows). A later change to the ballots' columns must
 * be made to both tables and the view. `mixing_state` holds when the last pass began, so that the servers of one
 * database mix once per period between them. SQLite keeps its `ballots` table and mixes by VACUUM.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`create table ballots_mixed (like ballots including defaults including constraints)`.execute(db);
  await sql`insert into ballots_mixed select * from ballots order by id`.execute(db);
  await sql`drop table ballots`.execute(db);
  await addConstraints(db, 'ballots_mixed', 'ballots');
  await sql`create table ballot_inbox (like ballots_mixed including defaults including constraints)`.execute(db);
  await addConstraints(db, 'ballot_inbox', 'inbox_ballots');
  await sql`create view ballots as select * from ballots_mixed union all select * from ballot_inbox`.execute(db);
  await sql`
    create or replace function pingyi_ballot_inbox() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from ballots where id = new.id) then
        raise unique_violation using message = 'duplicate key value violates unique constraint "ballots_pkey"';
      end if;
      if exists (select 1 from ballots where round_id = new.round_id and receipt = new.receipt) then
        raise unique_violation using message = 'duplicate key value violates unique constraint "ballots_receipt"';
      end if;
      insert into ballot_inbox select new.*;
      return new;
    end $$`.execute(db);
  await sql`create trigger ballots_to_inbox instead of insert on ballots for each row execute function pingyi_ballot_inbox()`.execute(db);
  await sql`create table mixing_state (id integer primary key check (id = 1), last_pass_at timestamptz)`.execute(db);
  await sql`insert into mixing_state (id, last_pass_at) values (1, null)`.execute(db);
  // The rewrite above has mixed every ballot: nothing the former passes left to compact is still to be done.
  await sql`delete from mixing_pending`.execute(db);
}

/** The key, the receipt's uniqueness in its round and the round, under the names `prefix`_pkey and `prefix`_receipt. */
async function addConstraints(db: Kysely<any>, table: string, prefix: string): Promise<void> {
  await sql`alter table ${sql.table(table)}
    add constraint ${sql.id(`${prefix}_pkey`)} primary key (id),
    add constraint ${sql.id(`${prefix}_receipt`)} unique (round_id, receipt),
    add constraint ballots_round_id_fkey foreign key (round_id) references rounds (id) on delete cascade`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`drop table mixing_state`.execute(db);
  await sql`create table ballots_all (like ballots_mixed including defaults including constraints)`.execute(db);
  await sql`insert into ballots_all select * from ballots order by id`.execute(db);
  await sql`drop view ballots`.execute(db);
  await sql`drop function pingyi_ballot_inbox()`.execute(db);
  await sql`drop table ballot_inbox`.execute(db);
  await sql`drop table if exists ballot_inbox_moving`.execute(db);
  await sql`drop table if exists ballot_inbox_next`.execute(db);
  await sql`drop table if exists ballots_next`.execute(db);
  await sql`drop table ballots_mixed`.execute(db);
  await sql`alter table ballots_all rename to ballots`.execute(db);
  await sql`alter table ballots
    add constraint ballots_pkey primary key (id),
    add constraint ballots_receipt unique (round_id, receipt),
    add constraint ballots_round_id_fkey foreign key (round_id) references rounds (id) on delete cascade`.execute(db);
}
