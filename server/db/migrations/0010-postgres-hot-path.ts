import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Frozen in time: never import app code here.

/**
 * PostgreSQL only, for the hot path (db/postgres-store.ts). Casting a ballot in one round trip. The function takes the writer lock shared (as every ballot
 * does, so that none is cast while an administrator's change such as closing the round is under way), marks the link
 * used if it is an active, unused link of an open round (each statement here sees what was committed before it ran,
 * so after the lock), and only then stores the ballot, whose columns come from `ballot` by name (a column added
 * later needs no new function). It returns 1 for a stored ballot, 0 for a used or closed link. SQLite casts on its
 * own connection and needs none.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`
    create or replace function pingyi_cast(p_token_hash text, p_used_on text, p_ballot jsonb) returns integer
    language plpgsql as $$
    declare
      r text;
    begin
      perform pg_advisory_xact_lock_shared(7140330);
      update round_links set used_on = p_used_on
        where token_hash = p_token_hash and active = 1 and used_on is null
          and round_id in (select id from rounds where status = 'open')
        returning round_id into r;
      if r is null then
        return 0;
      end if;
      insert into ballots select * from jsonb_populate_record(null::ballots, p_ballot || jsonb_build_object('round_id', r));
      return 1;
    end $$`.execute(db);
  // Every server keeps the published results' head in memory and forgets it when told that anything was published,
  // by whichever server or command: a notification is sent when the publishing transaction commits.
  await sql`
    create or replace function pingyi_notify_published() returns trigger language plpgsql as $$
    begin
      perform pg_notify('pingyi_published', new.round_id);
      return null;
    end $$`.execute(db);
  await sql`create trigger published_results_notify after insert on published_results for each row execute function pingyi_notify_published()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`drop trigger if exists published_results_notify on published_results`.execute(db);
  await sql`drop function if exists pingyi_notify_published()`.execute(db);
  await sql`drop function if exists pingyi_cast(text, text, jsonb)`.execute(db);
}
