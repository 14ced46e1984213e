import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Frozen in time: never import app code here.

/**
 * PostgreSQL only: `pingyi_cast_many` casts a group of ballots that arrived together in one statement and one
 * transaction (group commit, db/postgres-store.ts), each through `pingyi_cast` with its own guard, so the rules
 * of a cast stay in one function. It answers 1 (cast) or 0 (link not usable) per ballot, in order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`
    create or replace function pingyi_cast_many(p_token_hashes text[], p_used_on text[], p_ballots jsonb[]) returns integer[]
    language plpgsql as $$
    declare
      outcomes integer[] := '{}';
    begin
      for i in 1 .. coalesce(array_length(p_token_hashes, 1), 0) loop
        outcomes := outcomes || pingyi_cast(p_token_hashes[i], p_used_on[i], p_ballots[i]);
      end loop;
      return outcomes;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`drop function pingyi_cast_many(text[], text[], jsonb[])`.execute(db);
}
