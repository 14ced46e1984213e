import { transaction } from '../db/transaction.js';
import type { AuditTrail } from '../audit/log.js';
import { insertInBatches } from '../db/batch.js';
import { isoTime, newId } from '../db/ids.js';
import type { Database, Executor, RoundTable } from '../db/schema.js';
import type { Store } from '../db/store.js';
import { compareBytes, freezePool, runDraw, UNSTRATIFIED } from '../draw/algorithm.js';
import { codeHash, linkCode } from '../links/codes.js';
import { linkToken, tokenHash } from '../links/tokens.js';
import { handOverComments } from '../rectification/comments.js';
import { dateInZone } from '../time.js';
import { charLength, refused, type Outcome } from '../validate.js';
import { designOf, unweightedStrata } from './design.js';
import { settingsColumns, type RoundSettings } from './settings.js';

export type Round = RoundTable;

export async function findRound(db: Executor, year: number): Promise<Round | undefined> {
  return db.selectFrom('rounds').selectAll().where('year', '=', year).executeTakeFirst();
}

export async function listRounds(db: Executor): Promise<Round[]> {
  return db.selectFrom('rounds').selectAll().orderBy('year', 'desc').execute();
}

const notFound = (year: number) => refused('rounds.error.notFound', { year });

/** Creates a round in `draft`. */
export async function createRound(db: Database, audit: AuditTrail, s: RoundSettings, actor: string): Promise<Outcome<Round>> {
  return transaction(db, async (trx) => {
    if (await findRound(trx, s.year)) return refused('rounds.error.exists', { year: s.year }, 'year');
    const now = isoTime(audit.clock.now());
    const row: Round = {
      id: newId(),
      ...settingsColumns(s),
      status: 'draft',
      frozen_at: null,
      pool_hash: null,
      public_random: null,
      public_random_source: null,
      seed: null,
      drawn_at: null,
      opened_at: null,
      closed_at: null,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('rounds').values(row).execute();
    await audit.record(trx, { actor, action: 'round.create', detail: settingsColumns(s) });
    return { ok: true, value: row };
  });
}

/** Changes a draft round's settings; a frozen round's settings never change. */
export async function updateRoundSettings(db: Database, audit: AuditTrail, year: number, s: RoundSettings, actor: string): Promise<Outcome<Round>> {
  return transaction(db, async (trx) => {
    const round = await findRound(trx, year);
    if (!round) return notFound(year);
    if (round.status !== 'draft') return refused('rounds.error.notDraft', { year, status: round.status });
    const cols = settingsColumns({ ...s, year });
    await trx
      .updateTable('rounds')
      .set({ ...cols, updated_at: isoTime(audit.clock.now()) })
      .where('id', '=', round.id)
      .execute();
    await audit.record(trx, { actor, action: 'round.settings', detail: cols });
    return { ok: true, value: { ...round, ...cols } };
  });
}

/** The frozen pool as the draw reads it (stratum `*` when the round is not stratified). */
export async function frozenPool(db: Executor, round: Round): Promise<{ code: string; stratum: string }[]> {
  const rows = await db.selectFrom('round_pool').select(['code', 'stratum']).where('round_id', '=', round.id).execute();
  return round.stratify === 1 ? rows : rows.map((r) => ({ code: r.code, stratum: UNSTRATIFIED }));
}

/**
 * Freezes a draft round: snapshots the active pool and units and fixes the pool hash, all before any randomness
 * is known. Refused below `minPool` active representatives, with the numbers.
 */
export async function freezeRound(
  db: Database,
  audit: AuditTrail,
  year: number,
  minPool: number,
  actor: string,
): Promise<Outcome<{ poolHash: string; strata: Record<string, number>; units: number }>> {
  return transaction(db, async (trx) => {
    const round = await findRound(trx, year);
    if (!round) return notFound(year);
    if (round.status !== 'draft') return refused('rounds.error.notDraft', { year, status: round.status });
    const reps = await trx.selectFrom('representatives').select(['code', 'stratum']).where('active', '=', 1).execute();
    if (reps.length < minPool) return refused('rounds.error.poolTooSmall', { active: reps.length, min: minPool });
    // Weights are fixed with the pool: every stratum in it needs one, or the tally could not weigh its ballots.
    const missing = unweightedStrata(designOf(round), [...new Set(reps.map((r) => r.stratum))].sort(compareBytes));
    if (missing.length) return refused('rounds.error.unweightedStrata', { strata: missing.join('、') }, 'strataWeights');
    const units = await trx
      .selectFrom('units')
      .innerJoin('categories', 'categories.name', 'units.category')
      .select(['units.code', 'units.name', 'units.category', 'categories.position'])
      .where('units.active', '=', 1)
      .execute();
    if (units.length === 0) return refused('rounds.error.noUnits');

    const stratify = round.stratify === 1;
    const frozen = freezePool(
      reps.map((r) => ({ code: r.code, stratum: stratify ? r.stratum : UNSTRATIFIED })),
      stratify,
    );
    // The frozen pool is copied by the database itself: at province size that is millions of rows.
    await trx
      .insertInto('round_pool')
      .columns(['round_id', 'code', 'stratum', 'district', 'representative_id'])
      .expression((eb) =>
        eb
          .selectFrom('representatives')
          .select([eb.val(round.id).as('round_id'), 'code', 'stratum', 'district', 'id'])
          .where('active', '=', 1),
      )
      .execute();
    await trx
      .insertInto('round_units')
      .values(units.map((u) => ({ round_id: round.id, code: u.code, name: u.name, category: u.category, category_position: u.position })))
      .execute();
    const now = isoTime(audit.clock.now());
    await trx.updateTable('rounds').set({ status: 'frozen', frozen_at: now, pool_hash: frozen.poolHash, updated_at: now }).where('id', '=', round.id).execute();
    await audit.record(trx, { actor, action: 'round.freeze', detail: { year, poolHash: frozen.poolHash, pool: reps.length, units: units.length } });
    return { ok: true, value: { poolHash: frozen.poolHash, strata: frozen.strata, units: units.length } };
  });
}

/**
 * Runs the draw of a frozen round with the public random value, stores the sample and the reserves and issues a
 * link to each drawn representative, in one transaction. A round is drawn once.
 */
export async function drawRound(
  db: Database,
  audit: AuditTrail,
  input: { year: number; publicRandom: string; source: string; secret: string },
  actor: string,
): Promise<Outcome<{ seed: string; allocation: Record<string, number> }>> {
  const { year, publicRandom, source } = input;
  if (publicRandom.trim() === '' || charLength(publicRandom) > 500) return refused('rounds.error.publicRandom', undefined, 'publicRandom');
  if (charLength(source) > 200) return refused('rounds.error.source', undefined, 'source');
  return transaction(db, async (trx) => {
    const round = await findRound(trx, year);
    if (!round) return notFound(year);
    if (round.drawn_at) return refused('rounds.error.alreadyDrawn', { year, drawnAt: round.drawn_at });
    if (round.status !== 'frozen') return refused('rounds.error.notFrozen', { year, status: round.status });
    const pool = await frozenPool(trx, round);
    const result = runDraw({ year, pool, sampleSize: round.sample_size, stratify: round.stratify === 1, publicRandom });
    if (result.poolHash !== round.pool_hash) return refused('rounds.error.poolChanged');

    // The draw's strata (`*` for all when not stratified): replacements take the next reserve of this list.
    const stratumOf = new Map(pool.map((p) => [p.code, p.stratum]));
    const drawRows = [
      ...result.sample.map((code, i) => ({ round_id: round.id, code, stratum: stratumOf.get(code) as string, kind: 'sample' as const, position: i })),
      ...Object.values(result.reserves).flatMap((codes) =>
        codes.map((code, i) => ({ round_id: round.id, code, stratum: stratumOf.get(code) as string, kind: 'reserve' as const, position: i })),
      ),
    ];
    await insertInBatches(trx, 'round_draw', drawRows);
    await trx
      .insertInto('round_allocation')
      .values(
        Object.entries(result.strata).map(([stratum, count]) => ({ round_id: round.id, stratum, pool_count: count, seats: result.allocation[stratum] ?? 0 })),
      )
      .execute();
    const now = isoTime(audit.clock.now());
    const links = result.sample.map((code) => linkRow(round, code, 1, input.secret, now));
    await insertInBatches(trx, 'round_links', links);
    await trx
      .updateTable('rounds')
      .set({ status: 'drawn', public_random: publicRandom, public_random_source: source.trim() || null, seed: result.seed, drawn_at: now, updated_at: now })
      .where('id', '=', round.id)
      .execute();
    await audit.record(trx, { actor, action: 'round.draw', detail: { year, publicRandom, source, seed: result.seed, drawn: result.sample.length } });
    return { ok: true, value: { seed: result.seed, allocation: result.allocation } };
  });
}

function linkRow(round: Round, code: string, generation: number, secret: string, now: string) {
  return {
    round_id: round.id,
    code,
    generation,
    token_hash: tokenHash(linkToken(secret, round.year, code, generation)),
    code_hash: codeHash(linkCode(secret, round.year, code, generation)),
    active: 1,
    used_on: null,
    issued_at: now,
  };
}

const SEATED_STATUSES = new Set(['drawn', 'open']);

/**
 * Gives a drawn representative's seat to the next reserve of the same stratum: the old link stops working, the
 * reserve gets a link, and the replacement (codes, reason, date) becomes part of the public record.
 */
export async function replaceMember(
  db: Database,
  audit: AuditTrail,
  input: { year: number; code: string; reason: string; secret: string; timeZone: string },
  actor: string,
): Promise<Outcome<{ in: string; stratum: string }>> {
  const { year, code } = input;
  const reason = input.reason.trim();
  if (charLength(reason) < 1 || charLength(reason) > 200 || /[\r\n]/.test(reason)) return refused('rounds.error.reason', undefined, 'reason');
  return transaction(db, async (trx) => {
    const round = await findRound(trx, year);
    if (!round) return notFound(year);
    if (!SEATED_STATUSES.has(round.status)) return refused('rounds.error.noSeats', { year, status: round.status });
    const link = await trx
      .selectFrom('round_links')
      .selectAll()
      .where('round_id', '=', round.id)
      .where('code', '=', code)
      .where('active', '=', 1)
      .executeTakeFirst();
    if (!link) return refused('rounds.error.notSeated', { code, year }, 'code');
    if (link.used_on) return refused('rounds.error.alreadyVoted', { code }, 'code');
    // A seat on paper may have answered already on an untraceable sheet: it goes back online first (server/paper/).
    if (link.paper) return refused('paper.error.replacePaper', { code }, 'code');
    const entry = await trx.selectFrom('round_draw').select('stratum').where('round_id', '=', round.id).where('code', '=', code).executeTakeFirstOrThrow();
    const taken = await trx.selectFrom('round_replacements').select('in_code').where('round_id', '=', round.id).execute();
    const used = new Set(taken.map((r) => r.in_code));
    const reserves = await trx
      .selectFrom('round_draw')
      .select('code')
      .where('round_id', '=', round.id)
      .where('kind', '=', 'reserve')
      .where('stratum', '=', entry.stratum)
      .orderBy('position')
      .execute();
    const next = reserves.find((r) => !used.has(r.code));
    if (!next) return refused('rounds.error.noReserve', { stratum: entry.stratum });

    const now = isoTime(audit.clock.now());
    const last = await trx
      .selectFrom('round_replacements')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('round_id', '=', round.id)
      .executeTakeFirst();
    await trx.updateTable('round_links').set({ active: 0 }).where('round_id', '=', round.id).where('code', '=', code).execute();
    await trx
      .insertInto('round_links')
      .values(linkRow(round, next.code, 1, input.secret, now))
      .execute();
    await trx
      .insertInto('round_replacements')
      .values({
        round_id: round.id,
        seq: Number(last?.seq ?? 0) + 1,
        out_code: code,
        in_code: next.code,
        reason,
        date: dateInZone(audit.clock.now(), input.timeZone),
      })
      .execute();
    await audit.record(trx, { actor, action: 'round.replace', detail: { year, out: code, in: next.code, reason } });
    return { ok: true, value: { in: next.code, stratum: entry.stratum } };
  });
}

/** Issues a new link for a seat (generation + 1); the old link stops working at once. */
export async function reissueLink(
  db: Database,
  audit: AuditTrail,
  input: { year: number; code: string; secret: string },
  actor: string,
): Promise<Outcome<{ generation: number }>> {
  return transaction(db, async (trx) => {
    const round = await findRound(trx, input.year);
    if (!round) return notFound(input.year);
    if (!SEATED_STATUSES.has(round.status)) return refused('rounds.error.noSeats', { year: input.year, status: round.status });
    const link = await trx
      .selectFrom('round_links')
      .selectAll()
      .where('round_id', '=', round.id)
      .where('code', '=', input.code)
      .where('active', '=', 1)
      .executeTakeFirst();
    if (!link) return refused('rounds.error.notSeated', { code: input.code, year: input.year }, 'code');
    if (link.used_on) return refused('rounds.error.alreadyVoted', { code: input.code }, 'code');
    const generation = link.generation + 1;
    const row = linkRow(round, input.code, generation, input.secret, isoTime(audit.clock.now()));
    await trx
      .updateTable('round_links')
      .set({ generation, token_hash: row.token_hash, code_hash: row.code_hash, issued_at: row.issued_at })
      .where('round_id', '=', round.id)
      .where('code', '=', input.code)
      .execute();
    await audit.record(trx, { actor, action: 'round.reissue', detail: { year: input.year, code: input.code, generation } });
    return { ok: true, value: { generation } };
  });
}

/** Opens a drawn (or re-opens a closed, unpublished) round for ballots. */
export async function openRound(db: Database, audit: AuditTrail, year: number, actor: string): Promise<Outcome<Round>> {
  return setStatus(db, audit, year, actor, 'open', (r) =>
    r.status === 'drawn' || r.status === 'closed'
      ? undefined
      : r.status === 'draft' || r.status === 'frozen'
        ? 'rounds.error.notDrawnYet'
        : 'rounds.error.cannotOpen',
  );
}

/** A closed round; `mixingFailed` says why its ballots could not be mixed at once (the next pass mixes them). */
export type ClosedRound = Round & { mixingFailed?: string };

/**
 * Closes an open round, then mixes the ballots (Store.mix) so that the database files say nothing more about the
 * order they came in. The round is closed whatever becomes of the mixing.
 */
export async function closeRound(store: Store, audit: AuditTrail, year: number, actor: string): Promise<Outcome<ClosedRound>> {
  const closed = await setStatus(store.db, audit, year, actor, 'closed', (r) => (r.status === 'open' ? undefined : 'rounds.error.notOpen'));
  if (!closed.ok) return closed;
  try {
    await store.mix();
    return closed;
  } catch (e) {
    return { ok: true, value: { ...closed.value, mixingFailed: e instanceof Error ? e.message : String(e) } };
  }
}

async function setStatus(
  db: Database,
  audit: AuditTrail,
  year: number,
  actor: string,
  to: 'open' | 'closed',
  refusal: (r: Round) => 'rounds.error.notDrawnYet' | 'rounds.error.cannotOpen' | 'rounds.error.notOpen' | undefined,
): Promise<Outcome<Round>> {
  return transaction(db, async (trx) => {
    const round = await findRound(trx, year);
    if (!round) return notFound(year);
    const why = refusal(round);
    if (why) return refused(why, { year, status: round.status });
    const now = isoTime(audit.clock.now());
    const stamp = to === 'open' ? { opened_at: now } : { closed_at: now };
    await trx
      .updateTable('rounds')
      .set({ status: to, ...stamp, updated_at: now })
      .where('id', '=', round.id)
      .execute();
    // Closing hands the ballots' comments to the units' screening, as rows that cannot be matched to their ballots.
    if (to === 'closed') await handOverComments(trx, round.id);
    await audit.record(trx, { actor, action: to === 'open' ? 'round.open' : 'round.close', detail: { year } });
    return { ok: true, value: { ...round, status: to, ...stamp } };
  });
}

export interface StratumTurnout {
  stratum: string;
  seats: number;
  answered: number;
}

/** Seats and answered links by a column of the frozen pool (the seat holders are the active links), in its order. */
export async function turnoutBy(db: Executor, round: Round, by: 'stratum' | 'district'): Promise<{ label: string | null; seats: number; answered: number }[]> {
  const column = by === 'stratum' ? 'round_pool.stratum' : 'round_pool.district';
  const rows = await db
    .selectFrom('round_links')
    .innerJoin('round_pool', (j) => j.onRef('round_pool.round_id', '=', 'round_links.round_id').onRef('round_pool.code', '=', 'round_links.code'))
    .select([`${column} as label`, (eb) => eb.fn.countAll<number>().as('seats'), (eb) => eb.fn.count<number>('round_links.used_on').as('answered')])
    .where('round_links.round_id', '=', round.id)
    .where('round_links.active', '=', 1)
    .groupBy(column)
    .orderBy(column)
    .execute();
  return rows.map((r) => ({ label: r.label, seats: Number(r.seats), answered: Number(r.answered) }));
}

/**
 * Seats and answers, by stratum: the used links, and the paper ballots stored (server/paper/), which a seat on
 * paper answers with instead of its link and which carry their batch's stratum.
 */
export async function turnoutByStratum(db: Executor, round: Round): Promise<StratumTurnout[]> {
  const paper = await db
    .selectFrom('ballots')
    .innerJoin('paper_serials', (j) => j.onRef('paper_serials.round_id', '=', 'ballots.round_id').onRef('paper_serials.serial', '=', 'ballots.receipt'))
    .select(['paper_serials.stratum', (eb) => eb.fn.countAll<number>().as('n')])
    .where('ballots.round_id', '=', round.id)
    .groupBy('paper_serials.stratum')
    .execute();
  const onPaper = new Map(paper.map((r) => [r.stratum, Number(r.n)]));
  return (await turnoutBy(db, round, 'stratum')).map((r) => ({
    stratum: r.label ?? '',
    seats: r.seats,
    answered: r.answered + (onPaper.get(r.label ?? '') ?? 0),
  }));
}
