import type { CompiledQuery, Kysely } from 'kysely';
import type { Dialect } from './dialect.js';
import type { Database, DB, RoundStatus } from './schema.js';

/*
 * The store: the database as the application holds it. `db` is Kysely, for everything; the methods are the hot
 * path (a representative's link, a ballot, the published results' head) and mixing, each implemented once per
 * database: on SQLite with prepared statements on the connection, link lookups of one turn of the event loop read
 * together, ballots cast by group commit and WAL checkpoints in a worker thread (sqlite-store.ts); on PostgreSQL
 * with the same compiled queries through Kysely (postgres-store.ts). One store per opened database, made where it
 * is opened and passed to whatever serves from it; it holds all the state its fast path needs.
 */

/** An active link with its round: what a representative's request is decided on. */
export interface LinkRow {
  roundId: string;
  year: number;
  title: string;
  scale: 'satisfaction4' | 'score100';
  status: RoundStatus;
  opensAt: string;
  closesAt: string;
  usedOn: string | null;
  /** The stratum of the seat, which its ballot records (for weights and per-stratum figures). */
  stratum: string;
  /** The SHA-256 of the link's token, by which its ballot is cast whichever way the seat was found. */
  tokenHash: string;
  /** 1 when the seat answers on paper (server/paper/): its link takes no ballot online. */
  paper: number;
}

/** A unit of a round as its form shows it. */
export interface RoundUnitRow {
  code: string;
  name: string;
  category: string;
  categoryPosition: number;
}

/**
 * A ballot as stored: nothing in it points to a person, a link or a moment (see migrations 0003, 0005 and 0009);
 * of the seat it was cast on it records the stratum only.
 */
export interface BallotRow {
  id: number;
  roundId: string;
  receipt: string;
  answers: string;
  comments: string;
  comment: string | null;
  stratum: string | null;
  reasons: string | null;
}

/** What casting did: stored the ballot, or found the link used (or not open) and stored nothing. */
export type CastOutcome = 'cast' | 'used';

/** Whether a ballot may be cast on the link at `now` (ms): unused, its round open, between opening and closing. */
export function acceptsBallot(link: LinkRow, now: number): boolean {
  return !link.usedOn && link.status === 'open' && now >= Date.parse(link.opensAt) && now < Date.parse(link.closesAt);
}

/** The latest published version of a round, and how many versions are published for all rounds together. */
export interface PublishedHead {
  latest: number | null;
  stamp: number;
}

export interface Store {
  readonly dialect: Dialect;
  readonly db: Database;
  /** The active link whose token has this SHA-256, with its round; undefined for an unknown or re-issued token. */
  findLink(tokenHash: string): Promise<LinkRow | undefined>;
  /** The same for the SHA-256 of a 测评码 (links/codes.ts): undefined for an unknown or re-issued code. */
  findLinkByCode(codeHash: string): Promise<LinkRow | undefined>;
  /** The round's frozen units, in category order then code. */
  roundUnits(roundId: string): Promise<RoundUnitRow[]>;
  /**
   * Marks the link used on `usedOn` and stores the ballot, in one transaction that succeeds only for an active,
   * unused link of an open round: however many times one link is submitted at once, one ballot is stored. Rejects
   * (nothing stored) when the ballot's id or receipt collides with another; the caller draws new ones.
   */
  castBallot(tokenHash: string, usedOn: string, ballot: BallotRow): Promise<CastOutcome>;
  /**
   * `castBallot` on a link nobody looked up, for a ballot whose form named its round: the link must also be of
   * `ballot.roundId`, not on paper, and its round open at `at` (an ISO time, the server's clock), and the ballot
   * records the seat's stratum. 'refused' when anything of that fails, for an unknown link too: nothing is stored,
   * and the caller looks the link up to say why. On PostgreSQL one statement, not a lookup and then a cast.
   */
  castStraight(tokenHash: string, usedOn: string, at: string, ballot: Omit<BallotRow, 'stratum'>): Promise<'cast' | 'refused'>;
  /** The head the published results pages are keyed by. */
  publishedHead(roundId: string): Promise<PublishedHead>;
  /**
   * One pass of mixing (see survey/mix.ts for when): afterwards the database's files say nothing about the order
   * in which ballots came. Resolves to the number of ballots rewritten; rejects when the pass could not finish.
   * With `unlessMixedWithinMs`, on a database that several servers share (PostgreSQL), resolves to undefined
   * without a pass when one is under way or began that recently and finished, on whichever server.
   */
  mix(opts?: { unlessMixedWithinMs?: number }): Promise<number | undefined>;
  /** Closes the database (and, on SQLite, the checkpointer first). */
  destroy(): Promise<void>;
}

/** Stands for a value given at run time in a query compiled once; any other parameter is a constant of the query. */
export const SLOT = '\u0000slot';

/** The compiled query with its slots filled, in order. */
export function withParams(q: CompiledQuery, values: readonly unknown[]): CompiledQuery {
  let i = 0;
  const parameters = q.parameters.map((p) => (p === SLOT ? values[i++] : p));
  if (i !== values.length) throw new Error(`query has ${i} slots, got ${values.length} values`);
  return { ...q, parameters };
}

/** The hot path's queries, compiled by Kysely once per store and run with new parameters each time. */
export interface HotQueries {
  link: CompiledQuery;
  linkByCode: CompiledQuery;
  units: CompiledQuery;
  markUsed: CompiledQuery;
  insertBallot: CompiledQuery;
  publishedHead: CompiledQuery;
}

/** The lookup of an active link with its round and stratum, before its condition on the token's or code's hash. */
export function linkLookup(db: Kysely<DB>) {
  // The seat's stratum comes with the link, so casting needs no further query.
  return db
    .selectFrom('round_links')
    .innerJoin('rounds', 'rounds.id', 'round_links.round_id')
    .innerJoin('round_pool', (j) => j.onRef('round_pool.round_id', '=', 'round_links.round_id').onRef('round_pool.code', '=', 'round_links.code'))
    .select([
      'rounds.id as roundId',
      'rounds.year',
      'rounds.title',
      'rounds.scale',
      'rounds.status',
      'rounds.opens_at as opensAt',
      'rounds.closes_at as closesAt',
      'round_links.used_on as usedOn',
      'round_pool.stratum',
      'round_links.token_hash as tokenHash',
      'round_links.paper',
    ])
    .where('round_links.active', '=', 1);
}

export function compileHotQueries(db: Kysely<DB>): HotQueries {
  const link = (by: 'round_links.token_hash' | 'round_links.code_hash') => linkLookup(db).where(by, '=', SLOT).compile();
  return {
    link: link('round_links.token_hash'),
    linkByCode: link('round_links.code_hash'),
    units: db
      .selectFrom('round_units')
      .select(['code', 'name', 'category', 'category_position as categoryPosition'])
      .where('round_id', '=', SLOT)
      .orderBy('category_position')
      .orderBy('code')
      .compile(),
    // Succeeds only for an active, unused link of an open round, not on paper: the guard of "one ballot per seat".
    markUsed: db
      .updateTable('round_links')
      .set({ used_on: SLOT })
      .where('token_hash', '=', SLOT)
      .where('active', '=', 1)
      .where('used_on', 'is', null)
      .where('paper', '=', 0)
      .where('round_id', 'in', (eb) => eb.selectFrom('rounds').select('id').where('status', '=', 'open'))
      .compile(),
    insertBallot: db
      .insertInto('ballots')
      .values({ id: SLOT as unknown as number, round_id: SLOT, receipt: SLOT, answers: SLOT, comments: SLOT, comment: SLOT, stratum: SLOT, reasons: SLOT })
      .compile(),
    publishedHead: db
      .selectFrom('published_results')
      .select((eb) => [eb.fn.max(eb.case().when('round_id', '=', SLOT).then(eb.ref('version')).end()).as('latest'), eb.fn.countAll().as('stamp')])
      .compile(),
  };
}

/** The two statements of a cast, with their values. */
export function castQueries(q: HotQueries, tokenHash: string, usedOn: string, b: BallotRow): { mark: CompiledQuery; insert: CompiledQuery } {
  return {
    mark: withParams(q.markUsed, [usedOn, tokenHash]),
    insert: withParams(q.insertBallot, [b.id, b.roundId, b.receipt, b.answers, b.comments, b.comment, b.stratum, b.reasons]),
  };
}

/** A published head from its row (PostgreSQL's max and count arrive as text or bigint). */
export function headOf(row: { latest: unknown; stamp: unknown } | undefined): PublishedHead {
  return { latest: row?.latest === null || row?.latest === undefined ? null : Number(row.latest), stamp: Number(row?.stamp ?? 0) };
}
