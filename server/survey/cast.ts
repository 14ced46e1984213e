import { randomFillSync } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { BallotRow, LinkRow, Store } from '../db/store.js';
import { tokenHash } from '../links/tokens.js';
import { dateInZone } from '../time.js';
import { newReceipt, type Answer } from './ballot.js';

/** A link and its round, as a representative's request is decided on. */
export type LinkState = LinkRow;

/**
 * Random bytes for receipts and ids, taken from the CSPRNG 4 KiB at a time (as randomUUID does): a call per ballot
 * costs far more than a draw from the pool. Each byte is handed out once.
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
export function ballotId(): number {
  const b = pooledRandomBytes(7);
  let id = b[0]! & 0x1f; // 5 + 6 × 8 = 53 bits
  for (let i = 1; i < 7; i++) id = id * 256 + b[i]!;
  return id || 1;
}

export type CastResult = { ok: true; receipt: string } | { ok: false; reason: 'used' };

export interface BallotInput {
  token: string;
  roundId: string;
  /**
   * The stratum of the seat: all the ballot keeps of the representative. `acceptBallot` has it with the link; a
   * ballot cast without it (by a test, say) records none, which only a round with strata weights cannot count.
   */
  stratum?: string | null;
  answers: Record<string, Answer | Answer[]>;
  /** Per unit, the reasons ticked; units without any left out. */
  reasons?: Record<string, number[]>;
  comments: Record<string, string>;
  comment: string | null;
}

/**
 * Marks the link used and stores the ballot in one transaction, which succeeds only for an unused link: however
 * many times one link is submitted at once, one ballot is stored. The ballot carries no link, no time, no person
 * (of the seat, its stratum only); the link keeps the date only.
 */
export function castBallot(store: Store, clock: Clock, timeZone: string, input: BallotInput): Promise<CastResult> {
  const { token, ...ballot } = input;
  return castOnLink(store, clock, timeZone, tokenHash(token), ballot);
}

/** `castBallot` on the link with this token hash (a seat found by its 测评码 is cast on its link's hash). */
export async function castOnLink(store: Store, clock: Clock, timeZone: string, hash: string, input: Omit<BallotInput, 'token'>): Promise<CastResult> {
  const usedOn = dateInZone(clock.now(), timeZone);
  const stratum = input.stratum ?? null;
  const receipt = await withFreshKeys(input, async (row) => (await store.castBallot(hash, usedOn, { ...row, stratum })) === 'cast');
  return receipt ? { ok: true, receipt } : { ok: false, reason: 'used' };
}

/**
 * `castOnLink` on a link nobody looked up, for a ballot whose form named its round (Store.castStraight): the
 * receipt, or undefined when the link is not one of that round that takes a ballot now, and nothing was stored.
 */
export async function castStraight(
  store: Store,
  clock: Clock,
  timeZone: string,
  hash: string,
  input: Omit<BallotInput, 'token' | 'stratum'>,
): Promise<string | undefined> {
  const now = clock.now();
  const usedOn = dateInZone(now, timeZone);
  const at = now.toISOString();
  return withFreshKeys(input, async (row) => (await store.castStraight(hash, usedOn, at, row)) === 'cast');
}

/**
 * Stores the ballot with a fresh id and receipt through `store` (true when stored): the receipt, or undefined when
 * nothing was stored. A receipt that collides with another in the same round (about 1 in 10^12 per pair), or an id
 * with any other ballot (1 in 10^15), is tried again with fresh ones.
 */
async function withFreshKeys(
  input: Omit<BallotInput, 'token' | 'stratum'>,
  store: (row: Omit<BallotRow, 'stratum'>) => Promise<boolean>,
): Promise<string | undefined> {
  const answers = JSON.stringify(input.answers);
  const comments = JSON.stringify(input.comments);
  const reasons = input.reasons && Object.keys(input.reasons).length ? JSON.stringify(input.reasons) : null;
  for (let attempt = 0; ; attempt++) {
    const receipt = newReceipt(pooledRandomBytes);
    try {
      const stored = await store({ id: ballotId(), roundId: input.roundId, receipt, answers, comments, comment: input.comment, reasons });
      return stored ? receipt : undefined;
    } catch (e) {
      const message = (e as Error).message;
      if (attempt < 3 && /unique|constraint/i.test(message) && /receipt|ballots\.id|ballots_pkey/i.test(message)) continue;
      throw e;
    }
  }
}
