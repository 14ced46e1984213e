import type { AuditTrail } from '../audit/log.js';
import { isoTime, newId } from '../db/ids.js';
import type { Database, Executor } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { isCode } from '../validate.js';
import { accountProblems } from './accounts.js';
import { hashPassword } from './passwords.js';
import { endSessionsOf } from './sessions.js';

/*
 * Liaisons (联络员): console accounts bound to one unit. They log in like administrators (same table, page, sessions
 * and CSRF token) and reach only their unit's page (guard.ts `liaisonMayReach`). Administrators add them, disable
 * or enable them and reset their passwords; each is an audited action.
 */

export interface Liaison {
  id: string;
  username: string;
  unitCode: string;
  unitName: string | null;
  active: boolean;
  createdAt: string;
}

/** Every liaison with their unit's current name (null when the unit no longer exists), by unit then name. */
export async function listLiaisons(db: Executor): Promise<Liaison[]> {
  const rows = await db
    .selectFrom('admins')
    .leftJoin('units', 'units.code', 'admins.unit_code')
    .select(['admins.id', 'admins.username', 'admins.unit_code', 'admins.active', 'admins.created_at', 'units.name as unitName'])
    .where('admins.role', '=', 'liaison')
    .orderBy('admins.unit_code')
    .orderBy('admins.username')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    unitCode: r.unit_code ?? '',
    unitName: r.unitName,
    active: r.active === 1,
    createdAt: r.created_at,
  }));
}

export async function findLiaison(db: Executor, id: string): Promise<Liaison | undefined> {
  return (await listLiaisons(db)).find((l) => l.id === id);
}

export type LiaisonResult = { ok: true; id: string } | { ok: false; problems: { key: MessageKey; field: string }[] };

/** Creates a liaison for an existing unit (audited). Refuses a taken name, a weak password or an unknown unit. */
export async function createLiaison(
  db: Database,
  audit: AuditTrail,
  input: { username: string; password: string; unit: string; actor: string },
): Promise<LiaisonResult> {
  const username = input.username.trim();
  const unit = input.unit.trim();
  const problems = accountProblems(username, input.password).map((key) => ({ key, field: key === 'admin.error.username' ? 'username' : 'password' }));
  if (!isCode(unit)) problems.push({ key: 'liaisons.error.unit', field: 'unit' });
  if (problems.length) return { ok: false, problems };
  const passwordHash = await hashPassword(input.password);
  return transaction(db, async (trx) => {
    const problems: { key: MessageKey; field: string }[] = [];
    if (await trx.selectFrom('admins').select('id').where('username', '=', username).executeTakeFirst())
      problems.push({ key: 'admin.error.usernameTaken', field: 'username' });
    if (!(await trx.selectFrom('units').select('id').where('code', '=', unit).executeTakeFirst())) problems.push({ key: 'liaisons.error.unit', field: 'unit' });
    if (problems.length) return { ok: false as const, problems };
    const id = newId();
    await trx
      .insertInto('admins')
      .values({ id, username, password_hash: passwordHash, created_at: isoTime(audit.clock.now()), role: 'liaison', unit_code: unit, active: 1 })
      .execute();
    await audit.record(trx, { actor: input.actor, action: 'liaison.add', detail: { username, unit } });
    return { ok: true as const, id };
  });
}

/** Disables (ending every session at once) or enables a liaison; false when there is no such liaison. */
export async function setLiaisonActive(db: Database, audit: AuditTrail, id: string, active: boolean, actor: string): Promise<boolean> {
  return transaction(db, async (trx) => {
    const row = await trx.selectFrom('admins').select(['username', 'unit_code']).where('id', '=', id).where('role', '=', 'liaison').executeTakeFirst();
    if (!row) return false;
    await trx
      .updateTable('admins')
      .set({ active: active ? 1 : 0 })
      .where('id', '=', id)
      .execute();
    if (!active) await endSessionsOf(trx, id);
    await audit.record(trx, { actor, action: active ? 'liaison.enable' : 'liaison.disable', detail: { username: row.username, unit: row.unit_code } });
    return true;
  });
}

/** Sets a liaison's new password and ends their sessions; refuses a weak password. */
export async function resetLiaisonPassword(
  db: Database,
  audit: AuditTrail,
  id: string,
  password: string,
  actor: string,
): Promise<'ok' | 'not_found' | { problems: MessageKey[] }> {
  const problems = accountProblems('x', password);
  if (problems.length) return { problems };
  const passwordHash = await hashPassword(password);
  return transaction(db, async (trx) => {
    const row = await trx.selectFrom('admins').select(['username', 'unit_code']).where('id', '=', id).where('role', '=', 'liaison').executeTakeFirst();
    if (!row) return 'not_found' as const;
    await trx.updateTable('admins').set({ password_hash: passwordHash }).where('id', '=', id).execute();
    await endSessionsOf(trx, id);
    await audit.record(trx, { actor, action: 'liaison.password', detail: { username: row.username, unit: row.unit_code } });
    return 'ok' as const;
  });
}
