import type { Executor } from '../db/schema.js';
import type { Round } from '../rounds/rounds.js';
import { frozenPool } from '../rounds/rounds.js';
import { compareBytes, DRAW_ALGORITHM } from './algorithm.js';

/** The public record of a round's draw: `/draw/{year}.json` (README, Open data). Codes only, never a name. */
export interface DrawRecord {
  year: number;
  algorithm: typeof DRAW_ALGORITHM;
  stratify: boolean;
  frozenAt: string;
  poolHash: string;
  pool: { code: string; stratum: string }[];
  strata: Record<string, number>;
  publicRandom: string | null;
  publicRandomSource: string | null;
  drawnAt: string | null;
  seed: string | null;
  sampleSize: number;
  allocation: Record<string, number> | null;
  sample: string[] | null;
  reserves: Record<string, string[]> | null;
  replacements: { out: string; in: string; reason: string; date: string }[];
}

/** Builds the record of a frozen round from the database; undefined for a draft (nothing is fixed yet). */
export async function drawRecord(db: Executor, round: Round): Promise<DrawRecord | undefined> {
  if (!round.frozen_at || !round.pool_hash) return undefined;
  const pool = (await frozenPool(db, round)).sort((a, b) => compareBytes(a.code, b.code));
  const strata: Record<string, number> = {};
  for (const s of [...new Set(pool.map((p) => p.stratum))].sort(compareBytes)) strata[s] = 0;
  for (const p of pool) strata[p.stratum] = (strata[p.stratum] ?? 0) + 1;

  let allocation: DrawRecord['allocation'] = null;
  let sample: DrawRecord['sample'] = null;
  let reserves: DrawRecord['reserves'] = null;
  if (round.drawn_at) {
    const draw = await db.selectFrom('round_draw').select(['code', 'kind', 'position']).where('round_id', '=', round.id).execute();
    const stratumOf = new Map(pool.map((p) => [p.code, p.stratum]));
    sample = draw
      .filter((d) => d.kind === 'sample')
      .sort((a, b) => a.position - b.position)
      .map((d) => d.code);
    reserves = {};
    allocation = {};
    for (const s of Object.keys(strata)) {
      reserves[s] = [];
      allocation[s] = 0;
    }
    for (const d of draw.filter((d) => d.kind === 'reserve').sort((a, b) => a.position - b.position)) reserves[stratumOf.get(d.code) as string]?.push(d.code);
    const alloc = await db.selectFrom('round_allocation').select(['stratum', 'seats']).where('round_id', '=', round.id).execute();
    for (const a of alloc) allocation[round.stratify === 1 ? a.stratum : '*'] = a.seats;
  }
  const replacements = await db
    .selectFrom('round_replacements')
    .select(['out_code', 'in_code', 'reason', 'date'])
    .where('round_id', '=', round.id)
    .orderBy('seq')
    .execute();
  return {
    year: round.year,
    algorithm: DRAW_ALGORITHM,
    stratify: round.stratify === 1,
    frozenAt: round.frozen_at,
    poolHash: round.pool_hash,
    pool,
    strata,
    publicRandom: round.public_random,
    publicRandomSource: round.public_random_source,
    drawnAt: round.drawn_at,
    seed: round.seed,
    sampleSize: round.sample_size,
    allocation,
    sample,
    reserves,
    replacements: replacements.map((r) => ({ out: r.out_code, in: r.in_code, reason: r.reason, date: r.date })),
  };
}
