/*
 * An installation with a round open to everyone: the given units, a synthetic pool, and the year's round created,
 * frozen, drawn with the whole pool as its sample and opened (from yesterday to tomorrow), so every member holds
 * a link of their own. Shared by the HTTP benchmarks and the tests that run real server processes.
 */
import { auditTrail } from '../audit/log.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import { upsertRepresentatives, type RepresentativeInput } from '../pool/representatives.js';
import { createRound, drawRound, freezeRound, openRound } from '../rounds/rounds.js';
import type { DesignInput } from '../rounds/design.js';
import { parseSettings } from '../rounds/settings.js';
import { upsertUnits, type UnitInput } from '../units/units.js';

export interface OpenRoundPlan {
  year: number;
  units: UnitInput[];
  /** Pool size, and so the number of links unless `sample` is given. */
  links: number;
  /** How many of the pool are drawn (the whole pool when left out). */
  sample?: number;
  /** The round's ballot design (the default ballot when left out). */
  design?: DesignInput;
  strata: readonly string[];
  /** Member i gets the code `${codePrefix}${i}` with i padded to `codeDigits`. */
  codePrefix: string;
  codeDigits: number;
  title: string;
  publicRandom: string;
  actor: string;
}

/** Builds it all in `db`; returns the pool in code order (member i has the i-th link). */
export async function openRoundForWholePool(db: Database, clock: Clock, config: Config, plan: OpenRoundPlan): Promise<RepresentativeInput[]> {
  const audit = auditTrail(config.secret, clock);
  await upsertUnits(db, audit, plan.units, plan.actor);
  const pool: RepresentativeInput[] = Array.from({ length: plan.links }, (_, i) => ({
    code: `${plan.codePrefix}${String(i).padStart(plan.codeDigits, '0')}`,
    name: `代表${i}`,
    stratum: plan.strata[i % plan.strata.length] as string,
    district: null,
    phone: null,
    email: null,
    active: true,
  }));
  await upsertRepresentatives(db, audit, pool, { actor: plan.actor });
  const now = clock.now().getTime();
  const parsed = parseSettings(
    {
      year: String(plan.year),
      sample: String(plan.sample ?? plan.links),
      opens: new Date(now - 86400_000).toISOString(),
      closes: new Date(now + 86400_000).toISOString(),
      design: plan.design,
    },
    config.timeZone,
    () => plan.title,
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  for (const step of [
    () => createRound(db, audit, parsed.settings, plan.actor),
    () => freezeRound(db, audit, plan.year, 10, plan.actor),
    () => drawRound(db, audit, { year: plan.year, publicRandom: plan.publicRandom, source: '', secret: config.secret }, plan.actor),
    () => openRound(db, audit, plan.year, plan.actor),
  ]) {
    const r = await step();
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
  }
  return pool;
}
