import { createHash } from 'node:crypto';
import type { AuditHead } from '../audit/log.js';
import type { Executor } from '../db/schema.js';
import { compareBytes } from '../draw/algorithm.js';
import { designOf, isDefaultDesign, type Indicator } from '../rounds/design.js';
import type { Round } from '../rounds/rounds.js';
import { turnoutByStratum } from '../rounds/rounds.js';
import { BOOTSTRAP_METHOD, DEFAULT_RESAMPLES } from './bootstrap.js';
import { countBallots, type Cell } from './cells.js';
import { countAnswers, tally, tallyDesign, type Answer, type IndicatorResult, type ReasonCount, type StratumResult, type UnitResult } from './tally.js';

/** The published results of one round (README, Open data), in field order; `sha256` is appended when serialised. */
export interface ResultsDocument {
  year: number;
  title: string;
  version: number;
  publishedAt: string;
  note: string | null;
  scale: 'satisfaction4' | 'score100';
  points: [number, number, number];
  bottomScope: 'overall' | 'category';
  minValid: number;
  sampleSize: number;
  ballots: number;
  turnout: number;
  turnoutByStratum: { stratum: string; seats: number; ballots: number; turnout: number }[];
  seed: string;
  intervals: { method: string; resamples: number; level: number };
  previousYear: number | null;
  units: PublishedUnitResult[];
  // The ballot design (docs/SPEC.md, The ballot), in rounds that have one; a round with the default ballot
  // publishes none of these fields, so it publishes exactly what it did before the design existed.
  indicators?: Indicator[];
  strataWeights?: Record<string, number> | null;
  reasons?: string[];
  /** The round's categories in the form's order: with the unit codes in byte order, the order the bootstrap draws in. */
  categories?: string[];
  /** A weighted round's answer counts per unit, indicator and stratum: its scores cannot be recomputed without them. */
  cells?: Cell[];
  /** The audit chain just before publishing (absent from versions published before heads were recorded). */
  audit?: AuditHead;
  receipts: string[];
}

/** A unit as published; the figures of the design are present in rounds with one. */
export type PublishedUnitResult = UnitResult & {
  name: string;
  indicators?: IndicatorResult[];
  byStratum?: StratumResult[];
  reasons?: ReasonCount[];
};

export interface Serialized {
  body: string;
  sha256: string;
}

/**
 * The served bytes: compact JSON with `sha256` as its last field, so that removing `,"sha256":"…"` leaves exactly
 * the bytes whose SHA-256 it is.
 */
export function serialize(doc: ResultsDocument): Serialized {
  const inner = JSON.stringify(doc);
  const sha256 = createHash('sha256').update(inner).digest('hex');
  return { body: `${inner.slice(0, -1)},"sha256":"${sha256}"}`, sha256 };
}

/** Checks a served body against its own sha256 field: what anyone can do with the downloaded file. */
export function checkBody(body: string): boolean {
  const m = /,"sha256":"([0-9a-f]{64})"\}$/.exec(body);
  if (!m) return false;
  const inner = `${body.slice(0, m.index)}}`;
  return createHash('sha256').update(inner).digest('hex') === m[1];
}

/** The latest published version of a round, if any. */
export async function latestPublished(db: Executor, roundId: string) {
  return db.selectFrom('published_results').selectAll().where('round_id', '=', roundId).orderBy('version', 'desc').limit(1).executeTakeFirst();
}

/** The codes flagged bottom three in the previous year's latest published results; null when there are none. */
export async function previousBottom3(db: Executor, year: number): Promise<{ year: number; codes: string[] } | null> {
  const prev = await db
    .selectFrom('rounds')
    .select(['id', 'year'])
    .where('year', '=', year - 1)
    .executeTakeFirst();
  if (!prev) return null;
  const published = await latestPublished(db, prev.id);
  if (!published) return null;
  const doc = JSON.parse(published.body) as ResultsDocument;
  return { year: prev.year, codes: doc.units.filter((u) => u.bottom3).map((u) => u.code) };
}

/**
 * Computes a round's results from its ballots: the tally of §2.7 with intervals, turnout overall and by stratum,
 * and the sorted list of receipts. Pure apart from reading; publishing stores what this returns.
 */
export async function computeResults(
  db: Executor,
  round: Round,
  meta: { version: number; publishedAt: string; note: string | null; audit?: AuditHead },
): Promise<ResultsDocument> {
  // The round's order: categories as on the form, codes in byte order within each (what the bootstrap draws in).
  const units = (await db.selectFrom('round_units').select(['code', 'name', 'category', 'category_position']).where('round_id', '=', round.id).execute())
    .sort((a, b) => a.category_position - b.category_position || compareBytes(a.code, b.code))
    .map(({ code, name, category }) => ({ code, name, category }));
  const ballots = await db.selectFrom('ballots').select(['answers', 'receipt', 'stratum', 'reasons']).where('round_id', '=', round.id).execute();
  const scale = round.scale;
  const previous = await previousBottom3(db, round.year);
  const points = round.points.split(',').map(Number) as [number, number, number];
  const common = {
    scale,
    points,
    minValid: round.min_valid,
    bottomScope: round.bottom_scope,
    units,
    previousBottom3: previous?.codes ?? null,
    seed: round.seed ?? '',
  };
  const design = designOf(round);
  const plain = isDefaultDesign(design);
  let results: PublishedUnitResult[];
  let cells: Cell[] = [];
  if (plain) {
    const counts = countAnswers(
      scale,
      units.map((u) => u.code),
      ballots.map((b) => JSON.parse(b.answers) as Record<string, Answer>),
    );
    results = tally({ ...common, counts }) as PublishedUnitResult[];
  } else {
    const counted = countBallots(
      { scale, unitCodes: units.map((u) => u.code), indicators: design.indicators.map((d) => d.key), reasons: design.reasons.length },
      ballots.map((b) => ({ stratum: b.stratum, answers: JSON.parse(b.answers), reasons: b.reasons === null ? null : JSON.parse(b.reasons) })),
    );
    cells = counted.cells;
    results = tallyDesign({
      ...common,
      indicators: design.indicators,
      strataWeights: design.strataWeights,
      reasons: design.reasons,
      cells,
      strata: counted.strata,
      reasonCounts: counted.reasons,
    }) as PublishedUnitResult[];
  }
  const strata = await turnoutByStratum(db, round);
  // The sample actually drawn: the setting, or the whole pool when the pool was smaller.
  const seats = strata.reduce((n, s) => n + s.seats, 0);
  return {
    year: round.year,
    title: round.title,
    version: meta.version,
    publishedAt: meta.publishedAt,
    note: meta.note,
    scale,
    points,
    bottomScope: round.bottom_scope,
    minValid: round.min_valid,
    sampleSize: seats,
    ballots: ballots.length,
    turnout: seats ? ballots.length / seats : 0,
    turnoutByStratum: strata.map((s) => ({ stratum: s.stratum, seats: s.seats, ballots: s.answered, turnout: s.seats ? s.answered / s.seats : 0 })),
    seed: round.seed ?? '',
    intervals: { method: BOOTSTRAP_METHOD, resamples: DEFAULT_RESAMPLES, level: 0.95 },
    previousYear: previous?.year ?? null,
    units: results,
    ...(!plain && {
      indicators: design.indicators.map(({ key, label, weight }) => ({ key, label, weight })),
      strataWeights: design.strataWeights,
      reasons: design.reasons,
      categories: [...new Set(units.map((u) => u.category))],
      ...(design.strataWeights && { cells }),
    }),
    ...(meta.audit && { audit: meta.audit }),
    receipts: ballots.map((b) => b.receipt).sort(),
  };
}
