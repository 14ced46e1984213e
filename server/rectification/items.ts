import type { AuditTrail } from '../audit/log.js';
import { isoTime, newId } from '../db/ids.js';
import type { Database, Executor } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { dateInZone } from '../time.js';
import { charLength, isCode } from '../validate.js';
import type { Problem } from '../validate.js';
import { publishedFlags } from './published.js';
import { refuse, type Result } from './result.js';
import { isDate, isItemStatus, itemOverdue, itemStatus, LIMITS, type ItemStatus } from './rules.js';

/*
 * Rectification plans (整改): for a published year, a unit's items {problem, measure, deadline}, each with dated
 * progress updates. An item is public from the moment it is written and never edited: its history is the list of
 * its updates. Any unit may have a plan; a unit in the bottom three must.
 */

export interface ItemUpdate {
  date: string;
  status: ItemStatus;
  note: string;
}

export interface Item {
  id: string;
  roundId: string;
  unitCode: string;
  position: number;
  problem: string;
  measure: string;
  deadline: string;
  updates: ItemUpdate[];
  status: ItemStatus;
}

/** Items of a round (of one unit, or all), in each unit's order, with their updates oldest first. */
export async function itemsOfRound(db: Executor, roundId: string, unit?: string): Promise<Item[]> {
  let q = db.selectFrom('rectification_items').selectAll().where('round_id', '=', roundId);
  if (unit !== undefined) q = q.where('unit_code', '=', unit);
  const items = await q.orderBy('unit_code').orderBy('position').execute();
  if (!items.length) return [];
  const updates = await db
    .selectFrom('rectification_updates')
    .select(['item_id', 'date', 'status', 'note'])
    .where(
      'item_id',
      'in',
      items.map((i) => i.id),
    )
    .orderBy('item_id')
    .orderBy('seq')
    .execute();
  const byItem = new Map<string, ItemUpdate[]>();
  for (const u of updates) byItem.set(u.item_id, [...(byItem.get(u.item_id) ?? []), { date: u.date, status: u.status, note: u.note }]);
  return items.map((i) => {
    const list = byItem.get(i.id) ?? [];
    return {
      id: i.id,
      roundId: i.round_id,
      unitCode: i.unit_code,
      position: i.position,
      problem: i.problem,
      measure: i.measure,
      deadline: i.deadline,
      updates: list,
      status: itemStatus(list),
    };
  });
}

/** True when the item is past its deadline and not done, as of `today`. */
export const isOverdue = (item: Pick<Item, 'deadline' | 'status'>, today: string) => itemOverdue(item.deadline, item.status, today);

export interface ItemInput {
  year: number;
  unit: string;
  problem: string;
  measure: string;
  deadline: string;
  timeZone: string;
}

/** Every problem with an item's own fields (the round's facts are checked by `addItem`). */
function itemProblems(input: ItemInput): Problem[] {
  const problems: Problem[] = [];
  const problem = input.problem.trim();
  const measure = input.measure.trim();
  if (charLength(problem) < 1 || charLength(problem) > LIMITS.problem)
    problems.push({ key: 'items.error.problem', params: { max: LIMITS.problem }, field: 'problem' });
  if (charLength(measure) < 1 || charLength(measure) > LIMITS.itemMeasure)
    problems.push({ key: 'items.error.measure', params: { max: LIMITS.itemMeasure }, field: 'measure' });
  if (!isDate(input.deadline.trim())) problems.push({ key: 'items.error.deadline', field: 'deadline' });
  return problems;
}

/**
 * Adds an item to a unit's plan for a published year. Refused (422, nothing written) for a year without published
 * results, a deadline before publication, or texts out of bounds; 404 for a unit not in the year's round.
 */
export async function addItem(db: Database, audit: AuditTrail, input: ItemInput, actor: string): Promise<Result<Item>> {
  const problems = itemProblems(input);
  return transaction(db, async (trx) => {
    const flags = await publishedFlags(trx, input.year, input.timeZone);
    if (!flags) return refuse(422, 'items.error.notPublished', { year: input.year });
    if (!isCode(input.unit) || !flags.units.some((u) => u.code === input.unit))
      return refuse(404, 'items.error.unitNotInRound', { unit: input.unit.slice(0, 32), year: input.year });
    const deadline = input.deadline.trim();
    if (isDate(deadline) && deadline < flags.publishedOn)
      problems.push({ key: 'items.error.deadlineEarly', params: { date: flags.publishedOn }, field: 'deadline' });
    if (problems.length) return { ok: false as const, status: 422 as const, problems };
    const last = await trx
      .selectFrom('rectification_items')
      .select((eb) => eb.fn.max('position').as('p'))
      .where('round_id', '=', flags.round.id)
      .where('unit_code', '=', input.unit)
      .executeTakeFirst();
    const item = {
      id: newId(),
      round_id: flags.round.id,
      unit_code: input.unit,
      position: Number(last?.p ?? 0) + 1,
      problem: input.problem.trim(),
      measure: input.measure.trim(),
      deadline,
      created_at: isoTime(audit.clock.now()),
    };
    await trx.insertInto('rectification_items').values(item).execute();
    await audit.record(trx, {
      actor,
      action: 'rectification.add',
      detail: { year: input.year, unit: input.unit, id: item.id, problem: item.problem, measure: item.measure, deadline },
    });
    return {
      ok: true as const,
      value: {
        id: item.id,
        roundId: item.round_id,
        unitCode: item.unit_code,
        position: item.position,
        problem: item.problem,
        measure: item.measure,
        deadline,
        updates: [],
        status: 'planned' as const,
      },
    };
  });
}

/** The item with this id and the year of its round, if any. */
export async function findItem(db: Executor, id: string): Promise<(Item & { year: number }) | undefined> {
  const row = await db
    .selectFrom('rectification_items')
    .innerJoin('rounds', 'rounds.id', 'rectification_items.round_id')
    .select(['rectification_items.round_id', 'rectification_items.unit_code', 'rounds.year'])
    .where('rectification_items.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const item = (await itemsOfRound(db, row.round_id, row.unit_code)).find((i) => i.id === id);
  return item && { ...item, year: row.year };
}

/**
 * Adds a dated progress update (today, in the city's time zone) to an item. `unit` is the liaison's unit (an item
 * of another unit answers 403); null for an administrator or the command line.
 */
export async function addUpdate(
  db: Database,
  audit: AuditTrail,
  input: { id: string; status: string; note: string; unit: string | null; timeZone: string },
  actor: string,
): Promise<Result<Item & { year: number }>> {
  return transaction(db, async (trx) => {
    const item = /^[0-9a-f-]{36}$/.test(input.id) ? await findItem(trx, input.id) : undefined;
    if (!item) return refuse(404, 'items.error.notFound');
    if (input.unit !== null && item.unitCode !== input.unit) return refuse(403, 'liaisons.otherUnit');
    const problems: Problem[] = [];
    const status = input.status.trim();
    const note = input.note.trim().replace(/\r\n/g, '\n');
    if (!isItemStatus(status)) problems.push({ key: 'items.error.status', field: 'status' });
    if (charLength(note) > LIMITS.note) problems.push({ key: 'items.error.note', params: { max: LIMITS.note }, field: 'note' });
    if (!isItemStatus(status) || problems.length) return { ok: false as const, status: 422 as const, problems };
    const now = audit.clock.now();
    const date = dateInZone(now, input.timeZone);
    const seq = item.updates.length + 1;
    await trx
      .insertInto('rectification_updates')
      .values({ item_id: item.id, seq, date, status, note, created_at: isoTime(now) })
      .execute();
    await audit.record(trx, { actor, action: 'rectification.update', detail: { year: item.year, unit: item.unitCode, id: item.id, status, note } });
    const updates = [...item.updates, { date, status, note }];
    return { ok: true as const, value: { ...item, updates, status } };
  });
}
