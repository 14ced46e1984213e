import { randomBytes } from 'node:crypto';
import type { AuditTrail } from '../audit/log.js';
import { isoTime } from '../db/ids.js';
import type { CommentStatus, Database, Executor, RoundTable, UnitCommentTable } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { dateInZone } from '../time.js';
import { charLength, isLine } from '../validate.js';
import { refuse, type Result } from './result.js';
import { addDays, LIMITS, replyOverdue } from './rules.js';

/*
 * Comments handed to units (交办) and their replies (答复). When a round closes, every comment a ballot made on a
 * unit is copied into `unit_comments` under a random id of its own, with no reference to its ballot, and the rows
 * are written in id order: neither an id nor a row's place can tell that two comments came from one ballot.
 * Administrators then screen each one (release it to its unit, or withhold it with a reason); the unit's liaison
 * replies to what was released; an administrator may make an answered comment public. Overall comments are never
 * handed to a unit.
 */

export interface HandedComment {
  id: number;
  roundId: string;
  unitCode: string;
  text: string;
  status: CommentStatus;
  reason: string | null;
  screenedAt: string | null;
  dueOn: string | null;
  reply: string | null;
  repliedAt: string | null;
  public: boolean;
}

function toComment(r: UnitCommentTable): HandedComment {
  return {
    id: Number(r.id),
    roundId: r.round_id,
    unitCode: r.unit_code,
    text: r.text,
    status: r.status,
    reason: r.reason,
    screenedAt: r.screened_at,
    dueOn: r.due_on,
    reply: r.reply,
    repliedAt: r.replied_at,
    public: r.public === 1,
  };
}

/** A comment's id: random, 1 to 2^53 − 1 (on SQLite the rowid, so rows are stored in this random order). */
function commentId(): number {
  const b = randomBytes(7);
  let id = b[0]! & 0x1f;
  for (let i = 1; i < 7; i++) id = id * 256 + b[i]!;
  return id || 1;
}

/** Comments can be screened and answered only while the round is closed or published (never while it is open). */
export function handedOver(round: Pick<RoundTable, 'status'>): boolean {
  return round.status === 'closed' || round.status === 'published';
}

/**
 * Copies into `unit_comments` the unit comments of the round's ballots that are not there yet, counted as a
 * multiset of (unit, text): a round closed again after reopening adds the comments of the ballots cast meanwhile
 * and keeps those already handed over, screened or not. The new rows get fresh random ids and are inserted in id
 * order. Run inside the transaction that closes the round.
 */
export async function handOverComments(trx: Executor, roundId: string): Promise<number> {
  const wanted = new Map<string, { unit: string; text: string; n: number }>();
  const ballots = await trx.selectFrom('ballots').select('comments').where('round_id', '=', roundId).execute();
  for (const b of ballots) {
    for (const [unit, text] of Object.entries(JSON.parse(b.comments) as Record<string, string>)) {
      const key = `${unit}\u0000${text}`;
      const entry = wanted.get(key) ?? { unit, text, n: 0 };
      entry.n++;
      wanted.set(key, entry);
    }
  }
  const have = await trx.selectFrom('unit_comments').select(['unit_code', 'text']).where('round_id', '=', roundId).execute();
  for (const h of have) {
    const entry = wanted.get(`${h.unit_code}\u0000${h.text}`);
    if (entry) entry.n--;
  }
  const taken = new Set((await trx.selectFrom('unit_comments').select('id').execute()).map((r) => Number(r.id)));
  const rows: { id: number; round_id: string; unit_code: string; text: string; status: CommentStatus; public: number }[] = [];
  for (const { unit, text, n } of wanted.values()) {
    for (let i = 0; i < n; i++) {
      let id = commentId();
      while (taken.has(id)) id = commentId();
      taken.add(id);
      rows.push({ id, round_id: roundId, unit_code: unit, text, status: 'pending', public: 0 });
    }
  }
  rows.sort((a, b) => a.id - b.id);
  for (let i = 0; i < rows.length; i += 500)
    await trx
      .insertInto('unit_comments')
      .values(rows.slice(i, i + 500))
      .execute();
  return rows.length;
}

/** The round's handed comments, by unit code, then by id (an order that says nothing about the ballots). */
export async function commentsOfRound(db: Executor, roundId: string, unit?: string): Promise<HandedComment[]> {
  let q = db.selectFrom('unit_comments').selectAll().where('round_id', '=', roundId);
  if (unit !== undefined) q = q.where('unit_code', '=', unit);
  return (await q.orderBy('unit_code').orderBy('id').execute()).map(toComment);
}

/**
 * What a liaison sees: their unit's released comments of every round that is closed or published (never while a
 * round is open again), newest round first.
 */
export async function releasedToUnit(db: Executor, unit: string): Promise<(HandedComment & { year: number })[]> {
  const rows = await db
    .selectFrom('unit_comments')
    .innerJoin('rounds', 'rounds.id', 'unit_comments.round_id')
    .selectAll('unit_comments')
    .select('rounds.year')
    .where('unit_comments.unit_code', '=', unit)
    .where('unit_comments.status', '=', 'released')
    .where('rounds.status', 'in', ['closed', 'published'])
    .orderBy('rounds.year', 'desc')
    .orderBy('unit_comments.id')
    .execute();
  return rows.map((r) => ({ ...toComment(r), year: r.year }));
}

export interface CommentFigures {
  pending: number;
  released: number;
  withheld: number;
  replied: number;
  overdue: number;
  public: number;
}

/** Counts of a list of comments, overdue as of `today`. */
export function commentFigures(list: readonly HandedComment[], today: string): CommentFigures {
  const f: CommentFigures = { pending: 0, released: 0, withheld: 0, replied: 0, overdue: 0, public: 0 };
  for (const c of list) {
    f[c.status]++;
    if (c.status === 'released' && c.reply !== null) f.replied++;
    if (replyOverdue(c, today)) f.overdue++;
    if (c.public) f.public++;
  }
  return f;
}

/** The comment with this id in the year's round, and the round; refusals for an unknown round or comment. */
async function commentInYear(trx: Executor, year: number, id: number): Promise<Result<{ round: RoundTable; comment: HandedComment }>> {
  // (Read here rather than through rounds/: closing a round calls into this module.)
  const round = await trx.selectFrom('rounds').selectAll().where('year', '=', year).executeTakeFirst();
  if (!round) return refuse(404, 'rounds.error.notFound', { year });
  const row = Number.isSafeInteger(id)
    ? await trx.selectFrom('unit_comments').selectAll().where('id', '=', id).where('round_id', '=', round.id).executeTakeFirst()
    : undefined;
  if (!row) return refuse(404, 'comments.error.notFound');
  if (!handedOver(round)) return refuse(422, 'comments.error.notClosed', { year });
  return { ok: true, value: { round, comment: toComment(row) } };
}

/** Releases a comment to its unit; its reply is due `replyDays` after today (in the city's time zone). */
export async function releaseComment(
  db: Database,
  audit: AuditTrail,
  input: { year: number; id: number; replyDays: number; timeZone: string },
  actor: string,
): Promise<Result<HandedComment>> {
  return transaction(db, async (trx) => {
    const found = await commentInYear(trx, input.year, input.id);
    if (!found.ok) return found;
    const { comment } = found.value;
    if (comment.status !== 'pending') return refuse(422, 'comments.error.screened');
    const now = audit.clock.now();
    const dueOn = addDays(dateInZone(now, input.timeZone), input.replyDays);
    await trx
      .updateTable('unit_comments')
      .set({ status: 'released', screened_at: isoTime(now), due_on: dueOn })
      .where('id', '=', comment.id)
      .execute();
    await audit.record(trx, { actor, action: 'comment.release', detail: { year: input.year, id: comment.id, unit: comment.unitCode, dueOn } });
    return { ok: true as const, value: { ...comment, status: 'released' as const, screenedAt: isoTime(now), dueOn } };
  });
}

/** Withholds a comment from its unit, with a reason the administrators keep (personal details, abuse). */
export async function withholdComment(
  db: Database,
  audit: AuditTrail,
  input: { year: number; id: number; reason: string },
  actor: string,
): Promise<Result<HandedComment>> {
  const reason = input.reason.trim();
  if (!isLine(reason, 1, LIMITS.reason)) return refuse(422, 'comments.error.reason', { max: LIMITS.reason }, 'reason');
  return transaction(db, async (trx) => {
    const found = await commentInYear(trx, input.year, input.id);
    if (!found.ok) return found;
    const { comment } = found.value;
    if (comment.status !== 'pending') return refuse(422, 'comments.error.screened');
    const now = isoTime(audit.clock.now());
    await trx.updateTable('unit_comments').set({ status: 'withheld', reason, screened_at: now }).where('id', '=', comment.id).execute();
    await audit.record(trx, { actor, action: 'comment.withhold', detail: { year: input.year, id: comment.id, unit: comment.unitCode, reason } });
    return { ok: true as const, value: { ...comment, status: 'withheld' as const, reason, screenedAt: now } };
  });
}

/** Makes a released and answered comment public with its reply; the only way a comment's text reaches the public. */
export async function makeCommentPublic(db: Database, audit: AuditTrail, input: { year: number; id: number }, actor: string): Promise<Result<HandedComment>> {
  return transaction(db, async (trx) => {
    const found = await commentInYear(trx, input.year, input.id);
    if (!found.ok) return found;
    const { comment } = found.value;
    if (comment.status !== 'released' || comment.reply === null) return refuse(422, 'comments.error.notAnswered');
    if (comment.public) return refuse(422, 'comments.error.alreadyPublic');
    await trx.updateTable('unit_comments').set({ public: 1 }).where('id', '=', comment.id).execute();
    await audit.record(trx, { actor, action: 'comment.public', detail: { year: input.year, id: comment.id, unit: comment.unitCode } });
    return { ok: true as const, value: { ...comment, public: true } };
  });
}

/**
 * The unit's reply to a comment released to it; given once. `unit` is the liaison's unit (a comment of another
 * unit answers 403); null for the command line, which answers for any unit.
 */
export async function replyToComment(
  db: Database,
  audit: AuditTrail,
  input: { id: number; unit: string | null; reply: string },
  actor: string,
): Promise<Result<HandedComment>> {
  const reply = input.reply.trim().replace(/\r\n/g, '\n');
  if (charLength(reply) < 1 || charLength(reply) > LIMITS.reply) return refuse(422, 'comments.error.reply', { max: LIMITS.reply }, 'reply');
  return transaction(db, async (trx) => {
    const row = Number.isSafeInteger(input.id)
      ? await trx
          .selectFrom('unit_comments')
          .innerJoin('rounds', 'rounds.id', 'unit_comments.round_id')
          .selectAll('unit_comments')
          .select(['rounds.year', 'rounds.status as roundStatus'])
          .where('unit_comments.id', '=', input.id)
          .executeTakeFirst()
      : undefined;
    if (!row) return refuse(404, 'comments.error.notFound');
    if (input.unit !== null && row.unit_code !== input.unit) return refuse(403, 'liaisons.otherUnit');
    if (!handedOver({ status: row.roundStatus })) return refuse(422, 'comments.error.notClosed', { year: row.year });
    if (row.status !== 'released') return refuse(422, 'comments.error.notReleased');
    if (row.reply !== null) return refuse(422, 'comments.error.replied');
    const now = isoTime(audit.clock.now());
    await trx.updateTable('unit_comments').set({ reply, replied_at: now }).where('id', '=', row.id).execute();
    await audit.record(trx, { actor, action: 'comment.reply', detail: { year: row.year, id: Number(row.id), unit: row.unit_code } });
    return { ok: true as const, value: { ...toComment(row), reply, repliedAt: now } };
  });
}
