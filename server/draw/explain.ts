// What the draw page derives from a published record: pure functions over DrawRecord.
import { compareBytes } from './algorithm.js';
import type { DrawRecord } from './record.js';

type Replacement = DrawRecord['replacements'][number];

export const sortedStrata = (rec: DrawRecord) => Object.keys(rec.strata).sort(compareBytes);

export interface AllocationRow {
  stratum: string;
  pool: number;
  /** N·nₛ/P rounded to hundredths, as text. */
  quota: string;
  floor: number;
  remainder: bigint;
  extra: boolean;
  seats: number;
}

/** The Hamilton allocation laid open: quotas and remainders recomputed exactly (BigInt), seats as recorded. */
export function allocationRows(rec: DrawRecord): AllocationRow[] {
  const strata = sortedStrata(rec);
  const P = BigInt(strata.reduce((sum, s) => sum + (rec.strata[s] ?? 0), 0));
  const N = BigInt(rec.sampleSize);
  return strata.map((stratum) => {
    const pool = rec.strata[stratum] ?? 0;
    const product = N * BigInt(pool);
    const hundredths = (product * 100n + P / 2n) / P;
    const floor = Number(product / P);
    const seats = rec.allocation?.[stratum] ?? 0;
    return {
      stratum,
      pool,
      quota: `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`,
      floor,
      remainder: product % P,
      extra: seats > floor,
      seats,
    };
  });
}

/** Groups of strata whose equal remainders were split by the tie rule (some got the extra seat, some not). */
export function decidedTies(rows: AllocationRow[]): string[][] {
  const byRemainder = new Map<bigint, AllocationRow[]>();
  for (const r of rows) byRemainder.set(r.remainder, [...(byRemainder.get(r.remainder) ?? []), r]);
  return [...byRemainder.values()].filter((g) => g.some((r) => r.extra) && g.some((r) => !r.extra)).map((g) => g.map((r) => r.stratum));
}

export type CodeAnswer =
  | { kind: 'notInPool'; code: string; suggestion: string | undefined }
  | { kind: 'pending'; code: string; stratum: string }
  | { kind: 'drawn'; code: string; stratum: string; n: number; replacedBy: Replacement | undefined }
  | { kind: 'reserve'; code: string; stratum: string; n: number; tookSeat: Replacement | undefined; replacedBy: Replacement | undefined; used: number };

/** Where one code stands in a round's draw, from the public record alone. */
export function codeAnswer(rec: DrawRecord, code: string): CodeAnswer {
  const entry = rec.pool.find((p) => p.code === code);
  if (!entry) {
    const lower = code.toLowerCase();
    return { kind: 'notInPool', code, suggestion: rec.pool.find((p) => p.code.toLowerCase() === lower)?.code };
  }
  const { stratum } = entry;
  if (!rec.sample || !rec.reserves) return { kind: 'pending', code, stratum };
  const replacedBy = rec.replacements.find((r) => r.out === code);
  const stratumOf = new Map(rec.pool.map((p) => [p.code, p.stratum]));
  const drawnHere = rec.sample.filter((c) => stratumOf.get(c) === stratum);
  const drawnAt = drawnHere.indexOf(code);
  if (drawnAt >= 0) return { kind: 'drawn', code, stratum, n: drawnAt + 1, replacedBy };
  const reserves = rec.reserves[stratum] ?? [];
  const used = reserves.filter((c) => rec.replacements.some((r) => r.in === c)).length;
  return { kind: 'reserve', code, stratum, n: reserves.indexOf(code) + 1, tookSeat: rec.replacements.find((r) => r.in === code), replacedBy, used };
}
