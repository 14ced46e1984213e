import type { Executor } from '../db/schema.js';
import { turnoutBy, type Round } from '../rounds/rounds.js';

export interface Tally {
  label: string | null;
  seats: number;
  answered: number;
}

/** Seats and answered links by district (from the frozen pool), for the console. */
export function turnoutByDistrict(db: Executor, round: Round): Promise<Tally[]> {
  return turnoutBy(db, round, 'district');
}

/** Ballots per day (the only time kept), oldest first, with days without ballots filled in as zero. */
export async function turnoutByDay(db: Executor, round: Round): Promise<{ date: string; count: number }[]> {
  const rows = await db
    .selectFrom('round_links')
    .select(['used_on', (eb) => eb.fn.countAll<number>().as('n')])
    .where('round_id', '=', round.id)
    .where('used_on', 'is not', null)
    .groupBy('used_on')
    .orderBy('used_on')
    .execute();
  const counts = new Map(rows.map((r) => [r.used_on as string, Number(r.n)]));
  const first = rows[0]?.used_on;
  const last = rows.at(-1)?.used_on;
  if (!first || !last) return [];
  const days: { date: string; count: number }[] = [];
  for (let d = new Date(`${first}T00:00:00Z`); d <= new Date(`${last}T00:00:00Z`); d = new Date(d.getTime() + 86400_000)) {
    const key = d.toISOString().slice(0, 10);
    days.push({ date: key, count: counts.get(key) ?? 0 });
  }
  return days;
}

export interface UnitComments {
  code: string;
  name: string;
  category: string;
  comments: string[];
}

/**
 * Comments grouped by unit, plus the overall comments; for administrators only, never public, and only once the
 * round has closed (undefined before): while it is open, the list of who has not answered yet changes with every
 * ballot, and a comment seen to appear beside it would name its author. Read in the order of the ballots' random
 * ids, which says nothing about who wrote them or when.
 */
export async function commentsByUnit(db: Executor, round: Round): Promise<{ units: UnitComments[]; overall: string[] } | undefined> {
  if (round.status !== 'closed' && round.status !== 'published') return undefined;
  const units = await db
    .selectFrom('round_units')
    .select(['code', 'name', 'category'])
    .where('round_id', '=', round.id)
    .orderBy('category_position')
    .orderBy('code')
    .execute();
  const byUnit = new Map<string, string[]>(units.map((u) => [u.code, []]));
  const overall: string[] = [];
  const ballots = await db.selectFrom('ballots').select(['comments', 'comment']).where('round_id', '=', round.id).orderBy('id').execute();
  for (const b of ballots) {
    for (const [code, text] of Object.entries(JSON.parse(b.comments) as Record<string, string>)) byUnit.get(code)?.push(text);
    if (b.comment) overall.push(b.comment);
  }
  return { units: units.map((u) => ({ ...u, comments: byUnit.get(u.code) ?? [] })), overall };
}
