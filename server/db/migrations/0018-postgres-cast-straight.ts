import { type Kysely, SqliteAdapter, sql } from 'kysely';
import { castSets, storeGroup } from './0017-postgres-cast-sets.js';

// Frozen in time: never import app code here.

/**
 * PostgreSQL only: `pingyi_cast_many` also takes ballots cast straight, on links nobody looked up first. Such an
 * item names the round its form was for and the time it was cast (`[hash, day, ballot, round, at]`); its link is
 * marked used only if, besides everything asked of any link (active, unused, not on paper, its round open), it is of
 * that round and the round is open at that time (opening and closing times as the rounds table keeps them, with
 * their offsets), and the ballot records the seat's stratum, read as the link is marked. So a ballot that arrives
 * with its form costs one statement, not a lookup and then a cast. Everything else is as in migration 0017.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`
    create or replace function pingyi_cast_many(p_items jsonb) returns integer[]
    language plpgsql set plan_cache_mode = force_generic_plan as $$
    declare
      hashes text[];
      days text[];
      ballots jsonb[];
      named text[];
      ats timestamptz[];
      r text;
      s text;
      cast_hashes text[];
      cast_rounds text[];
      cast_ballots jsonb[];
      id_clash boolean;
      receipt_clash boolean;
    begin
      perform pg_advisory_xact_lock_shared(7140330);
      -- Each link once, with its first ballot, in the order of the hashes.
      select array_agg(i.h order by i.h), array_agg(i.d order by i.h), array_agg(i.b order by i.h),
             array_agg(i.r order by i.h), array_agg(i.a order by i.h)
        into hashes, days, ballots, named, ats
        from (select distinct on (e.value ->> 0) e.value ->> 0, e.value ->> 1, e.value -> 2, e.value ->> 3, (e.value ->> 4)::timestamptz
              from jsonb_array_elements(p_items) with ordinality as e(value, n)
              order by e.value ->> 0, e.n) as i(h, d, b, r, a);
      -- Link by link, in the order of the hashes, each found by its unique hash: a statement over the whole group
      -- could be planned to walk the round's links instead, when the statistics lag behind a round just issued.
      for k in 1 .. coalesce(array_length(hashes, 1), 0) loop
        if named[k] is null then
          update round_links set used_on = days[k]
            where token_hash = hashes[k] and active = 1 and used_on is null and paper = 0
              and round_id in (select id from rounds where status = 'open')
            returning round_id into r;
        else
          update round_links l set used_on = days[k]
            where l.token_hash = hashes[k] and l.active = 1 and l.used_on is null and l.paper = 0 and l.round_id = named[k]
              and exists (select from rounds o
                          where o.id = named[k] and o.status = 'open'
                            and o.opens_at::timestamptz <= ats[k] and ats[k] < o.closes_at::timestamptz)
            returning l.round_id, (select p.stratum from round_pool p where p.round_id = l.round_id and p.code = l.code)
            into r, s;
          if r is not null then
            ballots[k] := ballots[k] || jsonb_build_object('stratum', s);
          end if;
        end if;
${storeGroup}
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await castSets(db);
}
