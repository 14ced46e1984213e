import { isIPv6 } from 'node:net';
import type { ExpressionBuilder } from 'kysely';
import type { Clock } from '../clock.js';
import { isoTime, newId } from '../db/ids.js';
import type { Database, DB, Executor } from '../db/schema.js';
import { transaction } from '../db/transaction.js';

/*
 * Attempts are kept in the database, so the limits hold across restarts and across several application servers on
 * one database. An attempt is counted before the password is checked, by one statement that inserts it only while
 * every limit still has room: of a burst sent at once, no more get through than the limit allows, however many
 * servers share the burst. A successful login forgives its own attempt; a failed one stays counted.
 */

type Kind = 'login' | 'setup';

/** At most `max` attempts of a kind within `minutes` among those sharing the columns in `by`. */
interface Limit {
  by: readonly ('username' | 'address')[];
  max: number;
  minutes: number;
}

const LOGIN_LIMITS: readonly Limit[] = [
  // One account from one network: the administrator's typos never reach it; a guesser there soon does.
  { by: ['username', 'address'], max: 5, minutes: 15 },
  // One network over all accounts: password spraying.
  { by: ['address'], max: 20, minutes: 15 },
  // One account from everywhere: caps distributed guessing at 1,200 a day, and is more than two networks may try
  // in an hour under the first limit (2 × 20), so locking the real administrator out takes at least three at once.
  { by: ['username'], max: 50, minutes: 60 },
];

/** Setup links are copied, never typed: ten wrong ones from one network are no slip of the finger. */
const SETUP_LIMITS: readonly Limit[] = [{ by: ['address'], max: 10, minutes: 15 }];

/** Rows this old say nothing any more (every window is shorter): deleted, to keep the table small. */
const KEEP_HOURS = 24;

export type Admission = { ok: true; id: string } | { ok: false; retryAfterSeconds: number };

interface Attempt {
  kind: Kind;
  username: string;
  address: string;
}

/**
 * The address a limit counts: IPv4 as it is, IPv6 by its /64 network (one subscriber commonly holds a whole
 * /64, so counting single IPv6 addresses would count nothing), an IPv4-mapped IPv6 address as IPv4.
 */
export function limitAddress(address: string): string {
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1] as string;
  const [head = '', tail] = bare.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // A trailing dotted IPv4 part stands for two groups.
  const rightGroups = right.length + (right.at(-1)?.includes('.') ? 1 : 0);
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - rightGroups).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

function attempt(kind: Kind, username: string, address: string): Attempt {
  return { kind, username: username.toLowerCase().slice(0, 64), address: limitAddress(address).slice(0, 64) };
}

function since(now: Date, minutes: number): string {
  return isoTime(new Date(now.getTime() - minutes * 60_000));
}

/** The rows a limit counts for this attempt: of its kind, sharing its columns, within the limit's window. */
function scope(eb: ExpressionBuilder<DB, 'login_failures'>, a: Attempt, limit: Limit, now: Date) {
  return eb.and([eb('kind', '=', a.kind), eb('at', '>', since(now, limit.minutes)), ...limit.by.map((column) => eb(column, '=', a[column]))]);
}

/** Seconds until every limit this attempt meets has room again; 0 when none is full. */
async function waitSeconds(db: Executor, now: Date, a: Attempt, limits: readonly Limit[]): Promise<number> {
  let wait = 0;
  for (const limit of limits) {
    const row = await db
      .selectFrom('login_failures')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
      .where((eb) => scope(eb, a, limit, now))
      .executeTakeFirstOrThrow();
    if (Number(row.n) < limit.max || !row.oldest) continue;
    // Room comes back when the oldest counted attempt leaves the window.
    const free = Date.parse(row.oldest) + limit.minutes * 60_000;
    wait = Math.max(wait, Math.ceil((free - now.getTime()) / 1000));
  }
  return wait;
}

/**
 * Counts an attempt, or refuses it when a limit is full; `retryAfterSeconds` then says when to try again. Only an
 * attempt that was counted may go on to the check it stands for.
 */
async function admit(db: Database, clock: Clock, a: Attempt, limits: readonly Limit[]): Promise<Admission> {
  const now = clock.now();
  // Read first, without a lock: a flood that is already refused never queues for the database's writer lock.
  const wait = await waitSeconds(db, now, a, limits);
  if (wait > 0) return { ok: false, retryAfterSeconds: wait };
  const id = newId();
  // Counting and inserting is one statement; on PostgreSQL it runs under the writer lock of `transaction`, since
  // two such statements side by side would each count without the other's row (SQLite has one writer anyway).
  const inserted = await transaction(db, async (trx) => {
    const result = await trx
      .insertInto('login_failures')
      .columns(['id', 'kind', 'username', 'address', 'at'])
      .expression(
        trx
          .selectNoFrom((eb) => [
            eb.val(id).as('id'),
            eb.val(a.kind).as('kind'),
            eb.val(a.username).as('username'),
            eb.val(a.address).as('address'),
            eb.val(isoTime(now)).as('at'),
          ])
          .where((eb) =>
            eb.and(
              limits.map((limit) =>
                eb(
                  eb
                    .selectFrom('login_failures')
                    .select((e) => e.fn.countAll<number>().as('n'))
                    .where((e) => scope(e, a, limit, now)),
                  '<',
                  limit.max,
                ),
              ),
            ),
          ),
      )
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await trx
      .deleteFrom('login_failures')
      .where('at', '<', isoTime(new Date(now.getTime() - KEEP_HOURS * 3600_000)))
      .execute();
    return true;
  });
  if (inserted) return { ok: true, id };
  // Simultaneous attempts filled the last room between the read and the insert.
  return { ok: false, retryAfterSeconds: Math.max(1, await waitSeconds(db, now, a, limits)) };
}

/** Counts a login attempt for `username` from `address` before its password is checked (see `LOGIN_LIMITS`). */
export function admitLogin(db: Database, clock: Clock, username: string, address: string): Promise<Admission> {
  return admit(db, clock, attempt('login', username, address), LOGIN_LIMITS);
}

/** Counts a visit to a setup link from `address` before the link is looked at (see `SETUP_LIMITS`). */
export function admitSetup(db: Database, clock: Clock, address: string): Promise<Admission> {
  return admit(db, clock, attempt('setup', '', address), SETUP_LIMITS);
}

/**
 * A successful login forgives the failures of that account from that address, its own attempt included. Failures
 * from other addresses stay counted: a guesser elsewhere must not get a fresh allowance when the real
 * administrator logs in.
 */
export async function forgiveLogin(db: Executor, username: string, address: string): Promise<void> {
  const a = attempt('login', username, address);
  await db.deleteFrom('login_failures').where('kind', '=', 'login').where('username', '=', a.username).where('address', '=', a.address).execute();
}

/** An attempt that turned out rightful (a usable setup link) is not held against its address. */
export async function forgiveAttempt(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('login_failures').where('id', '=', id).execute();
}
