import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoTime } from '../db/ids.js';
import type { Database, Executor } from '../db/schema.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

/** The hash of one row: binds its content to the row before it, so no row can change, vanish or appear unseen. */
export function auditHash(row: { seq: number; at: string; actor: string; action: string; detail: string; prev_hash: string }): string {
  return createHash('sha256')
    .update([row.prev_hash, String(row.seq), row.at, row.actor, row.action, row.detail].join('\n'))
    .digest('hex');
}

/**
 * Appends one row to the hash-chained audit log. Call it inside the transaction of the action it records,
 * so the action and its record stand or fall together. Never put personal data in `detail`.
 */
export async function appendAudit(db: Executor, clock: Clock, entry: AuditEntry): Promise<void> {
  const last = await db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const row = {
    seq: (last?.seq ?? 0) + 1,
    at: isoTime(clock.now()),
    actor: entry.actor,
    action: entry.action,
    detail: JSON.stringify(entry.detail),
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  await db.insertInto('audit_log').values({ ...row, hash: auditHash(row) }).execute();
}

export type AuditVerdict = { ok: true; rows: number } | { ok: false; rows: number; seq: number; problem: string };

/** Walks the whole chain; reports the first row that was edited, inserted or follows a deleted one. */
export async function verifyAudit(db: Database): Promise<AuditVerdict> {
  const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq', 'asc').execute();
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const row of rows) {
    if (row.seq !== expectedSeq) return { ok: false, rows: rows.length, seq: row.seq, problem: `row ${expectedSeq} is missing (found ${row.seq} next)` };
    if (row.prev_hash !== prev) return { ok: false, rows: rows.length, seq: row.seq, problem: 'does not follow the row before it' };
    if (auditHash(row) !== row.hash) return { ok: false, rows: rows.length, seq: row.seq, problem: 'its content does not match its hash (edited)' };
    prev = row.hash;
    expectedSeq++;
  }
  return { ok: true, rows: rows.length };
}
