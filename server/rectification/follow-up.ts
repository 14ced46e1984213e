import type { Executor } from '../db/schema.js';
import { dateInZone } from '../time.js';
import { commentFigures, commentsOfRound, type HandedComment } from './comments.js';
import { isOverdue, itemsOfRound, type Item } from './items.js';
import { measuresOfRound } from './measures.js';
import { publishedFlags, type FlaggedUnit } from './published.js';
import { measurePendingDays, type ItemStatus } from './rules.js';

/*
 * A published year's follow-up as the public sees it (`/rectification/{year}.json`, the pages): per unit, in the
 * order of the year's results, its flags, the measure taken or how long it is pending, its rectification items with
 * status and overdue flags, and the comments handed to it — counts, and the text only of those made public with
 * their reply. Withheld and unreleased comments, reasons, and who did what stay in the console.
 */

export interface FollowUpItem {
  id: string;
  problem: string;
  measure: string;
  deadline: string;
  status: ItemStatus;
  overdue: boolean;
  updates: { date: string; status: ItemStatus; note: string }[];
}

export interface FollowUpUnit {
  code: string;
  name: string;
  bottom3: boolean;
  bottom3TwoYears: boolean;
  measure: { measure: string; decidedOn: string; note: string } | null;
  measurePendingDays: number | null;
  items: FollowUpItem[];
  comments: { released: number; replied: number; overdue: number; public: { comment: string; reply: string; repliedOn: string }[] };
}

/** The open data of one published year, in the field order of README, Open data. */
export interface FollowUpDocument {
  year: number;
  publishedAt: string;
  units: FollowUpUnit[];
}

/** What the pages show besides the open data: each unit's category and rank, and the publication date. */
export interface FollowUpYear {
  doc: FollowUpDocument;
  flags: Map<string, FlaggedUnit>;
  publishedOn: string;
  today: string;
}

function publicItem(item: Item, today: string): FollowUpItem {
  return {
    id: item.id,
    problem: item.problem,
    measure: item.measure,
    deadline: item.deadline,
    status: item.status,
    overdue: isOverdue(item, today),
    updates: item.updates.map((u) => ({ date: u.date, status: u.status, note: u.note })),
  };
}

function publicComments(list: readonly HandedComment[], today: string, timeZone: string) {
  const f = commentFigures(list, today);
  const shown = list
    .filter((c) => c.public && c.reply !== null && c.repliedAt !== null)
    .sort((a, b) => (a.repliedAt as string).localeCompare(b.repliedAt as string) || a.id - b.id)
    .map((c) => ({ comment: c.text, reply: c.reply as string, repliedOn: dateInZone(new Date(c.repliedAt as string), timeZone) }));
  return { released: f.released, replied: f.replied, overdue: f.overdue, public: shown };
}

/**
 * The follow-up of a published year as of `today` (YYYY-MM-DD in the city's time zone); undefined when the year has
 * no published results. Overdue flags and pending days are those of `today`. With `only`, just that unit's part
 * is read (the unit's page asks for every year).
 */
export async function followUpOfYear(db: Executor, year: number, today: string, timeZone: string, only?: string): Promise<FollowUpYear | undefined> {
  const flags = await publishedFlags(db, year, timeZone);
  if (!flags) return undefined;
  const [items, comments, measures] = await Promise.all([
    itemsOfRound(db, flags.round.id, only),
    commentsOfRound(db, flags.round.id, only),
    measuresOfRound(db, flags.round.id),
  ]);
  const units = flags.units
    .filter((u) => only === undefined || u.code === only)
    .map((u): FollowUpUnit => {
      const m = measures.get(u.code);
      return {
        code: u.code,
        name: u.name,
        bottom3: u.bottom3,
        bottom3TwoYears: u.bottom3TwoYears,
        measure: m ? { measure: m.measure, decidedOn: m.decidedOn, note: m.note } : null,
        measurePendingDays: measurePendingDays(u.bottom3TwoYears, m !== undefined, flags.publishedOn, today),
        items: items.filter((i) => i.unitCode === u.code).map((i) => publicItem(i, today)),
        comments: publicComments(
          comments.filter((c) => c.unitCode === u.code),
          today,
          timeZone,
        ),
      };
    });
  return {
    doc: { year, publishedAt: flags.publishedAt, units },
    flags: new Map(flags.units.map((u) => [u.code, u])),
    publishedOn: flags.publishedOn,
    today,
  };
}
