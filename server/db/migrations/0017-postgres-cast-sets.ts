import { type Kysely, SqliteAdapter, sql } from 'kysely';
import { castFunction } from './0012-paper-ballots.js';
import { castManyJson } from './0016-postgres-cast-json.js';

// Frozen in time: never import app code here.

/**
 * PostgreSQL only: `pingyi_cast_many` marks the group's links one by one but checks and stores its ballots with one
 * statement for the whole group, instead of calling `pingyi_cast` for each ballot, which paid for the view's trigger
 * checking the ballot and inserting it again. The rules stay the same: the writer lock taken shared; the links
 * marked in the order of their hashes, so that two groups never wait for each other in a circle; a link marked used
 * only if it is active, unused, not on paper and of an open round; one ballot per link, the first of the group; an
 * id or receipt that clashes with any ballot (the view shows the mixed ballots, the inbox and the inbox a pass set
 * aside) fails the group. A group's ballots go into the inbox in the order of their random ids, not in the order of
 * their links. The statements are planned once per connection: their plans (lookups by key) do not depend on the
 * values. A ballot alone is a group of one, and `pingyi_cast` goes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await castSets(db);
  await sql`drop function pingyi_cast(text, text, jsonb)`.execute(db);
}

/**
 * The end of `pingyi_cast_many`, from the link just marked on (its round in `r`): keep the ballot, and once every
 * link is marked, check and store the group and answer for each item. Migration 0018 ends its version the same way.
 */
export const storeGroup = sql.raw(`        if r is not null then
          cast_hashes := cast_hashes || hashes[k];
          cast_rounds := cast_rounds || r;
          cast_ballots := cast_ballots || ballots[k];
        end if;
      end loop;
      if cast_hashes is not null then
        -- The checks read the view as it was before the insert beside them; a clash undoes the insert with the rest.
        with cast_rows as materialized (
          select b.* from unnest(cast_rounds, cast_ballots) as c(r, b)
            cross join lateral jsonb_populate_record(null::ballot_inbox, c.b || jsonb_build_object('round_id', c.r)) as b),
        stored as (insert into ballot_inbox select * from cast_rows order by id)
        -- Ballot by ballot (lateral), by the unique keys: the tables are new after every pass, with no statistics
        -- to keep the planner from reading them whole.
        select exists (select from cast_rows n cross join lateral (select from ballots x where x.id = n.id limit 1) as f),
          exists (select from cast_rows n
                  cross join lateral (select from ballots x where x.round_id = n.round_id and x.receipt = n.receipt limit 1) as f)
          into id_clash, receipt_clash;
        if id_clash then
          raise unique_violation using message = 'duplicate key value violates unique constraint "ballots_pkey"';
        end if;
        if receipt_clash then
          raise unique_violation using message = 'duplicate key value violates unique constraint "ballots_receipt"';
        end if;
      end if;
      return coalesce((
        select array_agg(case when k.first and k.h = any(cast_hashes) then 1 else 0 end order by k.n)
        from (select e.n, e.value ->> 0 as h, row_number() over (partition by e.value ->> 0 order by e.n) = 1 as first
              from jsonb_array_elements(p_items) with ordinality as e(value, n)) as k), '{}');`);

/** This migration's `pingyi_cast_many`, which migration 0018's down puts back. */
export async function castSets(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function pingyi_cast_many(p_items jsonb) returns integer[]
    language plpgsql set plan_cache_mode = force_generic_plan as $$
    declare
      hashes text[];
      days text[];
      ballots jsonb[];
      r text;
      cast_hashes text[];
      cast_rounds text[];
      cast_ballots jsonb[];
      id_clash boolean;
      receipt_clash boolean;
    begin
      perform pg_advisory_xact_lock_shared(7140330);
      -- Each link once, with its first ballot, in the order of the hashes.
      select array_agg(i.h order by i.h), array_agg(i.d order by i.h), array_agg(i.b order by i.h)
        into hashes, days, ballots
        from (select distinct on (e.value ->> 0) e.value ->> 0, e.value ->> 1, e.value -> 2
              from jsonb_array_elements(p_items) with ordinality as e(value, n)
              order by e.value ->> 0, e.n) as i(h, d, b);
      -- Link by link, in the order of the hashes, each found by its unique hash: a statement over the whole group
      -- could be planned to walk the round's links instead, when the statistics lag behind a round just issued.
      for k in 1 .. coalesce(array_length(hashes, 1), 0) loop
        update round_links set used_on = days[k]
          where token_hash = hashes[k] and active = 1 and used_on is null and paper = 0
            and round_id in (select id from rounds where status = 'open')
          returning round_id into r;
${storeGroup}
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await castFunction(db, 'and paper = 0');
  await castManyJson(db);
}
