/*
 * The demo city's rounds: three past years and the current one, each frozen and drawn with a made-up public
 * random value, at plausible dates (the clock is set to each step's date, so the timelines read naturally).
 */
import seedrandom from 'seedrandom';
import { auditTrail } from '../audit/log.js';
import { fixedClock } from '../clock.js';
import type { Config } from '../config.js';
import type { Store } from '../db/store.js';
import { publishResults } from '../results/publish.js';
import { designOf, isDefaultDesign, type DesignInput } from '../rounds/design.js';
import { closeRound, createRound, drawRound, freezeRound, openRound } from '../rounds/rounds.js';
import { parseSettings } from '../rounds/settings.js';
import { linkToken } from '../links/tokens.js';
import type { Answer } from '../survey/ballot.js';
import { castBallot } from '../survey/cast.js';
import { zonedIso } from '../time.js';

function must<T>(o: { ok: true; value: T } | { ok: false; problems: unknown[] }): T {
  if (!o.ok) throw new Error(`demo: ${JSON.stringify(o.problems)}`);
  return o.value;
}

/**
 * A ballot as cities commonly design it (docs/SPEC.md, The ballot): three items, the first weighing double, the
 * groups who deal with the departments most counting more, and reasons to tick for 不满意.
 */
export const DEMO_DESIGN: DesignInput = {
  indicators: 'law:依法办事,service:服务质量,efficiency:办事效率',
  indicatorWeights: '2,1,1',
  strataWeights: '人大代表:1,政协委员:1,企业代表:2,社区居民:2,农村代表:1.5,媒体代表:1',
  reasons: '办事拖拉;态度生硬;推诿扯皮;不作为乱作为',
};

export interface DemoYear {
  year: number;
  current: boolean;
  /** Units the made-up ballots treat badly that year, so that the flags have something to show. */
  weakest: string[];
  design?: DesignInput;
}

/**
 * The demo city's rounds: three published years and the current one. U27 is weak in the last two past years (so
 * "bottom three two years running" shows), U05 in the two before; the last past year uses the ballot design of
 * DEMO_DESIGN (three items, weighted strata, reasons), so its pages show every figure of the design.
 */
export function demoYears(thisYear: number): DemoYear[] {
  return [
    { year: thisYear - 3, current: false, weakest: ['U05', 'U31'] },
    { year: thisYear - 2, current: false, weakest: ['U05', 'U27'] },
    { year: thisYear - 1, current: false, weakest: ['U27', 'U12'], design: DEMO_DESIGN },
    { year: thisYear, current: true, weakest: ['U12'] },
  ];
}

/**
 * Creates, freezes and draws one round; past rounds are also opened and closed at their dates. `design` gives the
 * round a ballot design; without it the round has the default ballot.
 */
export async function demoRound(store: Store, config: Config, year: number, opts: { now: Date; current: boolean; weakest: string[]; design?: DesignInput }) {
  const tz = config.timeZone;
  const db = store.db;
  const opens = opts.current ? new Date(opts.now.getTime() - 2 * 86400_000).toISOString() : zonedIso(year, 12, 1, 9, 0, tz);
  const closes = opts.current ? new Date(opts.now.getTime() + 21 * 86400_000).toISOString() : zonedIso(year, 12, 20, 18, 0, tz);
  const parsed = parseSettings({ year: String(year), opens, closes, design: opts.design }, tz, (y) => `${y}年度部门单位工作作风民主测评`);
  if (!parsed.ok) throw new Error(`demo: ${JSON.stringify(parsed.problems)}`);
  const at = (iso: string) => auditTrail(config.secret, fixedClock(iso));
  const step = opts.current
    ? (days: number) => new Date(opts.now.getTime() - days * 86400_000).toISOString()
    : (days: number) => zonedIso(year, 11, 30 - days, 10, 0, tz);
  must(await createRound(db, at(step(10)), parsed.settings, 'demo'));
  must(await freezeRound(db, at(step(6)), year, config.minPool, 'demo'));
  const publicRandom = `福彩3D ${year}${String(320 + (year % 7)).padStart(3, '0')}期 ${year % 10} ${(year * 7) % 10} ${(year * 3) % 10}`;
  must(
    await drawRound(db, at(step(3)), { year, publicRandom, source: `中国福利彩票 3D 第 ${year}${320 + (year % 7)} 期开奖号码`, secret: config.secret }, 'demo'),
  );
  if (!opts.current) {
    must(await openRound(db, at(zonedIso(year, 12, 1, 9, 0, tz)), year, 'demo'));
    const from = new Date(zonedIso(year, 12, 1, 9, 0, tz));
    await demoBallots(store, config, year, { share: 0.82, days: { from, to: new Date(from.getTime() + 18 * 86400_000) }, weakest: opts.weakest });
    must(await closeRound(store, at(zonedIso(year, 12, 20, 18, 0, tz)), year, 'demo'));
    must(await publishResults(db, at(zonedIso(year, 12, 26, 10, 0, tz)), { year, note: '' }, 'demo'));
  } else {
    must(await openRound(db, at(step(2)), year, 'demo'));
    await demoBallots(store, config, year, { share: 0.35, days: { from: new Date(opts.now.getTime() - 2 * 86400_000), to: opts.now }, weakest: opts.weakest });
  }
}

/** Made-up comments of the kinds representatives write; the last ones name a shop, so screening must withhold them. */
export const DEMO_COMMENTS = [
  '窗口工作人员态度很好，办事效率高。',
  '希望进一步简化办事流程，减少跑腿次数。',
  '咨询电话经常打不通，希望增加人手。',
  '网上办理系统经常卡顿，建议升级。',
  '执法过程中有时态度生硬，希望改进。',
  '信息公开不够及时，希望定期发布工作进展。',
  '办事指南写得不清楚，材料要求前后不一致。',
  '周末能否开放部分窗口，方便上班族办事。',
  '对群众反映的问题回复太慢。',
  '基层服务点太少，农村群众办事不便。',
] as const;
export const DEMO_NAMING_COMMENTS = ['南河区“好邻居”便利店长期占道经营，反映多次没人管。', '东湖区一家饭店油烟扰民，投诉多次没有下文。'] as const;

/** A ballot's comments: mostly none; now and then one, more often on the year's weakest units. */
function demoComments(talk: () => number, units: readonly { code: string }[], weakest: readonly string[]): Record<string, string> {
  if (talk() >= 0.1) return {};
  const code =
    weakest.length && talk() < 0.6 ? (weakest[Math.floor(talk() * weakest.length)] as string) : (units[Math.floor(talk() * units.length)]?.code ?? '');
  const r = talk();
  const text = r < 0.05 ? DEMO_NAMING_COMMENTS[Math.floor(talk() * DEMO_NAMING_COMMENTS.length)] : DEMO_COMMENTS[Math.floor(r * DEMO_COMMENTS.length)];
  return { [code]: text as string };
}

/**
 * Casts made-up ballots for a share of a round's seat holders, spread over the days the round has been open.
 * Each unit has a made-up quality for the year; `weakest` units get worse answers, so the demo's rankings and
 * flags have something to show.
 */
export async function demoBallots(store: Store, config: Config, year: number, opts: { share: number; days: { from: Date; to: Date }; weakest: string[] }) {
  const db = store.db;
  const round = await db.selectFrom('rounds').selectAll().where('year', '=', year).executeTakeFirstOrThrow();
  const units = await db.selectFrom('round_units').select('code').where('round_id', '=', round.id).orderBy('code').execute();
  const links = await db
    .selectFrom('round_links')
    .innerJoin('round_pool', (j) => j.onRef('round_pool.round_id', '=', 'round_links.round_id').onRef('round_pool.code', '=', 'round_links.code'))
    .select(['round_links.code', 'round_links.generation', 'round_pool.stratum'])
    .where('round_links.round_id', '=', round.id)
    .where('round_links.active', '=', 1)
    .orderBy('round_links.code')
    .execute();
  const rng = seedrandom(`demo-ballots-${year}`);
  // Comments come from a generator of their own, so that the answers (and the flags) stay as they always were.
  const talk = seedrandom(`demo-comments-${year}`);
  const quality = new Map(units.map((u) => [u.code, opts.weakest.includes(u.code) ? 0.35 + rng() * 0.1 : 0.55 + rng() * 0.35]));
  const design = designOf(round);
  // A ballot with a design: each item a little better or worse than the unit as a whole, and now and then a reason
  // ticked for a unit rated 不满意. The default ballot draws as it always did, so its years keep their figures.
  const designed = !isDefaultDesign(design);
  const drift = designed ? design.indicators.map((_, i) => (i === 0 ? 0 : (rng() - 0.5) * 0.3)) : [];
  const answer = (q: number): Answer => {
    const r = rng();
    return r < 0.08 ? 'unknown' : r < 0.08 + 0.92 * q ? 'satisfied' : r < 0.08 + 0.92 * (q + (1 - q) * 0.6) ? 'basic' : 'dissatisfied';
  };
  const span = Math.max(1, opts.days.to.getTime() - opts.days.from.getTime());
  let cast = 0;
  for (const link of links) {
    if (rng() >= opts.share) continue;
    const answers: Record<string, Answer | Answer[]> = {};
    const reasons: Record<string, number[]> = {};
    for (const u of units) {
      const q = quality.get(u.code) as number;
      if (!designed) {
        answers[u.code] = answer(q);
        continue;
      }
      const given = drift.map((d) => answer(Math.min(0.97, Math.max(0.05, q + d))));
      answers[u.code] = design.indicators.length > 1 ? given : (given[0] as Answer);
      if (design.reasons.length && given.includes('dissatisfied') && rng() < 0.6) {
        const picked = new Set([1 + Math.floor(rng() * design.reasons.length)]);
        if (rng() < 0.3) picked.add(1 + Math.floor(rng() * design.reasons.length));
        reasons[u.code] = [...picked].sort((a, b) => a - b);
      }
    }
    // Earlier days get more ballots, as with real reminders.
    const at = new Date(opts.days.from.getTime() + span * rng() ** 1.6);
    const token = linkToken(config.secret, year, link.code, link.generation);
    // A draw no answer uses, kept in the sequence: the answers after it, and so the demo's flags, depend on it.
    rng();
    const res = await castBallot(store, fixedClock(at), config.timeZone, {
      token,
      roundId: round.id,
      stratum: link.stratum,
      answers,
      reasons,
      comments: demoComments(talk, units, opts.weakest),
      comment: talk() < 0.03 ? '希望测评结果和整改情况都能及时公开。' : null,
    });
    if (res.ok) cast++;
  }
  return cast;
}
