import { transaction } from '../db/transaction.js';
import { sql } from 'kysely';
import type { AuditTrail } from '../audit/log.js';
import { insertInBatches } from '../db/batch.js';
import { isoTime, newId } from '../db/ids.js';
import type { Database, Executor, RepresentativeTable } from '../db/schema.js';
import { isCode, isLine, isPhone, type Problem } from '../validate.js';

export interface RepresentativeInput {
  code: string;
  name: string;
  stratum: string;
  district: string | null;
  phone: string | null;
  email: string | null;
  active: boolean;
}

export type Representative = RepresentativeInput & { id: string };

const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>".]+$/;

/** Every problem with one representative's fields (README, CSV files); empty when it may be stored. */
export function representativeProblems(r: RepresentativeInput): Problem[] {
  const p: Problem[] = [];
  if (!isCode(r.code)) p.push({ key: 'pool.error.code', params: { value: r.code }, field: 'code' });
  if (!isLine(r.name, 1, 100)) p.push({ key: 'pool.error.name', field: 'name' });
  if (/[,\r\n]/.test(r.stratum)) p.push({ key: 'pool.error.stratumComma', params: { value: r.stratum.replace(/[\r\n]+/g, ' ') }, field: 'stratum' });
  else if (!isLine(r.stratum, 1, 50)) p.push({ key: 'pool.error.stratum', field: 'stratum' });
  if (r.district !== null && !isLine(r.district, 1, 50)) p.push({ key: 'pool.error.district', field: 'district' });
  if (r.phone !== null && !isPhone(r.phone)) p.push({ key: 'pool.error.phone', params: { value: r.phone }, field: 'phone' });
  if (r.email !== null && (r.email.length > 254 || !EMAIL.test(r.email))) p.push({ key: 'pool.error.email', params: { value: r.email }, field: 'email' });
  return p;
}

/** Empty optional text becomes null, so "not given" has one spelling. */
export function optional(v: string | undefined): string | null {
  const s = (v ?? '').trim();
  return s === '' ? null : s;
}

function toRepresentative(r: RepresentativeTable): Representative {
  return { id: r.id, code: r.code, name: r.name, stratum: r.stratum, district: r.district, phone: r.phone, email: r.email, active: r.active === 1 };
}

export async function findRepresentative(db: Executor, code: string): Promise<Representative | undefined> {
  const row = await db.selectFrom('representatives').selectAll().where('code', '=', code).executeTakeFirst();
  return row && toRepresentative(row);
}

export interface PoolFilter {
  q?: string;
  stratum?: string;
  district?: string;
  active?: 'all' | 'active' | 'inactive';
}

function filtered(db: Executor, f: PoolFilter) {
  let q = db.selectFrom('representatives');
  if (f.stratum) q = q.where('stratum', '=', f.stratum);
  if (f.district) q = q.where('district', '=', f.district);
  if (f.active === 'active' || f.active === 'inactive') q = q.where('active', '=', f.active === 'active' ? 1 : 0);
  const text = (f.q ?? '').trim().toLowerCase();
  if (text) {
    const like = `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where((eb) => eb.or((['code', 'name', 'phone', 'email'] as const).map((col) => eb(sql`lower(${sql.ref(col)})`, 'like', sql`${like} escape '\\'`))));
  }
  return q;
}

/** One page of the representatives matching a filter, ordered by code. */
export async function searchRepresentatives(db: Executor, f: PoolFilter, page: number, perPage: number) {
  const total = Number(
    (
      await filtered(db, f)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const rows = await filtered(db, f)
    .selectAll()
    .orderBy('code')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { total, rows: rows.map(toRepresentative) };
}

/** Every representative ordered by code: for export. */
export async function allRepresentatives(db: Executor): Promise<Representative[]> {
  return (await db.selectFrom('representatives').selectAll().orderBy('code').execute()).map(toRepresentative);
}

export interface Composition {
  active: number;
  inactive: number;
  byStratum: { stratum: string; count: number }[];
  byDistrict: { district: string | null; count: number }[];
}

/** How the pool is made up: active and inactive counts; active ones by stratum and by district. */
export async function poolComposition(db: Executor): Promise<Composition> {
  const counts = await db
    .selectFrom('representatives')
    .select(['active', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('active')
    .execute();
  const byStratum = await db
    .selectFrom('representatives')
    .select(['stratum', (eb) => eb.fn.countAll<number>().as('n')])
    .where('active', '=', 1)
    .groupBy('stratum')
    .orderBy('stratum')
    .execute();
  const byDistrict = await db
    .selectFrom('representatives')
    .select(['district', (eb) => eb.fn.countAll<number>().as('n')])
    .where('active', '=', 1)
    .groupBy('district')
    .orderBy('district')
    .execute();
  return {
    active: Number(counts.find((r) => r.active === 1)?.n ?? 0),
    inactive: Number(counts.find((r) => r.active === 0)?.n ?? 0),
    byStratum: byStratum.map((r) => ({ stratum: r.stratum, count: Number(r.n) })),
    byDistrict: byDistrict.map((r) => ({ district: r.district, count: Number(r.n) })),
  };
}

/** The distinct strata and districts in use, for filter menus. */
export async function poolFacets(db: Executor): Promise<{ strata: string[]; districts: string[] }> {
  const strata = await db.selectFrom('representatives').select('stratum').distinct().orderBy('stratum').execute();
  const districts = await db.selectFrom('representatives').select('district').distinct().where('district', 'is not', null).orderBy('district').execute();
  return { strata: strata.map((r) => r.stratum), districts: districts.map((r) => r.district as string) };
}

export interface PoolImportSummary {
  added: number;
  updated: number;
  unchanged: number;
  deactivated: number;
}

const same = (a: RepresentativeTable, b: RepresentativeInput) =>
  a.name === b.name && a.stratum === b.stratum && a.district === b.district && a.phone === b.phone && a.email === b.email && a.active === (b.active ? 1 : 0);

/**
 * Adds or updates representatives by code, and with `deactivateMissing` deactivates those not in `rows`; one
 * transaction, one audit row (counts only: no personal data in the log). The caller has validated every row.
 */
export async function upsertRepresentatives(
  db: Database,
  audit: AuditTrail,
  rows: readonly RepresentativeInput[],
  opts: { actor: string; deactivateMissing?: boolean; action?: string },
): Promise<PoolImportSummary> {
  return transaction(db, async (trx) => {
    const now = isoTime(audit.clock.now());
    const existing = new Map((await trx.selectFrom('representatives').selectAll().execute()).map((r) => [r.code, r]));
    const summary: PoolImportSummary = { added: 0, updated: 0, unchanged: 0, deactivated: 0 };
    const fresh: RepresentativeTable[] = [];
    for (const r of rows) {
      const old = existing.get(r.code);
      const values = { name: r.name, stratum: r.stratum, district: r.district, phone: r.phone, email: r.email, active: r.active ? 1 : 0 };
      if (!old) {
        fresh.push({ id: newId(), code: r.code, ...values, created_at: now, updated_at: now });
        summary.added++;
      } else if (!same(old, r)) {
        await trx
          .updateTable('representatives')
          .set({ ...values, updated_at: now })
          .where('id', '=', old.id)
          .execute();
        summary.updated++;
      } else summary.unchanged++;
    }
    await insertInBatches(trx, 'representatives', fresh);
    if (opts.deactivateMissing) {
      const present = new Set(rows.map((r) => r.code));
      const missing = [...existing.values()].filter((r) => r.active === 1 && !present.has(r.code)).map((r) => r.id);
      for (let i = 0; i < missing.length; i += 500) {
        await trx
          .updateTable('representatives')
          .set({ active: 0, updated_at: now })
          .where('id', 'in', missing.slice(i, i + 500))
          .execute();
      }
      summary.deactivated = missing.length;
    }
    await audit.record(trx, {
      actor: opts.actor,
      action: opts.action ?? 'pool.import',
      detail: { ...summary, rows: rows.length, deactivateMissing: !!opts.deactivateMissing },
    });
    return summary;
  });
}

/** Edits one representative (code changes allowed when the new code is free). */
export async function updateRepresentative(
  db: Database,
  audit: AuditTrail,
  code: string,
  input: RepresentativeInput,
  actor: string,
): Promise<'ok' | 'not_found' | 'code_taken'> {
  return transaction(db, async (trx) => {
    const old = await findRepresentative(trx, code);
    if (!old) return 'not_found';
    if (input.code !== code && (await findRepresentative(trx, input.code))) return 'code_taken';
    const { code: newCode, active, ...rest } = input;
    await trx
      .updateTable('representatives')
      .set({ code: newCode, ...rest, active: active ? 1 : 0, updated_at: isoTime(audit.clock.now()) })
      .where('id', '=', old.id)
      .execute();
    await audit.record(trx, { actor, action: 'pool.edit', detail: { code, newCode: newCode !== code ? newCode : undefined } });
    return 'ok';
  });
}

export async function setRepresentativeActive(db: Database, audit: AuditTrail, code: string, active: boolean, actor: string): Promise<boolean> {
  return transaction(db, async (trx) => {
    const res = await trx
      .updateTable('representatives')
      .set({ active: active ? 1 : 0, updated_at: isoTime(audit.clock.now()) })
      .where('code', '=', code)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return false;
    await audit.record(trx, { actor, action: active ? 'pool.reactivate' : 'pool.deactivate', detail: { code } });
    return true;
  });
}
