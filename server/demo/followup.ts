/*
 * What followed the demo city's published years, so a newcomer sees the whole loop: comments screened (those naming
 * a shop withheld), released and answered by the units' liaisons (some late, some made public), rectification plans
 * for the bottom three at different stages — done, in progress, one past its deadline — and the measure recorded for
 * each unit in the bottom three two years running. Every step is the audited action it is in the console, at a
 * plausible date between the publication and now.
 */
import seedrandom from 'seedrandom';
import { createLiaison } from '../admin/liaisons.js';
import { auditTrail } from '../audit/log.js';
import { fixedClock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import { commentsOfRound, makeCommentPublic, releaseComment, replyToComment, withholdComment } from '../rectification/comments.js';
import { addItem, addUpdate } from '../rectification/items.js';
import { recordMeasure } from '../rectification/measures.js';
import { publishedFlags } from '../rectification/published.js';
import { addDays } from '../rectification/rules.js';
import { dateInZone } from '../time.js';
import { DEMO_NAMING_COMMENTS } from './rounds.js';

/** A unit's answer to each of the demo's comments (DEMO_COMMENTS), so that every published pair reads true. */
const REPLIES: Record<string, string> = {
  '窗口工作人员态度很好，办事效率高。': '感谢您的肯定，我们将继续保持。',
  '希望进一步简化办事流程，减少跑腿次数。': '已梳理全部办事事项，取消重复证明材料，常办事项“最多跑一次”。',
  '咨询电话经常打不通，希望增加人手。': '已增加咨询坐席，高峰时段接通率明显提高。',
  '网上办理系统经常卡顿，建议升级。': '办理系统已完成扩容升级，高峰时段运行平稳。',
  '执法过程中有时态度生硬，希望改进。': '我们将加强执法规范化培训，推行执法全过程记录。',
  '信息公开不够及时，希望定期发布工作进展。': '已在官网开设工作进展专栏，每月更新。',
  '办事指南写得不清楚，材料要求前后不一致。': '已重新梳理办事指南并在官网公布，材料清单全市统一。',
  '周末能否开放部分窗口，方便上班族办事。': '已开通网上预约和延时服务，周六上午开放综合窗口。',
  '对群众反映的问题回复太慢。': '已建立限时答复制度，一般问题五个工作日内答复。',
  '基层服务点太少，农村群众办事不便。': '已在各乡镇便民服务中心增设代办点，常用事项可就近办理。',
};

/** The demo unit's reply to a comment. */
export const demoReply = (comment: string): string => REPLIES[comment] ?? '感谢您的意见，我们已认真研究并落实改进。';

const ITEMS = [
  { problem: '群众反映办事流程繁琐、证明材料多', measure: '梳理全部办事事项，取消重复证明材料，推行“一次办好”' },
  { problem: '窗口服务态度生硬', measure: '开展文明服务专题培训，建立服务评价和通报制度' },
  { problem: '群众投诉回复不及时', measure: '建立投诉限时办结制度，逾期自动提醒分管领导' },
  { problem: '执法程序不够规范', measure: '推行执法全过程记录，每季度开展案卷评查' },
] as const;

const MEASURES = ['领导班子调整', '诫勉谈话'] as const;

function must<T>(r: { ok: true; value: T } | { ok: false; problems: unknown }): T {
  if (!r.ok) throw new Error(`demo follow-up: ${JSON.stringify(r.problems)}`);
  return r.value;
}

export interface DemoLiaison {
  username: string;
  unit: string;
}

/**
 * Plays the follow-up of each published year in `years` (oldest first) up to `now`. Every unit ever in the bottom
 * three gets a liaison (password `liaisonPassword`), who answers its comments and keeps its plan; the other units'
 * replies are entered by the office, as received. Returns the liaisons.
 */
export async function demoFollowUp(
  db: Database,
  config: Config,
  opts: { now: Date; years: readonly number[]; liaisonPassword: string },
): Promise<DemoLiaison[]> {
  const tz = config.timeZone;
  const latest = opts.years.at(-1);
  const liaisons: DemoLiaison[] = [];
  for (const year of opts.years) {
    const flags = await publishedFlags(db, year, tz);
    if (!flags) continue;
    const rng = seedrandom(`demo-followup-${year}`);
    const start = Date.parse(flags.publishedAt);
    const span = Math.max(3600_000, Math.min(opts.now.getTime(), start + 300 * 86400_000) - start);
    /** The audit trail at a share of the way from the publication to now (or to 300 days after it). */
    const at = (share: number) => auditTrail(config.secret, fixedClock(new Date(start + span * share)));
    const dayAt = (share: number) => dateInZone(new Date(start + span * share), tz);
    const liaisonOf = (unit: string) => (liaisons.some((l) => l.unit === unit) ? `liaison-${unit.toLowerCase()}` : 'demo');
    for (const u of flags.units.filter((x) => x.bottom3 && !liaisons.some((l) => l.unit === x.code))) {
      const username = `liaison-${u.code.toLowerCase()}`;
      const made = await createLiaison(db, at(0.01), { username, password: opts.liaisonPassword, unit: u.code, actor: 'demo' });
      if (!made.ok) throw new Error(`demo follow-up: ${JSON.stringify(made.problems)}`);
      liaisons.push({ username, unit: u.code });
    }

    // Screening: every comment released, save those naming a shop.
    const comments = await commentsOfRound(db, flags.round.id);
    for (const c of comments) {
      if ((DEMO_NAMING_COMMENTS as readonly string[]).includes(c.text)) {
        must(await withholdComment(db, at(0.02), { year, id: c.id, reason: '点名具体商户，交办前需核实' }, 'demo'));
      } else {
        must(await releaseComment(db, at(0.02), { year, id: c.id, replyDays: config.replyDays, timeZone: tz }, 'demo'));
      }
    }
    // Replies: most units answer most comments in time; some are left unanswered, and so overdue.
    const released = (await commentsOfRound(db, flags.round.id)).filter((c) => c.status === 'released');
    for (const c of released) {
      if (rng() < 0.25) continue;
      must(await replyToComment(db, at(0.03 + 0.04 * rng()), { id: c.id, unit: c.unitCode, reply: demoReply(c.text) }, liaisonOf(c.unitCode)));
      if (rng() < 0.4) must(await makeCommentPublic(db, at(0.09), { year, id: c.id }, 'demo'));
    }

    // Plans for the bottom three, two items each. Earlier years: done, save one item of the year before the latest
    // that is past its deadline. The latest year at every stage: under way (two years running first, so the unit
    // with the most at stake is seen making progress), half done, and a plan only just written.
    const flagged = flags.units.filter((u) => u.bottom3).sort((a, b) => Number(b.bottom3TwoYears) - Number(a.bottom3TwoYears));
    for (const [k, u] of flagged.entries()) {
      const stage = year !== latest ? (k === 0 && year === opts.years.at(-2) ? 'late' : 'done') : (['started', 'half', 'planned'] as const)[k % 3];
      for (const [j, text] of [ITEMS[k % ITEMS.length], ITEMS[(k + 1) % ITEMS.length]].entries()) {
        const finished = stage === 'done' || (stage === 'late' && j === 1) || (stage === 'half' && j === 0);
        const deadline = finished || stage === 'late' ? dayAt(0.5 + 0.1 * j) : addDays(dateInZone(opts.now, tz), 60 + 30 * j);
        const item = must(
          await addItem(
            db,
            at(stage === 'planned' ? 0.9 : 0.05),
            { year, unit: u.code, problem: text!.problem, measure: text!.measure, deadline, timeZone: tz },
            liaisonOf(u.code),
          ),
        );
        const update = (share: number, status: string, note: string) =>
          addUpdate(db, at(share), { id: item.id, status, note, unit: u.code, timeZone: tz }, liaisonOf(u.code));
        if (stage === 'planned') continue;
        must(await update(0.15, 'in_progress', '已制定实施方案，正在推进。'));
        if (finished) must(await update(0.45, 'done', '已完成，相关制度已印发。'));
        else if (stage !== 'late') must(await update(0.6, 'in_progress', '已完成第一阶段，正在全面推开。'));
      }
    }

    // The measure for each unit in the bottom three two years running.
    for (const u of flags.units.filter((x) => x.bottom3TwoYears)) {
      const measure = year === latest ? MEASURES[0] : MEASURES[1];
      must(await recordMeasure(db, at(0.2), { year, unit: u.code, measure, decidedOn: dayAt(0.18), note: '经市委研究决定。', timeZone: tz }, 'demo'));
    }
  }
  return liaisons;
}
