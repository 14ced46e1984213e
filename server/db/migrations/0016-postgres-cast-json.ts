import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Frozen in time: never import app code here.

/**
 * PostgreSQL only: `pingyi_cast_many` takes its group of ballots as one JSON array of `[token hash, day, ballot]`
 * instead of three arrays. The driver writes an array parameter by escaping every element in JavaScript, which for
 * ballots of 40 units × 5 items cost the server as much as the rest of a ballot's handling; a JSON document is
 * written by JSON.stringify and read by PostgreSQL's own parser. Each ballot still goes through `pingyi_cast`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await castManyJson(db);
  await sql`drop function pingyi_cast_many(text[], text[], jsonb[])`.execute(db);
}

/** This migration's `pingyi_cast_many`, which migration 0017's down puts back. */
export async function castManyJson(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function pingyi_cast_many(p_items jsonb) returns integer[]
    language plpgsql as $$
    declare
      outcomes integer[] := '{}';
      item jsonb;
    begin
      for item in select e.value from jsonb_array_elements(p_items) with ordinality as e(value, n) order by e.n loop
        outcomes := outcomes || pingyi_cast(item ->> 0, item ->> 1, item -> 2);
      end loop;
      return outcomes;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
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
  await sql`drop function pingyi_cast_many(jsonb)`.execute(db);
}
