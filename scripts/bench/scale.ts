/*
 * A province-sized round (issue 19): a pool of 3,000,000 representatives in six strata and a sample of 1,000,000,
 * frozen, drawn (with its links issued), opened, given some ballots, closed and published. On PostgreSQL when
 * TEST_DATABASE_URL names a server (scripts/with-postgres.sh npm run bench -- scale), else on SQLite in a temporary
 * directory. Prints how long each step takes and the process's peak memory. It takes minutes, so `npm run bench`
 * runs it only when asked by name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditTrail } from '../../server/audit/log.js';
import { fixedClock } from '../../server/clock.js';
import { loadConfig } from '../../server/config.js';
import { createSchema, openStore } from '../../server/db/database.js';
import { demoUnits } from '../../server/demo/city.js';
import { linkToken } from '../../server/links/tokens.js';
import { upsertRepresentatives, type RepresentativeInput } from '../../server/pool/representatives.js';
import { publishResults } from '../../server/results/publish.js';
import { closeRound, createRound, drawRound, findRound, freezeRound, openRound } from '../../server/rounds/rounds.js';
import { parseSettings } from '../../server/rounds/settings.js';
import type { Answer } from '../../server/survey/ballot.js';
import { castBallot } from '../../server/survey/cast.js';
import { upsertUnits } from '../../server/units/units.js';
import type { Figure } from './types.js';

const POOL = Number(process.env.SCALE_POOL ?? 3_000_000);
const SAMPLE = Number(process.env.SCALE_SAMPLE ?? 1_000_000);
const BALLOTS = Number(process.env.SCALE_BALLOTS ?? 20_000);
const STRATA = ['人大代表', '政协委员', '企业代表', '社区居民', '农村代表', '媒体代表'];
const YEAR = 2026;
/** "In minutes, not hours": each step within this. */
const STEP_GOAL_S = 600;

export async function benchScale(): Promise<Figure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pingyi-scale-'));
  const base = process.env.TEST_DATABASE_URL;
  const env: Record<string, string> = { DATA_DIR: dataDir, MIN_POOL: '10', SECRET: 'scale-secret-scale-secret-scale-secret-00' };
  if (base) env.DATABASE_URL = await createSchema(base);
  const config = loadConfig(env);
  const store = await openStore(config);
  const db = store.db;
  const now = new Date();
  const audit = auditTrail(config.secret, fixedClock(now));
  const timings: [string, number][] = [];
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const value = await run();
    const s = (performance.now() - started) / 1000;
    timings.push([name, s]);
    console.log(`[scale] ${name}: ${s.toFixed(1)} s, peak memory ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    return value;
  };
  const must = <T>(o: { ok: true; value: T } | { ok: false; problems: unknown[] }) => {
    if (!o.ok) throw new Error(JSON.stringify(o.problems));
    return o.value;
  };
  try {
    const units = demoUnits();
    await upsertUnits(db, audit, units, 'bench');
    const pool: RepresentativeInput[] = Array.from({ length: POOL }, (_, i) => ({
      code: `P${String(i).padStart(7, '0')}`,
      name: `代表${i}`,
      stratum: STRATA[i % STRATA.length] as string,
      district: `区${i % 17}`,
      phone: null,
      email: null,
      active: true,
    }));
    await step(`pool import of ${POOL.toLocaleString('en')}`, () => upsertRepresentatives(db, audit, pool, { actor: 'bench' }));
    const parsed = parseSettings(
      {
        year: String(YEAR),
        sample: String(SAMPLE),
        opens: new Date(now.getTime() - 86400_000).toISOString(),
        closes: new Date(now.getTime() + 86400_000).toISOString(),
      },
      config.timeZone,
      () => 'Province-sized round',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    must(await createRound(db, audit, parsed.settings, 'bench'));
    await step('freeze', async () => must(await freezeRound(db, audit, YEAR, 10, 'bench')));
    await step(`draw of ${SAMPLE.toLocaleString('en')}, links issued`, async () =>
      must(await drawRound(db, audit, { year: YEAR, publicRandom: 'scale', source: '', secret: config.secret }, 'bench')),
    );
    must(await openRound(db, audit, YEAR, 'bench'));
    const round = (await findRound(db, YEAR)) as NonNullable<Awaited<ReturnType<typeof findRound>>>;
    const seats = await db
      .selectFrom('round_draw')
      .select('code')
      .where('round_id', '=', round.id)
      .where('kind', '=', 'sample')
      .orderBy('position')
      .limit(BALLOTS)
      .execute();
    const answers = Object.fromEntries(units.map((u, k) => [u.code, (['satisfied', 'basic', 'dissatisfied', 'unknown'] as const)[k % 4] as Answer]));
    await step(`${BALLOTS.toLocaleString('en')} ballots`, async () => {
      for (let i = 0; i < seats.length; i += 100) {
        await Promise.all(
          seats.slice(i, i + 100).map((s) =>
            castBallot(store, audit.clock, config.timeZone, {
              token: linkToken(config.secret, YEAR, s.code, 1),
              roundId: round.id,
              answers,
              comments: {},
              comment: null,
            }),
          ),
        );
      }
    });
    await step('close (with mixing)', async () => must(await closeRound(store, audit, YEAR, 'bench')));
    await step('publish', async () => must(await publishResults(db, audit, { year: YEAR, note: '' }, 'bench')));
  } finally {
    await store.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const where = base ? 'PostgreSQL' : 'SQLite';
  const peak = process.resourceUsage().maxRSS / 1024;
  return [
    ...timings.map(([name, s]) => ({
      name: `scale (${where}): ${name}`,
      value: Number(s.toFixed(1)),
      unit: 's',
      goal: `< ${STEP_GOAL_S} s`,
      met: s < STEP_GOAL_S,
    })),
    { name: `scale (${where}): peak memory of the process`, value: Math.round(peak), unit: 'MB', goal: '—', met: true },
  ];
}
