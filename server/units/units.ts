import { transaction } from '../db/transaction.js';
import type { AuditTrail } from '../audit/log.js';
import { isoTime, newId } from '../db/ids.js';
import type { Database, Executor, UnitTable } from '../db/schema.js';
import { isCode, isLine, type Problem } from '../validate.js';

export interface UnitInput {
  code: string;
  name: string;
  category: string;
  active: boolean;
}

export type Unit = Pick<UnitTable, 'id' | 'code' | 'name' | 'category'> & { active: boolean };

/** Every problem with one unit's fields (README, CSV files); empty when it may be stored. */
export function unitProblems(u: Partial<UnitInput>): Problem[] {
  const problems: Problem[] = [];
  if (!isCode(u.code ?? '')) problems.push({ key: 'units.error.code', params: { value: u.code ?? '' }, field: 'code' });
  if (!isLine(u.name ?? '', 1, 100)) problems.push({ key: 'units.error.name', field: 'name' });
  if (!isLine(u.category ?? '', 1, 50) || (u.category ?? '').includes(',')) problems.push({ key: 'units.error.category', field: 'category' });
  return problems;
}

function toUnit(r: UnitTable): Unit {
  return { id: r.id, code: r.code, name: r.name, category: r.category, active: r.active === 1 };
}

/** Categories in their fixed order (the order in which they first appeared). */
export async function listCategories(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('categories').select('name').orderBy('position').orderBy('name').execute();
  return rows.map((r) => r.name);
}

/** Units grouped by category order, then by code. */
export async function listUnits(db: Executor, opts: { activeOnly?: boolean } = {}): Promise<Unit[]> {
  let q = db
    .selectFrom('units')
    .innerJoin('categories', 'categories.name', 'units.category')
    .selectAll('units')
    .orderBy('categories.position')
    .orderBy('units.code');
  if (opts.activeOnly) q = q.where('units.active', '=', 1);
  return (await q.execute()).map(toUnit);
}

export async function findUnit(db: Executor, code: string): Promise<Unit | undefined> {
  const row = await db.selectFrom('units').selectAll().where('code', '=', code).executeTakeFirst();
  return row && toUnit(row);
}

/** Makes sure the categories exist, appending new ones after the existing ones in the given order. */
export async function ensureCategories(db: Executor, names: readonly string[]): Promise<void> {
  const existing = new Set(await listCategories(db));
  const last = await db
    .selectFrom('categories')
    .select((eb) => eb.fn.max('position').as('p'))
    .executeTakeFirst();
  let position = Number(last?.p ?? 0);
  for (const name of names) {
    if (existing.has(name)) continue;
    existing.add(name);
    await db.insertInto('categories').values({ name, position: ++position }).execute();
  }
}

export interface UpsertSummary {
  added: number;
  updated: number;
  unchanged: number;
}

/**
 * Adds or updates units by code in one transaction, with one audit row. The caller has validated every row;
 * either all rows are stored or none.
 */
export async function upsertUnits(db: Database, audit: AuditTrail, rows: readonly UnitInput[], actor: string, action = 'units.import'): Promise<UpsertSummary> {
  return transaction(db, async (trx) => {
    const now = isoTime(audit.clock.now());
    await ensureCategories(
      trx,
      rows.map((r) => r.category),
    );
    const existing = new Map((await trx.selectFrom('units').selectAll().execute()).map((r) => [r.code, r]));
    const summary: UpsertSummary = { added: 0, updated: 0, unchanged: 0 };
    for (const r of rows) {
      const old = existing.get(r.code);
      const active = r.active ? 1 : 0;
      if (!old) {
        await trx
          .insertInto('units')
          .values({ id: newId(), code: r.code, name: r.name, category: r.category, active, created_at: now, updated_at: now })
          .execute();
        summary.added++;
      } else if (old.name !== r.name || old.category !== r.category || old.active !== active) {
        await trx.updateTable('units').set({ name: r.name, category: r.category, active, updated_at: now }).where('id', '=', old.id).execute();
        summary.updated++;
      } else summary.unchanged++;
    }
    await audit.record(trx, { actor, action, detail: { ...summary, codes: rows.length <= 5 ? rows.map((r) => r.code) : undefined } });
    return summary;
  });
}

/** Edits one unit (its code may change if the new one is free). Returns false when the new code is taken. */
export async function updateUnit(db: Database, audit: AuditTrail, code: string, input: UnitInput, actor: string): Promise<'ok' | 'not_found' | 'code_taken'> {
  return transaction(db, async (trx) => {
    const old = await findUnit(trx, code);
    if (!old) return 'not_found';
    if (input.code !== code && (await findUnit(trx, input.code))) return 'code_taken';
    await ensureCategories(trx, [input.category]);
    await trx
      .updateTable('units')
      .set({ code: input.code, name: input.name, category: input.category, active: input.active ? 1 : 0, updated_at: isoTime(audit.clock.now()) })
      .where('id', '=', old.id)
      .execute();
    await audit.record(trx, { actor, action: 'units.edit', detail: { code: old.code, newCode: input.code !== code ? input.code : undefined } });
    return 'ok';
  });
}

/** Deactivates or reactivates a unit; a deactivated unit is left out of rounds frozen afterwards. */
export async function setUnitActive(db: Database, audit: AuditTrail, code: string, active: boolean, actor: string): Promise<boolean> {
  return transaction(db, async (trx) => {
    const res = await trx
      .updateTable('units')
      .set({ active: active ? 1 : 0, updated_at: isoTime(audit.clock.now()) })
      .where('code', '=', code)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return false;
    await audit.record(trx, { actor, action: active ? 'units.reactivate' : 'units.deactivate', detail: { code } });
    return true;
  });
}
