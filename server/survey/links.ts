import { randomFillSync } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import { readRows, readRowsTogether, syncSqlite, type SyncSqlite } from '../db/database.js';
import type { Database, DB, RoundStatus } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { tokenHash } from '../links/tokens.js';
import { dateInZone } from '../time.js';
import { newReceipt, type Answer, type FormUnit } from './ballot.js';

/*
 * The survey's hot path: looking up a link and casting a ballot. The queries are compiled by Kysely once per
 * database and then run with new parameters, so no query is rebuilt per request. On SQLite the links looked up in
 * one turn of the event loop are read straight on the better-sqlite3 connection in one read transaction
 * (readRowsTogether), and the ballots that arrive close together are cast in one synchronous transaction (group
 * commit): Kysely's transaction (begin, each statement and commit as separate awaited queries) cost more than the
 * statements themselves, and a commit per ballot more again. Other dialects take the Kysely path with the same
 * compiled SQL.
 */

export interface LinkState {
  roundId: string;
  year: number;
  title: string;
  scale: 'satisfaction4' | 'score100';
  status: RoundStatus;
  opensAt: string;
  closesAt: string;
  usedOn: string | null;
}

interface Prepared {
  link: CompiledQuery;
  units: CompiledQuery;
  markUsed: CompiledQuery;
  insertBallot: CompiledQuery;
  /**
   * SQLite only: runs markUsed then insertBallot in a committed transaction (see groupCommitter); false (nothing
   * written) for a used link, undefined (nothing run) while a Kysely transaction holds the connection.
   */
  castNow?: (mark: CompiledQuery, insert: CompiledQuery) => Promise<boolean | undefined>;
}

const preparedByDb = new WeakMap<object, Prepared>();

function prepare(db: Kysely<DB>): Prepared {
  let p = preparedByDb.get(db);
  if (p) return p;
  p = {
    link: db
      .selectFrom('round_links')
      .innerJoin('rounds', 'rounds.id', 'round_links.round_id')
      .select(['rounds.id as roundId', 'rounds.year', 'rounds.title', 'rounds.scale', 'rounds.status', 'rounds.opens_at as opensAt', 'rounds.closes_at as closesAt', 'round_links.used_on as usedOn'])
      .where('round_links.token_hash', '=', SLOT)
      .where('round_links.active', '=', 1)
      .compile(),
    units: db
      .selectFrom('round_units')
      .select(['code', 'name', 'category', 'category_position as categoryPosition'])
      .where('round_id', '=', SLOT)
      .orderBy('category_position')
      .orderBy('code')
      .compile(),
    // Succeeds only for an active, unused link of an open round: the guard of "one ballot per link".
    markUsed: db
      .updateTable('round_links')
      .set({ used_on: SLOT })
      .where('token_hash', '=', SLOT)
      .where('active', '=', 1)
      .where('used_on', 'is', null)
      .where('round_id', 'in', (eb) => eb.selectFrom('rounds').select('id').where('status', '=', 'open'))
      .compile(),
    insertBallot: db.insertInto('ballots').values({ id: SLOT as unknown as number, round_id: SLOT, receipt: SLOT, answers: SLOT, comments: SLOT, comment: SLOT }).compile(),
  };
  const sqlite = syncSqlite(db);
  if (sqlite) p.castNow = groupCommitter(sqlite);
  preparedByDb.set(db, p);
  return p;
}

interface Pending {
  mark: CompiledQuery;
  insert: CompiledQuery;
  resolve: (cast: boolean | undefined) => void;
  reject: (e: unknown) => void;
}

/** A group waits for more ballots for at most this long after its first turn of the event loop... */
const GROUP_HOLD_MS = 3;
/** ...and stops waiting once it has this many (about 5 ms of writing, to keep each commit's stall of the loop short). */
const GROUP_MAX = 64;

/**
 * Group commit: ballots that arrive close together are cast in one transaction, each still guarded by its own "mark
 * this link used if it is unused" (a link submitted twice in one group stores one ballot). One commit instead of many
 * is most of what a ballot costs SQLite. A group is open for one turn of the event loop, and for one more each time
 * the last turn brought it ballots (at most GROUP_HOLD_MS, GROUP_MAX ballots): under load, ballots keep arriving for
 * a while after the previous group's answers went out, and a group closed too early leaves them to wait for the whole
 * of the next one. Holding on evens out the wait: in the benchmark's saturating runs the ballot p99 went from a
 * median of 29 ms (20-137) to one of 23 ms (21-28), fourteen runs each, alternated. The hold is counted from the
 * group's first turn, not from its first ballot: under load the stretch of the loop that reads a burst of requests,
 * looks their links up and checks their forms can itself outlast the hold (some 40 requests, about 4 ms), and a hold
 * already spent by then closed the group on ballots a moment away (groups grew from 47.9 to 49.4 of the benchmark's
 * 50 connections on average). When ballots are few it costs one quick turn of the loop. Nobody is answered before the
 * group's commit, so an acknowledged ballot is always stored; should the group fail as a whole (a receipt that
 * collides, say), each of its ballots is cast again on its own, so one ballot's failure stays its own.
 */
function groupCommitter(sqlite: SyncSqlite): NonNullable<Prepared['castNow']> {
  const one = (mark: CompiledQuery, insert: CompiledQuery): boolean => {
    if (Number(sqlite.prepare(mark.sql).run(mark.parameters).changes) !== 1) return false;
    sqlite.prepare(insert.sql).run(insert.parameters);
    return true;
  };
  const group = sqlite.transaction((items: Pending[]) => items.map((it) => one(it.mark, it.insert)));
  const single = sqlite.transaction(one);
  let queue: Pending[] = [];
  const flush = () => {
    const items = queue;
    queue = [];
    // Never nested in a transaction another request has open on the connection (its rollback would take the
    // ballots with it): then each takes the Kysely path, which waits for the connection like any other query.
    if (sqlite.inTransaction) return items.forEach((it) => it.resolve(undefined));
    try {
      sqlite.aboutToWrite();
      const cast = group(items);
      sqlite.wrote();
      items.forEach((it, k) => it.resolve(cast[k]));
    } catch {
      for (const it of items) {
        try {
          it.resolve(single(it.mark, it.insert));
        } catch (e) {
          it.reject(e);
        }
      }
      sqlite.wrote();
    }
  };
  let firstTurn: number | undefined;
  let seen = 0;
  const turn = () => {
    const now = performance.now();
    firstTurn ??= now;
    if (queue.length > seen && queue.length < GROUP_MAX && now - firstTurn < GROUP_HOLD_MS) {
      seen = queue.length;
      setImmediate(turn);
    } else flush();
  };
  return (mark, insert) =>
    new Promise((resolve, reject) => {
      if (queue.push({ mark, insert, resolve, reject }) === 1) {
        firstTurn = undefined;
        seen = 0;
        setImmediate(turn);
      }
    });
}

/** Stands for a value given at run time; any other parameter is a constant of the query. */
const SLOT = '\u0000slot';

/** The compiled query with its slots filled, in order. */
function withParams(q: CompiledQuery, values: readonly unknown[]): CompiledQuery {
  let i = 0;
  const parameters = q.parameters.map((p) => (p === SLOT ? values[i++] : p));
  if (i !== values.length) throw new Error(`query has ${i} slots, got ${values.length} values`);
  return { ...q, parameters };
}

/** Whether a ballot may be cast on the link at `now`: unused, its round open, between opening and closing. */
export function acceptsBallot(link: LinkState, now: number): boolean {
  return !link.usedOn && link.status === 'open' && now >= Date.parse(link.opensAt) && now < Date.parse(link.closesAt);
}

/** The link behind a token (active links only), with its round; undefined for an unknown or re-issued token. */
export async function findLink(db: Database, token: string): Promise<LinkState | undefined> {
  const p = prepare(db);
  return (await readRowsTogether<LinkState>(db, withParams(p.link, [tokenHash(token)])))[0];
}

/** The round's frozen units, in category order. */
export async function roundUnits(db: Database, roundId: string): Promise<FormUnit[]> {
  return readRows<FormUnit>(db, withParams(prepare(db).units, [roundId]));
}

/**
 * Random bytes for receipts, taken from the CSPRNG 4 KiB at a time (as randomUUID does): a randomBytes(8) call
 * per ballot cost about 9 µs here, a pooled draw a tenth of a microsecond. Each byte is handed out once.
 */
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;
function pooledRandomBytes(n: number): Uint8Array {
  if (poolUsed + n > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  poolUsed += n;
  return Uint8Array.prototype.slice.call(pool, poolUsed - n, poolUsed);
}

/** A ballot's id: random, 1 to 2^53 − 1 (on SQLite the rowid, so rows are stored in this random order). */
function ballotId(): number {
  const b = pooledRandomBytes(7);
  let id = b[0]! & 0x1f; // 5 + 6 × 8 = 53 bits
  for (let i = 1; i < 7; i++) id = id * 256 + b[i]!;
  return id || 1;
}

export type CastResult = { ok: true; receipt: string } | { ok: false; reason: 'used' };

/**
 * Marks the link used and stores the ballot in one transaction, which succeeds only for an unused link: however
 * many times one link is submitted at once, one ballot is stored. The ballot carries no link, no time, no person.
 */
export async function castBallot(
  db: Database,
  clock: Clock,
  timeZone: string,
  input: { token: string; roundId: string; answers: Record<string, Answer>; comments: Record<string, string>; comment: string | null },
): Promise<CastResult> {
  const p = prepare(db);
  const usedOn = dateInZone(clock.now(), timeZone);
  const answers = JSON.stringify(input.answers);
  const comments = JSON.stringify(input.comments);
  for (let attempt = 0; ; attempt++) {
    const receipt = newReceipt(pooledRandomBytes);
    const mark = withParams(p.markUsed, [usedOn, tokenHash(input.token)]);
    const insert = withParams(p.insertBallot, [ballotId(), input.roundId, receipt, answers, comments, input.comment]);
    try {
      const castNow = await p.castNow?.(mark, insert);
      if (castNow !== undefined) return castNow ? { ok: true, receipt } : { ok: false, reason: 'used' };
      return await transaction(db, async (trx) => {
        const marked = await trx.executeQuery(mark);
        if (Number(marked.numAffectedRows ?? 0) !== 1) return { ok: false as const, reason: 'used' as const };
        await trx.executeQuery(insert);
        return { ok: true as const, receipt };
      }, 'ballot');
    } catch (e) {
      // A receipt that collides with another in the same round (about 1 in 10^12 per pair), or an id with any
      // other ballot (1 in 10^15): try fresh ones.
      const message = (e as Error).message;
      if (attempt < 3 && /unique|constraint/i.test(message) && /receipt|ballots\.id|ballots_pkey/i.test(message)) continue;
      throw e;
    }
  }
}
