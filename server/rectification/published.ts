import type { Executor } from '../db/schema.js';
import type { ResultsDocument } from '../results/snapshot.js';
import { findRound, type Round } from '../rounds/rounds.js';
import { dateInZone } from '../time.js';

/** A unit as the year's latest published results show it: what the follow-up needs of the ranking. */
export interface FlaggedUnit {
  code: string;
  name: string;
  category: string;
  rank: number | null;
  bottom3: boolean;
  bottom3TwoYears: boolean;
}

/** A published year: its round, when it was first published, and its units in the order of its results. */
export interface PublishedYearFlags {
  round: Round;
  /** When the first version was published: deadlines and the days a measure is pending count from then. */
  publishedAt: string;
  /** The same as a date in the city's time zone. */
  publishedOn: string;
  /** From the latest version (a correction may change the flags). */
  units: FlaggedUnit[];
}

/** The year's published flags, or undefined when the year has no published results. */
export async function publishedFlags(db: Executor, year: number, timeZone: string): Promise<PublishedYearFlags | undefined> {
  const round = await findRound(db, year);
  if (!round) return undefined;
  const versions = await db.selectFrom('published_results').select(['version', 'published_at']).where('round_id', '=', round.id).orderBy('version').execute();
  const first = versions[0];
  const last = versions.at(-1);
  if (!first || !last) return undefined;
  const row = await db
    .selectFrom('published_results')
    .select('body')
    .where('round_id', '=', round.id)
    .where('version', '=', last.version)
    .executeTakeFirstOrThrow();
  const doc = JSON.parse(row.body) as ResultsDocument;
  return {
    round,
    publishedAt: first.published_at,
    publishedOn: dateInZone(new Date(first.published_at), timeZone),
    units: doc.units.map((u) => ({ code: u.code, name: u.name, category: u.category, rank: u.rank, bottom3: u.bottom3, bottom3TwoYears: u.bottom3TwoYears })),
  };
}

/** The years with published results, newest first. */
export async function publishedYearList(db: Executor): Promise<number[]> {
  const rows = await db
    .selectFrom('rounds')
    .innerJoin('published_results', 'published_results.round_id', 'rounds.id')
    .select('rounds.year')
    .distinct()
    .orderBy('rounds.year', 'desc')
    .execute();
  return rows.map((r) => r.year);
}
