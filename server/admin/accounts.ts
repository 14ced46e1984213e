import { transaction } from '../db/transaction.js';
import { createHash, randomBytes } from 'node:crypto';
import type { AuditTrail } from '../audit/log.js';
import type { Clock } from '../clock.js';
import { isoTime, newId } from '../db/ids.js';
import type { Database, Executor } from '../db/schema.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { hashPassword } from './passwords.js';

export const PASSWORD_MIN = 10;
const USERNAME = /^[\p{L}\p{N}_.@-]{1,64}$/u;
const SETUP_HOURS = 24;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Problems with a proposed account, as catalogue keys; empty when acceptable. */
export function accountProblems(username: string, password: string): MessageKey[] {
  const problems: MessageKey[] = [];
  if (!USERNAME.test(username)) problems.push('admin.error.username');
  if ([...password].length < PASSWORD_MIN) problems.push('admin.error.passwordShort');
  return problems;
}

/** Administrators (liaisons do not count: an installation with only liaisons still offers the setup link). */
export async function countAdmins(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('admins')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type CreateAdminResult = { ok: true; id: string } | { ok: false; problems: MessageKey[] };

/** Creates an administrator (audited). Refuses a taken name or a weak password; changes nothing then. */
export async function createAdmin(db: Database, audit: AuditTrail, input: { username: string; password: string; actor: string }): Promise<CreateAdminResult> {
  const username = input.username.trim();
  const problems = accountProblems(username, input.password);
  if (problems.length) return { ok: false, problems };
  const passwordHash = await hashPassword(input.password);
  return transaction(db, async (trx) => {
    const taken = await trx.selectFrom('admins').select('id').where('username', '=', username).executeTakeFirst();
    if (taken) return { ok: false as const, problems: ['admin.error.usernameTaken' as MessageKey] };
    const id = newId();
    await trx
      .insertInto('admins')
      .values({ id, username, password_hash: passwordHash, created_at: isoTime(audit.clock.now()), role: 'admin', unit_code: null, active: 1 })
      .execute();
    await audit.record(trx, { actor: input.actor, action: 'admin.add', detail: { username } });
    return { ok: true as const, id };
  });
}

/**
 * Issues a one-time link token for creating the first administrator. Only its hash is stored; the token is
 * shown once (printed by `npm start`).
 */
export async function issueSetupToken(db: Executor, clock: Clock): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  const now = clock.now();
  await db
    .insertInto('setup_tokens')
    .values({ id: sha256(token), created_at: isoTime(now), expires_at: isoTime(new Date(now.getTime() + SETUP_HOURS * 3600_000)), used_at: null })
    .execute();
  return token;
}

/** True while the token is unused, unexpired, and no administrator exists yet. */
export async function setupTokenUsable(db: Executor, clock: Clock, token: string): Promise<boolean> {
  const row = await db.selectFrom('setup_tokens').selectAll().where('id', '=', sha256(token)).executeTakeFirst();
  if (!row || row.used_at !== null || row.expires_at <= isoTime(clock.now())) return false;
  return (await countAdmins(db)) === 0;
}

/**
 * Creates the first administrator through a setup link; the link is spent in the same transaction. The link is
 * looked at before the password is hashed, so a wrong one costs no scrypt.
 */
export async function createFirstAdmin(
  db: Database,
  audit: AuditTrail,
  token: string,
  input: { username: string; password: string },
): Promise<CreateAdminResult | { ok: false; gone: true }> {
  const username = input.username.trim();
  const problems = accountProblems(username, input.password);
  if (problems.length) return { ok: false, problems };
  if (!(await setupTokenUsable(db, audit.clock, token))) return { ok: false, gone: true };
  const passwordHash = await hashPassword(input.password);
  return transaction(db, async (trx) => {
    // Again, inside the transaction: two posts of one link may have hashed side by side.
    if (!(await setupTokenUsable(trx, audit.clock, token))) return { ok: false as const, gone: true as const };
    const id = newId();
    const now = isoTime(audit.clock.now());
    await trx.updateTable('setup_tokens').set({ used_at: now }).where('id', '=', sha256(token)).execute();
    await trx.insertInto('admins').values({ id, username, password_hash: passwordHash, created_at: now, role: 'admin', unit_code: null, active: 1 }).execute();
    await audit.record(trx, { actor: username, action: 'admin.add', detail: { username, via: 'setup-link' } });
    return { ok: true as const, id };
  });
}
