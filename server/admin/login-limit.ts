import type { Clock } from '../clock.js';
import { isoTime, newId } from '../db/ids.js';
import type { Executor } from '../db/schema.js';

/*
 * Failed logins are kept in the database, so the limit holds across restarts and across several application
 * servers on one database.
 */
export const WINDOW_MINUTES = 15;
export const MAX_PER_ACCOUNT = 5;
export const MAX_PER_ADDRESS = 20;

/** Minutes to wait when this account or this address has failed too often recently; 0 when free to try. */
export async function loginBlockedMinutes(db: Executor, clock: Clock, username: string, address: string): Promise<number> {
  const since = isoTime(new Date(clock.now().getTime() - WINDOW_MINUTES * 60_000));
  const count = async (column: 'username' | 'address', value: string) => {
    const row = await db
      .selectFrom('login_failures')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column, '=', value)
      .where('at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const blocked = (await count('username', username.toLowerCase())) >= MAX_PER_ACCOUNT || (await count('address', address)) >= MAX_PER_ADDRESS;
  return blocked ? WINDOW_MINUTES : 0;
}

export async function recordLoginFailure(db: Executor, clock: Clock, username: string, address: string): Promise<void> {
  const now = clock.now();
  await db
    .insertInto('login_failures')
    .values({ id: newId(), username: username.toLowerCase().slice(0, 64), address, at: isoTime(now) })
    .execute();
  // Old rows say nothing any more: keep the table small.
  await db.deleteFrom('login_failures').where('at', '<', isoTime(new Date(now.getTime() - 24 * 3600_000))).execute();
}

/** A successful login forgives that account's earlier failures. */
export async function clearLoginFailures(db: Executor, username: string): Promise<void> {
  await db.deleteFrom('login_failures').where('username', '=', username.toLowerCase()).execute();
}
