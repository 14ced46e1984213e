/*
 * The rules of what follows the ranking, as pure functions of dates (YYYY-MM-DD in the city's time zone) and
 * rows: when a reply is due and overdue, an item's status and whether it is overdue, how long a measure has been
 * pending. No clock and no database here: "today" comes in as an argument.
 */

export const ITEM_STATUSES = ['planned', 'in_progress', 'done'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** Limits of the texts people write here, in characters. */
export const LIMITS = {
  reason: 200,
  reply: 2000,
  problem: 500,
  itemMeasure: 500,
  note: 500,
  measure: 100,
  measureNote: 1000,
} as const;

export function isItemStatus(v: string): v is ItemStatus {
  return (ITEM_STATUSES as readonly string[]).includes(v);
}

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isDate(v: string): boolean {
  if (!/^\d{4}-\d\d-\d\d$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/** The date `days` days after `date` (both YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86400_000).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` comes first). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400_000);
}

/** An item's status is that of its latest update; an item without updates is planned. */
export function itemStatus(updates: readonly { status: ItemStatus }[]): ItemStatus {
  return updates.at(-1)?.status ?? 'planned';
}

/** Overdue: the deadline has passed (today is later) and the item is not done. Due on its deadline day itself. */
export function itemOverdue(deadline: string, status: ItemStatus, today: string): boolean {
  return status !== 'done' && today > deadline;
}

/** A released comment without a reply is overdue once today is later than its due date. */
export function replyOverdue(c: { status: string; dueOn: string | null; reply: string | null }, today: string): boolean {
  return c.status === 'released' && c.reply === null && c.dueOn !== null && today > c.dueOn;
}

/**
 * Days since publication while a unit in the bottom three two years running has no measure recorded; null when
 * it is recorded or the unit is not so flagged.
 */
export function measurePendingDays(twoYears: boolean, recorded: boolean, publishedOn: string, today: string): number | null {
  return twoYears && !recorded ? Math.max(0, daysBetween(publishedOn, today)) : null;
}
