import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoTime } from '../db/ids.js';
import type { Executor } from '../db/schema.js';
import type { AdminIdentity } from '../http/context.js';
import { sha256 } from './accounts.js';

export const SESSION_COOKIE = 'pingyi_session';
/** However active, a session ends after this long; then the administrator logs in again. */
const ABSOLUTE_HOURS = 12;

/** Starts a fresh session (a new id every login, so a planted id is worthless). Returns the cookie value. */
export async function createSession(db: Executor, clock: Clock, adminId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = isoTime(clock.now());
  await db
    .insertInto('admin_sessions')
    .values({ id: sha256(token), admin_id: adminId, csrf_token: randomBytes(24).toString('base64url'), created_at: now, last_seen_at: now })
    .execute();
  return token;
}

/**
 * The account behind a session cookie (an administrator or a liaison), or undefined when the session is unknown,
 * idle too long, too old, or its account has been disabled.
 */
export async function findSession(db: Executor, clock: Clock, token: string, idleMinutes: number): Promise<AdminIdentity | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const id = sha256(token);
  const row = await db
    .selectFrom('admin_sessions')
    .innerJoin('admins', 'admins.id', 'admin_sessions.admin_id')
    .select([
      'admin_sessions.id as sessionId',
      'admins.id as adminId',
      'admins.username',
      'admins.role',
      'admins.unit_code',
      'admins.active',
      'admin_sessions.csrf_token',
      'admin_sessions.created_at',
      'admin_sessions.last_seen_at',
    ])
    .where('admin_sessions.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const now = clock.now().getTime();
  const idle = now - Date.parse(row.last_seen_at) > idleMinutes * 60_000;
  const old = now - Date.parse(row.created_at) > ABSOLUTE_HOURS * 3600_000;
  if (idle || old || row.active !== 1) {
    await db.deleteFrom('admin_sessions').where('id', '=', id).execute();
    return undefined;
  }
  // Touch at most once a minute: sessions stay alive without a write per request.
  if (now - Date.parse(row.last_seen_at) > 60_000) {
    await db
      .updateTable('admin_sessions')
      .set({ last_seen_at: isoTime(clock.now()) })
      .where('id', '=', id)
      .execute();
  }
  return { id: row.adminId, username: row.username, sessionId: row.sessionId, csrfToken: row.csrf_token, role: row.role, unit: row.unit_code };
}

export async function endSession(db: Executor, sessionId: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('id', '=', sessionId).execute();
}

/** Ends every session of an account (when it is disabled or its password is reset). */
export async function endSessionsOf(db: Executor, accountId: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('admin_id', '=', accountId).execute();
}

/** Constant-time comparison for CSRF tokens and other short secrets. */
export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
