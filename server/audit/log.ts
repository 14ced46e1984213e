import { createHash, createHmac } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoTime } from '../db/ids.js';
import { transaction } from '../db/transaction.js';
import type { AuditLogTable, Database, Executor } from '../db/schema.js';

/*
 * The audit log is a hash chain keyed with a secret that is not in the database (derived from SECRET): whoever can
 * write to the database can still edit rows, but cannot compute the hashes that would hide the edit. The chain's
 * head is also published with every results snapshot, so history before a publication cannot change without the
 * copies already out in the world showing it.
 */

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

type Chained = Pick<AuditLogTable, 'seq' | 'at' | 'actor' | 'action' | 'detail' | 'prev_hash'>;

/** The key of the chain: a value derived from SECRET for this one purpose, so it reveals nothing of the links. */
export function auditKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('pingyi-audit-chain-v1').digest();
}

const chainText = (row: Chained) => [row.prev_hash, String(row.seq), row.at, row.actor, row.action, row.detail].join('\n');

/** The hash of one row: binds its content to the row before it, under the installation's key. */
export function auditHash(key: Buffer, row: Chained): string {
  return createHmac('sha256', key).update(chainText(row)).digest('hex');
}

/** The unkeyed hash the chain used before it was keyed; only `audit rekey` accepts rows hashed so. */
export function legacyAuditHash(row: Chained): string {
  return createHash('sha256').update(chainText(row)).digest('hex');
}

/** Where the chain stands: how many rows, and the hash of the last one (GENESIS_HASH when empty). */
export interface AuditHead {
  rows: number;
  head: string;
}

export async function auditHead(db: Executor): Promise<AuditHead> {
  const last = await db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return { rows: last?.seq ?? 0, head: last?.hash ?? GENESIS_HASH };
}

/**
 * Appends rows to the chain, and gives the time the rows (and the actions they record) carry. Every audited verb
 * takes one; call `record` inside the transaction of the action, so the action and its row stand or fall together.
 */
export interface AuditTrail {
  readonly clock: Clock;
  /** Appends one row. Never put personal data in `detail`. */
  record(db: Executor, entry: AuditEntry): Promise<void>;
  /**
   * The head to publish with results; undefined while the chain still begins with rows written before it was keyed
   * (a head published then would change at `audit rekey`).
   */
  publishableHead(db: Executor): Promise<AuditHead | undefined>;
}

export function auditTrail(secret: string, clock: Clock): AuditTrail {
  const key = auditKey(secret);
  return {
    clock,
    async record(db, entry) {
      const last = await auditHead(db);
      const row = {
        seq: last.rows + 1,
        at: isoTime(clock.now()),
        actor: entry.actor,
        action: entry.action,
        detail: JSON.stringify(entry.detail),
        prev_hash: last.head,
      };
      await db
        .insertInto('audit_log')
        .values({ ...row, hash: auditHash(key, row) })
        .execute();
    },
    async publishableHead(db) {
      const first = await db.selectFrom('audit_log').selectAll().where('seq', '=', 1).executeTakeFirst();
      if (first && auditHash(key, first) !== first.hash) return undefined;
      return auditHead(db);
    },
  };
}

/** A chain head as a published results file states it, and where it was read from (for the message). */
export interface PublishedHead {
  source: string;
  audit: AuditHead;
}

export type AuditVerdict = { ok: true; rows: number; heads: number } | { ok: false; rows: number; seq: number; problem: string; unkeyed?: true };

/**
 * Walks the whole chain under `key` and reports the first row that was edited, inserted, follows a deleted one, or
 * was not hashed with the key; then checks that each published head is still a row of the chain (the published
 * results of every year store theirs; files given by the caller add theirs).
 */
export async function verifyAudit(db: Database, key: Buffer, extra: readonly PublishedHead[] = []): Promise<AuditVerdict> {
  const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq', 'asc').execute();
  const n = rows.length;
  let prev = GENESIS_HASH;
  for (const [i, row] of rows.entries()) {
    const expected = i + 1;
    if (row.seq !== expected) return { ok: false, rows: n, seq: row.seq, problem: `row ${expected} is missing (found ${row.seq} next)` };
    if (row.prev_hash !== prev) return { ok: false, rows: n, seq: row.seq, problem: 'does not follow the row before it' };
    if (auditHash(key, row) !== row.hash) {
      if (legacyAuditHash(row) === row.hash && rows.slice(0, i).every((r) => legacyAuditHash(r) === r.hash)) {
        return {
          ok: false,
          rows: n,
          seq: row.seq,
          problem: 'written before the chain was keyed: check it, then run `npm run cli -- audit rekey` once',
          unkeyed: true,
        };
      }
      return { ok: false, rows: n, seq: row.seq, problem: 'its content does not match its hash (edited, or hashed without the key)' };
    }
    prev = row.hash;
  }
  const heads = [...(await storedHeads(db)), ...extra];
  for (const { source, audit } of heads) {
    const at = audit.rows === 0 ? GENESIS_HASH : rows[audit.rows - 1]?.hash;
    if (at !== audit.head) return { ok: false, rows: n, seq: audit.rows, problem: `does not match the chain head published with ${source}` };
  }
  return { ok: true, rows: n, heads: heads.length };
}

/**
 * Hashes every row again under `key`, for a chain begun before the chain was keyed: refused unless each row is
 * intact under the old unkeyed hash or the key, with the unkeyed rows first. Appends a row saying so. One
 * transaction; the caller checks the printed rows first.
 */
export async function rekeyAudit(
  db: Database,
  key: Buffer,
  trail: AuditTrail,
  actor: string,
): Promise<{ ok: true; rows: number; unkeyed: number } | { ok: false; seq: number; problem: string }> {
  return transaction(db, async (trx) => {
    const rows = await trx.selectFrom('audit_log').selectAll().orderBy('seq', 'asc').execute();
    let prev = GENESIS_HASH;
    let unkeyed = 0;
    for (const [i, row] of rows.entries()) {
      if (row.seq !== i + 1) return { ok: false as const, seq: row.seq, problem: `row ${i + 1} is missing (found ${row.seq} next)` };
      if (row.prev_hash !== prev) return { ok: false as const, seq: row.seq, problem: 'does not follow the row before it' };
      const old = legacyAuditHash(row) === row.hash;
      if (old && unkeyed < i) return { ok: false as const, seq: row.seq, problem: 'hashed without the key after keyed rows (edited)' };
      if (!old && auditHash(key, row) !== row.hash) return { ok: false as const, seq: row.seq, problem: 'its content does not match its hash (edited)' };
      if (old) unkeyed++;
      prev = row.hash;
    }
    prev = GENESIS_HASH;
    for (const row of rows) {
      const hash = auditHash(key, { ...row, prev_hash: prev });
      await trx.updateTable('audit_log').set({ prev_hash: prev, hash }).where('seq', '=', row.seq).execute();
      prev = hash;
    }
    await trail.record(trx, { actor, action: 'audit.rekey', detail: { rows: rows.length, unkeyed } });
    return { ok: true as const, rows: rows.length, unkeyed };
  });
}

/** The heads stored in every published results version that carries one. */
async function storedHeads(db: Database): Promise<PublishedHead[]> {
  const versions = await db
    .selectFrom('published_results')
    .innerJoin('rounds', 'rounds.id', 'published_results.round_id')
    .select(['rounds.year', 'published_results.version', 'published_results.body'])
    .orderBy('rounds.year')
    .orderBy('published_results.version')
    .execute();
  return versions.flatMap((v) => {
    const audit = publishedAuditHead(v.body);
    return audit ? [{ source: `the ${v.year} results (version ${v.version})`, audit }] : [];
  });
}

/** The chain head a published results body states, if it states one. */
export function publishedAuditHead(body: string): AuditHead | undefined {
  const doc = JSON.parse(body) as { audit?: unknown };
  const a = doc.audit as Partial<AuditHead> | undefined;
  return a && Number.isInteger(a.rows) && typeof a.head === 'string' ? { rows: a.rows as number, head: a.head } : undefined;
}

/** Exports of personal data or of working links: each is an audited action. */
export type ExportKind = 'pool' | 'links' | 'letters' | 'missing' | 'sms';

/**
 * Records an export (who, what, how many rows; never the data itself) in one transaction with `deliver`, which
 * hands the data over (writes the file): a failed delivery leaves no row, and no export goes out unrecorded.
 */
export async function recordExport<T>(
  db: Database,
  audit: AuditTrail,
  actor: string,
  what: ExportKind,
  detail: { rows: number } & Record<string, unknown>,
  deliver: () => T,
): Promise<T> {
  return transaction(db, async (trx) => {
    await audit.record(trx, { actor, action: `export.${what}`, detail });
    return deliver();
  });
}
