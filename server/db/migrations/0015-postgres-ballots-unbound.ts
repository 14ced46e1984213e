import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Frozen in time: never import app code here.

/**
 * PostgreSQL only: the tables of ballots lose their foreign key to `rounds`, and the view's trigger checks the round
 * instead. With the key, every ballot locked its round's row (the key's check), and a mixing pass, dropping the
 * old tables, had to lock all of `rounds` exclusively while it held the ballots' lock: a ballot that had read its
 * round and was waiting for the ballots' lock closed a circle, and the pass gave up and tried again, holding the
 * ballots up each time. Rounds are never deleted, and every ballot takes its round from a row that exists.
 */
const TABLES = ['ballots_mixed', 'ballot_inbox', 'ballot_inbox_moving'];

export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  for (const table of TABLES) {
    await sql`alter table if exists ${sql.table(table)} drop constraint if exists ballots_round_id_fkey`.execute(db);
  }
  await inboxTrigger(db, true);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await inboxTrigger(db, false);
  for (const table of TABLES) {
    const found = await sql<{ found: boolean }>`select to_regclass(${table}) is not null as found`.execute(db);
    if (found.rows[0]?.found !== true) continue;
    await sql`alter table ${sql.table(table)}
      add constraint ballots_round_id_fkey foreign key (round_id) references rounds (id) on delete cascade`.execute(db);
  }
}

/** The trigger function of migration 0013, with (up) or without (down) its check of the round. */
async function inboxTrigger(db: Kysely<any>, checksRound: boolean): Promise<void> {
  const roundCheck = checksRound
    ? sql`if not exists (select 1 from rounds where id = new.round_id) then
        raise foreign_key_violation using message = 'insert or update on table "ballots" violates foreign key constraint "ballots_round_id_fkey"';
      end if;`
    : sql``;
  await sql`
    create or replace function pingyi_ballot_inbox() returns trigger language plpgsql as $$
    begin
      ${roundCheck}
      if exists (select 1 from ballots where id = new.id) then
        raise unique_violation using message = 'duplicate key value violates unique constraint "ballots_pkey"';
      end if;
      if exists (select 1 from ballots where round_id = new.round_id and receipt = new.receipt) then
        raise unique_violation using message = 'duplicate key value violates unique constraint "ballots_receipt"';
      end if;
      insert into ballot_inbox select new.*;
      return new;
    end $$`.execute(db);
}
