/*
 * The demo city's rounds: three past years and the current one, each frozen and drawn with a made-up public
 * random value, at plausible dates (the clock is set to each step's date, so the timelines read naturally).
 */
import { fixedClock } from '../server/clock.js';
import type { Config } from '../server/config.js';
import type { Database } from '../server/db/schema.js';
import { closeRound, createRound, drawRound, freezeRound, openRound } from '../server/rounds/rounds.js';
import { parseSettings } from '../server/rounds/settings.js';
import { zonedIso } from '../server/time.js';

function must<T>(o: { ok: true; value: T } | { ok: false; problems: unknown[] }): T {
  if (!o.ok) throw new Error(`demo: ${JSON.stringify(o.problems)}`);
  return o.value;
}

/** Creates, freezes and draws one round; past rounds are also opened and closed at their dates. */
export async function demoRound(db: Database, config: Config, year: number, opts: { now: Date; current: boolean }) {
  const tz = config.timeZone;
  const opens = opts.current ? new Date(opts.now.getTime() - 2 * 86400_000).toISOString() : zonedIso(year, 12, 1, 9, 0, tz);
  const closes = opts.current ? new Date(opts.now.getTime() + 21 * 86400_000).toISOString() : zonedIso(year, 12, 20, 18, 0, tz);
  const parsed = parseSettings({ year: String(year), opens, closes }, tz, (y) => `${y}年度部门单位工作作风民主测评`);
  if (!parsed.ok) throw new Error(`demo: ${JSON.stringify(parsed.problems)}`);
  const at = (iso: string) => fixedClock(iso);
  const step = opts.current ? (days: number) => new Date(opts.now.getTime() - days * 86400_000).toISOString() : (days: number) => zonedIso(year, 11, 30 - days, 10, 0, tz);
  must(await createRound(db, at(step(10)), parsed.settings, 'demo'));
  must(await freezeRound(db, at(step(6)), year, config.minPool, 'demo'));
  const publicRandom = `福彩3D ${year}${String(320 + (year % 7)).padStart(3, '0')}期 ${year % 10} ${(year * 7) % 10} ${(year * 3) % 10}`;
  must(await drawRound(db, at(step(3)), { year, publicRandom, source: `中国福利彩票 3D 第 ${year}${320 + (year % 7)} 期开奖号码`, secret: config.secret }, 'demo'));
  if (!opts.current) {
    must(await openRound(db, at(zonedIso(year, 12, 1, 9, 0, tz)), year, 'demo'));
    must(await closeRound(db, at(zonedIso(year, 12, 20, 18, 0, tz)), year, 'demo'));
  } else {
    must(await openRound(db, at(step(2)), year, 'demo'));
  }
}
