import { freezePool, runDraw } from './algorithm.js';
import type { DrawRecord } from './record.js';

export type Verdict = { ok: true; checked: string[] } | { ok: false; difference: string };

function firstDifference(name: string, got: readonly string[], want: readonly string[]): string | undefined {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    if (got[i] !== want[i]) return `${name}[${i}]: the file has ${got[i] ?? '(nothing)'}, recomputed ${want[i] ?? '(nothing)'}`;
  }
  return undefined;
}

function sameCounts(name: string, got: Record<string, number> | null, want: Record<string, number>): string | undefined {
  const keys = new Set([...Object.keys(got ?? {}), ...Object.keys(want)]);
  for (const k of keys) if (got?.[k] !== want[k]) return `${name}.${k}: the file has ${got?.[k] ?? '(nothing)'}, recomputed ${want[k] ?? '(nothing)'}`;
  return undefined;
}

/**
 * Recomputes a published draw from its record alone (no database) and names the first difference. Also checks
 * that every replacement gave the seat to the next unused reserve of the same stratum.
 * Invariant: a record produced by `drawRecord` verifies; swapping any two codes in it does not.
 */
export function verifyDrawRecord(rec: DrawRecord): Verdict {
  if (!Array.isArray(rec.pool)) return { ok: false, difference: 'the file has no pool' };
  const checked: string[] = [];
  let frozen: ReturnType<typeof freezePool>;
  try {
    // The pool's strata are written as in the canonical file (`*` when not stratified), so stratify=true reproduces it.
    frozen = freezePool(rec.pool, true);
  } catch (e) {
    return { ok: false, difference: `pool: ${(e as Error).message}` };
  }
  if (frozen.poolHash !== rec.poolHash)
    return { ok: false, difference: `poolHash: the file has ${rec.poolHash}, the pool in the file hashes to ${frozen.poolHash}` };
  checked.push('poolHash');
  const strataDiff = sameCounts('strata', rec.strata, frozen.strata);
  if (strataDiff) return { ok: false, difference: strataDiff };
  checked.push('strata');
  if (rec.publicRandom === null) return { ok: true, checked };

  const draw = runDraw({ year: rec.year, pool: rec.pool, sampleSize: rec.sampleSize, stratify: true, publicRandom: rec.publicRandom });
  if (draw.seed !== rec.seed) return { ok: false, difference: `seed: the file has ${rec.seed}, recomputed ${draw.seed}` };
  checked.push('seed');
  const allocDiff = sameCounts('allocation', rec.allocation, draw.allocation);
  if (allocDiff) return { ok: false, difference: allocDiff };
  checked.push('allocation');
  const sampleDiff = firstDifference('sample', rec.sample ?? [], draw.sample);
  if (sampleDiff) return { ok: false, difference: sampleDiff };
  checked.push('sample');
  for (const stratum of new Set([...Object.keys(draw.reserves), ...Object.keys(rec.reserves ?? {})])) {
    const diff = firstDifference(`reserves.${stratum}`, rec.reserves?.[stratum] ?? [], draw.reserves[stratum] ?? []);
    if (diff) return { ok: false, difference: diff };
  }
  checked.push('reserves');

  const stratumOf = new Map(rec.pool.map((p) => [p.code, p.stratum]));
  const seated = new Set(draw.sample);
  const usedReserves = new Set<string>();
  for (const [i, r] of (rec.replacements ?? []).entries()) {
    if (!seated.has(r.out)) return { ok: false, difference: `replacements[${i}]: ${r.out} did not hold a seat` };
    const stratum = stratumOf.get(r.out) as string;
    const next = (draw.reserves[stratum] ?? []).find((c) => !usedReserves.has(c));
    if (r.in !== next) return { ok: false, difference: `replacements[${i}]: the seat went to ${r.in}, the next reserve of ${stratum} is ${next ?? '(none)'}` };
    seated.delete(r.out);
    seated.add(r.in);
    usedReserves.add(r.in);
  }
  checked.push('replacements');
  return { ok: true, checked };
}
