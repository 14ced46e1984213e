import { type CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { Grouped } from './groups.js';
import { mixPostgres } from './postgres-mixing.js';
import { DatabaseUnavailable, type PoolOptions, postgresPool, prepared } from './postgres-pool.js';
import type { DB } from './schema.js';
import {
  compileHotQueries,
  headOf,
  linkLookup,
  SLOT,
  withParams,
  type BallotRow,
  type CastOutcome,
  type LinkRow,
  type PublishedHead,
  type RoundUnitRow,
  type Store,
} from './store.js';

/** Kysely on a PostgreSQL connection pool (postgres-pool.ts). */
export function openPostgres(url: string, opts: PoolOptions = {}): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: postgresPool(url, opts) }) });
}

/**
 * The store on PostgreSQL: the hot path's compiled queries through Kysely. Link lookups and ballots that arrive
 * together go to the database together (groups.ts): one statement for all the lookups of a turn of the event loop,
 * one for all its ballots, so a busy evening costs the database a round trip per group rather than per request. A
 * server's store (`serving`) also keeps the published results' heads in memory, told by PostgreSQL when anything is
 * published.
 */
export function openPostgresStore(url: string, opts: PoolOptions & { serving?: boolean } = {}): Store {
  return new PostgresStore(openPostgres(url, opts), opts.serving ? new PublishedHeads(url) : undefined);
}

/** The compiled lookups of a link by one kind of hash: alone, and for a group of hashes. */
interface LinkLookups {
  one: CompiledQuery;
  many: CompiledQuery;
}

/** One ballot to cast: the link's token hash, the day, and the ballot's columns but its round (the link's). */
interface CastItem {
  tokenHash: string;
  usedOn: string;
  /** Without its round (the function takes the link's), and without its stratum when cast straight. */
  ballot: Omit<BallotRow, 'roundId' | 'stratum'> & { stratum?: string | null };
  /** A ballot cast straight (castStraight): the round its form named, and the time it was cast. */
  straight?: { roundId: string; at: string };
}

class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  private readonly q;
  private readonly castMany: CompiledQuery;
  private readonly links: Grouped<string, LinkRow | undefined>;
  private readonly linksByCode: Grouped<string, LinkRow | undefined>;
  private readonly casts: Grouped<CastItem, CastOutcome>;

  constructor(
    readonly db: Kysely<DB>,
    private readonly heads: PublishedHeads | undefined,
  ) {
    const q = compileHotQueries(db);
    this.q = { ...q, link: prepared(q.link), linkByCode: prepared(q.linkByCode), units: prepared(q.units), publishedHead: prepared(q.publishedHead) };
    this.castMany = prepared(sql<{ casts: number[] }>`select pingyi_cast_many(${SLOT}::jsonb) as casts`.compile(db));
    // A lookup alone keeps the plain query; a group asks with `= any(…)` and gets each row with its hash.
    const lookups = (by: 'round_links.token_hash' | 'round_links.code_hash', one: CompiledQuery): LinkLookups => ({
      one,
      many: prepared(linkLookup(db).select(`${by} as key`).where(by, '=', sql<string>`any(${SLOT}::text[])`).compile()),
    });
    const byToken = lookups('round_links.token_hash', this.q.link);
    const byCode = lookups('round_links.code_hash', this.q.linkByCode);
    this.links = new Grouped((hashes) => this.lookUp(byToken, hashes));
    this.linksByCode = new Grouped((hashes) => this.lookUp(byCode, hashes));
    this.casts = new Grouped((items) => this.castGroup(items));
  }

  findLink(tokenHash: string): Promise<LinkRow | undefined> {
    return this.links.add(tokenHash);
  }

  findLinkByCode(codeHash: string): Promise<LinkRow | undefined> {
    return this.linksByCode.add(codeHash);
  }

  /** The links of a group of hashes, in one query; a hash asked twice gets the same row twice. */
  private async lookUp(queries: LinkLookups, hashes: string[]): Promise<(LinkRow | undefined)[]> {
    if (hashes.length === 1) return [(await this.db.executeQuery<LinkRow>(withParams(queries.one, hashes))).rows[0]];
    const { rows } = await this.db.executeQuery<LinkRow & { key: string }>(withParams(queries.many, [[...new Set(hashes)]]));
    const found = new Map<string, LinkRow>(rows.map(({ key, ...link }) => [key, link]));
    return hashes.map((h) => found.get(h));
  }

  async roundUnits(roundId: string): Promise<RoundUnitRow[]> {
    return (await this.db.executeQuery<RoundUnitRow>(withParams(this.q.units, [roundId]))).rows;
  }

  async publishedHead(roundId: string): Promise<PublishedHead> {
    const known = this.heads?.get(roundId);
    if (known) return known;
    const version = this.heads?.version();
    const head = headOf((await this.db.executeQuery<{ latest: unknown; stamp: unknown }>(withParams(this.q.publishedHead, [roundId]))).rows[0]);
    if (version !== undefined) this.heads?.keep(roundId, head, version);
    return head;
  }

  /**
   * Joins the turn's group of ballots (castGroup). pingyi_cast_many takes the writer lock shared, so that no ballot
   * is cast while an administrator's change such as closing the round is under way, marks the link used if it may
   * be, and stores the ballot.
   */
  castBallot(tokenHash: string, usedOn: string, ballot: BallotRow): Promise<CastOutcome> {
    // The round is the link's (the function takes it from there); every other column goes by name.
    const { roundId: _roundId, ...row } = ballot;
    return this.casts.add({ tokenHash, usedOn, ballot: row });
  }

  /** The same, for a link nobody looked up: pingyi_cast_many checks it against the round named (migration 0018). */
  async castStraight(tokenHash: string, usedOn: string, at: string, ballot: Omit<BallotRow, 'stratum'>): Promise<'cast' | 'refused'> {
    const { roundId, ...row } = ballot;
    return (await this.casts.add({ tokenHash, usedOn, ballot: row, straight: { roundId, at } })) === 'cast' ? 'cast' : 'refused';
  }

  /**
   * Group commit: the ballots of a group in one transaction through pingyi_cast_many (migrations 0017, 0018), a
   * ballot per link, the links locked in the order of their hashes, so two groups never wait for each other in a
   * circle. When the group fails as a whole (a receipt that collides, say), each ballot is cast again on its own, so one ballot's
   * failure stays its own; when the database is unavailable, every ballot of the group is told so.
   */
  private async castGroup(items: CastItem[]): Promise<(CastOutcome | Promise<CastOutcome>)[]> {
    try {
      return await this.castAll(items);
    } catch (e) {
      if (e instanceof DatabaseUnavailable || items.length === 1) throw e;
      return items.map(async (it) => (await this.castAll([it]))[0] as CastOutcome);
    }
  }

  private async castAll(items: CastItem[]): Promise<CastOutcome[]> {
    // One JSON document (migration 0016): the driver would escape each element of an array parameter in JavaScript.
    const group = JSON.stringify(
      items.map((it) => (it.straight ? [it.tokenHash, it.usedOn, it.ballot, it.straight.roundId, it.straight.at] : [it.tokenHash, it.usedOn, it.ballot])),
    );
    const casts = (await this.db.executeQuery<{ casts: number[] }>(withParams(this.castMany, [group]))).rows[0]?.casts ?? [];
    return items.map((_, k) => (casts[k] === 1 ? 'cast' : 'used'));
  }

  mix(opts: { unlessMixedWithinMs?: number } = {}): Promise<number | undefined> {
    return mixPostgres(this.db, opts);
  }

  async destroy(): Promise<void> {
    await this.heads?.stop();
    await this.db.destroy();
  }
}

/** How long to wait before listening again after the listening connection was lost, at most. */
const RELISTEN_MAX_MS = 30_000;

/**
 * The published results' heads, kept while a connection of their own listens for `pingyi_published` (sent by a
 * trigger when a version is published, migration 0010, on commit): any notice forgets them all, so no server serves
 * a stale page after another server or the CLI publishes. While the connection is down nothing is kept, and every
 * request asks the database, as a server without this does.
 */
class PublishedHeads {
  private readonly heads = new Map<string, PublishedHead>();
  /** Changes whenever the kept heads may have become stale; a head read before a change is not kept. */
  private generation = 0;
  private listening = false;
  private client: pg.Client | undefined;
  private retryMs = 500;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly url: string) {
    void this.listen();
  }

  get(roundId: string): PublishedHead | undefined {
    return this.listening ? this.heads.get(roundId) : undefined;
  }

  /** The generation a caller reads under; undefined while nothing may be kept. */
  version(): number | undefined {
    return this.listening ? this.generation : undefined;
  }

  keep(roundId: string, head: PublishedHead, generation: number): void {
    if (this.listening && generation === this.generation) this.heads.set(roundId, head);
  }

  private forget(): void {
    this.generation++;
    this.heads.clear();
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url });
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.listening = false;
      this.client = undefined;
      this.forget();
      void client.end().catch(() => {});
      if (!this.stopped) this.timer = setTimeout(() => void this.listen(), this.retryMs).unref();
      this.retryMs = Math.min(2 * this.retryMs, RELISTEN_MAX_MS);
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.forget());
    try {
      await client.connect();
      await client.query('listen pingyi_published');
      this.forget(); // anything read before the connection listened may already be stale
      this.listening = true;
      this.retryMs = 500;
    } catch {
      lost();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.listening = false;
    await this.client?.end().catch(() => {});
  }
}
