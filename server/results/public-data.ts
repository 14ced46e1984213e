// What the public pages read: published snapshots only (README, A year's round), never ballots or rounds in progress.
import { toCsv } from '../csv/read.js';
import type { Database } from '../db/schema.js';
import type { Store } from '../db/store.js';
import type { Table } from '../sheets/write.js';
import type { PublicCaches } from './public-cache.js';
import type { ResultsDocument } from './snapshot.js';

export type PublishedUnit = ResultsDocument['units'][number];

export interface ResultsHead {
  roundId: string;
  /** The latest published version of the year. */
  latest: number;
  /** How many versions are published, all years together: changes whenever anything is published. */
  stamp: number;
}

/** The year's round and its latest version number; undefined when the year has no published results. */
export async function resultsHead(store: Store, caches: PublicCaches, year: number): Promise<ResultsHead | undefined> {
  let roundId = caches.roundIds.get(year);
  if (roundId === undefined) {
    const row = await store.db
      .selectFrom('rounds')
      .innerJoin('published_results', 'published_results.round_id', 'rounds.id')
      .select('rounds.id')
      .where('rounds.year', '=', year)
      .limit(1)
      .executeTakeFirst();
    if (!row) return undefined;
    roundId = row.id;
    if (caches.roundIds.size > 200) caches.roundIds.clear();
    caches.roundIds.set(year, roundId);
  }
  const head = await store.publishedHead(roundId);
  return head.latest !== null ? { roundId, latest: head.latest, stamp: head.stamp } : undefined;
}

/** The stored bytes of one version: exactly what `/results/{year}.json` serves. */
export async function publishedBody(db: Database, roundId: string, version: number) {
  return db.selectFrom('published_results').select(['body', 'sha256']).where('round_id', '=', roundId).where('version', '=', version).executeTakeFirst();
}

/** Every version of a round's results, oldest first, with its date and note. */
export async function publishedVersions(db: Database, roundId: string) {
  return db.selectFrom('published_results').select(['version', 'published_at', 'note', 'sha256']).where('round_id', '=', roundId).orderBy('version').execute();
}

/** One version, parsed; snapshots never change, so each is parsed once per app instance. */
export async function publishedDoc(db: Database, caches: PublicCaches, roundId: string, version: number): Promise<ResultsDocument | undefined> {
  const docs = caches.docs;
  const key = `${roundId}:${version}`;
  const hit = docs.get(key);
  if (hit) return hit;
  const row = await publishedBody(db, roundId, version);
  if (!row) return undefined;
  const doc = JSON.parse(row.body) as ResultsDocument & { sha256?: string };
  docs.set(key, doc);
  return doc;
}

export interface PublishedYear {
  year: number;
  roundId: string;
  version: number;
}

/** The years with published results and their latest versions, newest year first. */
export async function publishedYears(db: Database): Promise<PublishedYear[]> {
  const rows = await db
    .selectFrom('rounds')
    .innerJoin('published_results', 'published_results.round_id', 'rounds.id')
    .select((eb) => ['rounds.year', 'rounds.id as roundId', eb.fn.max('published_results.version').as('version')])
    .groupBy(['rounds.id', 'rounds.year'])
    .orderBy('rounds.year', 'desc')
    .execute();
  return rows.map((r) => ({ year: r.year, roundId: r.roundId, version: Number(r.version) }));
}

// ---- Open data: the CSV ----

/** The CSV's columns: the JSON's unit fields in their order, objects and pairs flattened with a dot. */
export const CSV_COLUMNS = [
  'code',
  'name',
  'category',
  'valid',
  'unknown',
  'counts.satisfied',
  'counts.basic',
  'counts.dissatisfied',
  'score',
  'satisfactionRate',
  'rank',
  'categoryRank',
  'scoreInterval.lo',
  'scoreInterval.hi',
  'rankInterval.lo',
  'rankInterval.hi',
  'bottom3',
  'bottom3TwoYears',
  'ranked',
] as const;

/**
 * `/results/{year}.csv`: UTF-8 with BOM, one row per unit in the JSON's order, numbers exactly as in the JSON. A round
 * with a ballot design adds its unit fields after those, flattened the same way: each indicator's figures under
 * `indicators.{key}.…`, each stratum's under `byStratum.{stratum}.…` and each reason's count under `reasons.{reason}`.
 */
export function resultsCsv(doc: ResultsDocument): string {
  const table = resultsTable(doc);
  return toCsv(table.header, table.rows);
}

/** The rows of `/results/{year}.csv`, which `/results/{year}.xlsx` holds too. */
export function resultsTable(doc: ResultsDocument): Table {
  const bool = (b: boolean) => (b ? 'true' : 'false');
  const designed = doc.indicators !== undefined;
  const strata = designed ? [...new Set(doc.units.flatMap((u) => (u.byStratum ?? []).map((s) => s.stratum)))] : [];
  const header: string[] = [...CSV_COLUMNS];
  if (designed) {
    for (const d of doc.indicators ?? []) {
      for (const f of INDICATOR_COLUMNS) header.push(`indicators.${d.key}.${f}`);
    }
    for (const s of strata) for (const f of ['ballots', 'score', 'satisfactionRate']) header.push(`byStratum.${s}.${f}`);
    for (const r of doc.reasons ?? []) header.push(`reasons.${r}`);
  }
  return {
    sheet: `results ${doc.year}`,
    header,
    rows: doc.units.map((u) => [
      u.code,
      u.name ?? '',
      u.category,
      u.valid,
      u.unknown,
      u.counts?.satisfied,
      u.counts?.basic,
      u.counts?.dissatisfied,
      u.score,
      u.satisfactionRate,
      u.rank,
      u.categoryRank,
      u.scoreInterval?.[0],
      u.scoreInterval?.[1],
      u.rankInterval?.[0],
      u.rankInterval?.[1],
      bool(u.bottom3),
      bool(u.bottom3TwoYears),
      bool(u.ranked),
      ...(designed
        ? [
            ...(doc.indicators ?? []).flatMap((d) => {
              const x = u.indicators?.find((i) => i.key === d.key);
              return [x?.valid, x?.unknown, x?.counts?.satisfied, x?.counts?.basic, x?.counts?.dissatisfied, x?.score, x?.satisfactionRate, x?.rank];
            }),
            ...strata.flatMap((s) => {
              const x = u.byStratum?.find((b) => b.stratum === s);
              return [x?.ballots, x?.score, x?.satisfactionRate];
            }),
            ...(doc.reasons ?? []).map((r) => u.reasons?.find((x) => x.reason === r)?.count),
          ]
        : []),
    ]),
  };
}

/** An indicator's columns in the CSV of a round with a ballot design, after `indicators.{key}.`. */
const INDICATOR_COLUMNS = ['valid', 'unknown', 'counts.satisfied', 'counts.basic', 'counts.dissatisfied', 'score', 'satisfactionRate', 'rank'] as const;

// ---- How numbers are shown (docs/SPEC.md, The method) ----

/**
 * Decimals per unit code: 2, or 3 for a ranked unit whose 2-decimal score equals that of a ranked unit of a
 * different rank (so two units that are ranked apart never look equal when they need not).
 */
export function scoreDecimals(units: readonly PublishedUnit[]): Map<string, 2 | 3> {
  const out = new Map<string, 2 | 3>();
  const byText = new Map<string, PublishedUnit[]>();
  for (const u of units) {
    out.set(u.code, 2);
    if (!u.ranked || u.score === null) continue;
    const text = u.score.toFixed(2);
    byText.set(text, [...(byText.get(text) ?? []), u]);
  }
  for (const group of byText.values()) {
    if (new Set(group.map((u) => u.rank)).size > 1) for (const u of group) out.set(u.code, 3);
  }
  return out;
}

export const fmtNumber = (v: number | null | undefined, decimals: number) => (v === null || v === undefined ? '—' : v.toFixed(decimals));
export const fmtPercent = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`);
export const fmtInterval = (v: readonly [number, number] | null, decimals: number) => (v ? `${v[0].toFixed(decimals)}–${v[1].toFixed(decimals)}` : '—');

/**
 * Seats actually drawn and the turnout over them. A round asking for more seats than its pool has draws everyone
 * (docs/SPEC.md, The draw), so the sum of the strata's seats, not `sampleSize`, is what ballots are counted against.
 */
export function drawnTurnout(doc: ResultsDocument): { drawn: number; turnout: number } {
  const seats = doc.turnoutByStratum.reduce((n, s) => n + s.seats, 0);
  const drawn = seats > 0 ? seats : doc.sampleSize;
  return { drawn, turnout: drawn ? doc.ballots / drawn : 0 };
}

/** The categories of a snapshot: in `order` (the round's order) first, then any other in rank order. */
export function categoriesOf(doc: ResultsDocument, order: readonly string[] = []): string[] {
  const present = new Set(doc.units.map((u) => u.category));
  return [...new Set([...order.filter((c) => present.has(c)), ...present])];
}

/** The round's categories in their fixed order (the order of the ballot form), for tabs that stay put across years. */
export async function roundCategories(db: Database, roundId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('round_units')
    .select((eb) => ['category', eb.fn.min('category_position').as('position')])
    .where('round_id', '=', roundId)
    .groupBy('category')
    .orderBy('position')
    .orderBy('category')
    .execute();
  return rows.map((r) => r.category);
}
