import type { RoundTable } from '../db/schema.js';
import { isZonedIso, zonedIso } from '../time.js';
import { charLength, type Problem } from '../validate.js';
import { designColumns, designOf, parseDesign, type BallotDesign, type DesignInput } from './design.js';

/** A round's settings as people give them (CLI flags or console form fields), all text. */
export interface SettingsInput {
  year?: string;
  title?: string;
  sample?: string;
  scale?: string;
  points?: string;
  stratify?: boolean;
  bottomScope?: string;
  minValid?: string;
  opens?: string;
  closes?: string;
  /** The ballot design's fields (rounds/design.ts); those left out keep what they were. */
  design?: DesignInput;
}

export interface RoundSettings {
  year: number;
  title: string;
  sampleSize: number;
  scale: 'satisfaction4' | 'score100';
  points: [number, number, number];
  stratify: boolean;
  bottomScope: 'overall' | 'category';
  minValid: number;
  opensAt: string;
  closesAt: string;
  design: BallotDesign;
}

const wholeNumber = (v: string, min: number, max: number) => (/^\d{1,9}$/.test(v.trim()) && Number(v) >= min && Number(v) <= max ? Number(v) : undefined);

/** Parses "100,70,30": three numbers 0–100, not increasing. */
export function parsePoints(v: string): [number, number, number] | undefined {
  const parts = v.split(',').map((p) => p.trim());
  if (parts.length !== 3 || parts.some((p) => !/^\d{1,3}(\.\d{1,2})?$/.test(p))) return undefined;
  const [a, b, c] = parts.map(Number) as [number, number, number];
  return a <= 100 && a >= b && b >= c ? [a, b, c] : undefined;
}

/**
 * Validates settings, filling defaults (README, A year's round) for what is not given; lists every problem at once.
 * `current` holds the stored settings when editing, so an edit changes only what it names.
 */
export function parseSettings(
  input: SettingsInput,
  timeZone: string,
  defaultTitle: (year: number) => string,
  current?: Omit<RoundSettings, 'design'> & { design?: BallotDesign },
): { ok: true; settings: RoundSettings } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const year = current?.year ?? wholeNumber(input.year ?? '', 2000, 2100);
  if (year === undefined) problems.push({ key: 'rounds.error.year', field: 'year' });
  const y = year ?? 2000;

  const title = input.title !== undefined ? input.title.trim() : (current?.title ?? defaultTitle(y));
  if (charLength(title) < 1 || charLength(title) > 200 || /[\r\n]/.test(title)) problems.push({ key: 'rounds.error.title', field: 'title' });

  const sampleSize = input.sample !== undefined ? wholeNumber(input.sample, 1, 1_000_000) : (current?.sampleSize ?? 1000);
  if (sampleSize === undefined) problems.push({ key: 'rounds.error.sampleSize', field: 'sample' });

  const scale = input.scale ?? current?.scale ?? 'satisfaction4';
  if (scale !== 'satisfaction4' && scale !== 'score100') problems.push({ key: 'rounds.error.scale', field: 'scale' });

  const points = input.points !== undefined ? parsePoints(input.points) : (current?.points ?? [100, 70, 30]);
  if (!points) problems.push({ key: 'rounds.error.points', field: 'points' });

  const bottomScope = input.bottomScope ?? current?.bottomScope ?? 'overall';
  if (bottomScope !== 'overall' && bottomScope !== 'category') problems.push({ key: 'rounds.error.bottomScope', field: 'bottomScope' });

  const minValid = input.minValid !== undefined ? wholeNumber(input.minValid, 1, 100_000) : (current?.minValid ?? 30);
  if (minValid === undefined) problems.push({ key: 'rounds.error.minValid', field: 'minValid' });

  const opensAt = input.opens?.trim() || current?.opensAt || zonedIso(y, 12, 1, 9, 0, timeZone);
  const closesAt = input.closes?.trim() || current?.closesAt || zonedIso(y, 12, 20, 18, 0, timeZone);
  if (!isZonedIso(opensAt)) problems.push({ key: 'rounds.error.opensAt', field: 'opens' });
  if (!isZonedIso(closesAt) || (isZonedIso(opensAt) && Date.parse(closesAt) <= Date.parse(opensAt))) {
    problems.push({ key: 'rounds.error.closesAt', field: 'closes' });
  }
  const design = parseDesign(input.design ?? {}, current?.design);
  if (!design.ok) problems.push(...design.problems);
  if (problems.length || !design.ok) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      year: y,
      title,
      sampleSize: sampleSize as number,
      scale: scale as RoundSettings['scale'],
      points: points as [number, number, number],
      stratify: input.stratify ?? current?.stratify ?? true,
      bottomScope: bottomScope as RoundSettings['bottomScope'],
      minValid: minValid as number,
      opensAt,
      closesAt,
      design: design.design,
    },
  };
}

export function settingsOf(r: RoundTable): RoundSettings {
  return {
    year: r.year,
    title: r.title,
    sampleSize: r.sample_size,
    scale: r.scale,
    points: r.points.split(',').map(Number) as [number, number, number],
    stratify: r.stratify === 1,
    bottomScope: r.bottom_scope,
    minValid: r.min_valid,
    opensAt: r.opens_at,
    closesAt: r.closes_at,
    design: designOf(r),
  };
}

export function settingsColumns(s: RoundSettings) {
  return {
    year: s.year,
    title: s.title,
    sample_size: s.sampleSize,
    scale: s.scale,
    points: s.points.join(','),
    stratify: s.stratify ? 1 : 0,
    bottom_scope: s.bottomScope,
    min_valid: s.minValid,
    opens_at: s.opensAt,
    closes_at: s.closesAt,
    ...designColumns(s.design),
  };
}
