import type { RoundTable } from '../db/schema.js';
import { charLength, type Problem } from '../validate.js';

/*
 * A round's ballot design (docs/SPEC.md, The ballot): the indicators every unit is rated on, their weights, the
 * strata's weights and the reasons offered for 不满意. Set while the round is a draft; fixed at the freeze. The
 * default design is the ballot of one question per unit, equal weights and no reasons, stored as nulls.
 */

export interface Indicator {
  key: string;
  label: string;
  weight: number;
}

export interface BallotDesign {
  /** 1–8, in the order the form shows them. */
  indicators: Indicator[];
  /** One weight per stratum of the frozen pool, or null: every ballot counts the same. */
  strataWeights: Record<string, number> | null;
  /** 0–12 texts a representative may tick for a unit rated 不满意 (or under 60). */
  reasons: string[];
}

export const DEFAULT_INDICATOR: Indicator = { key: 'overall', label: '总体评价', weight: 1 };
export const MAX_INDICATORS = 8;
export const MAX_REASONS = 12;

export function defaultDesign(): BallotDesign {
  return { indicators: [{ ...DEFAULT_INDICATOR }], strataWeights: null, reasons: [] };
}

export function isDefaultDesign(d: BallotDesign): boolean {
  const [only] = d.indicators;
  return (
    d.indicators.length === 1 &&
    only?.key === DEFAULT_INDICATOR.key &&
    only.label === DEFAULT_INDICATOR.label &&
    only.weight === 1 &&
    d.strataWeights === null &&
    d.reasons.length === 0
  );
}

/** The design as people give it (CLI flags or console fields), all text; a field left out keeps what it was. */
export interface DesignInput {
  /** `key:label` items separated by commas or lines. */
  indicators?: string;
  /** Numbers separated by commas, one per indicator. */
  indicatorWeights?: string;
  /** `stratum:weight` items separated by commas or lines. */
  strataWeights?: string;
  /** Texts separated by semicolons or lines. */
  reasons?: string;
}

const KEY = /^[a-z][a-z0-9_]{0,19}$/;
const WEIGHT = /^\d{1,4}(\.\d{1,3})?$/;
const items = (text: string, separator: RegExp) =>
  text
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s !== '');
const weight = (text: string) => (WEIGHT.test(text) && Number(text) > 0 ? Number(text) : undefined);

/**
 * Validates a design, from `current` (the defaults when creating) with the fields given replaced; lists every
 * problem at once. New indicators without new weights weigh 1 each.
 */
export function parseDesign(
  input: DesignInput,
  current: BallotDesign = defaultDesign(),
): { ok: true; design: BallotDesign } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  let indicators = current.indicators.map((d) => ({ ...d }));
  // Weights are counted against the indicators as given, so that a bad indicator is not also a weight too many.
  let expected = indicators.length;
  if (input.indicators !== undefined) {
    const given = items(input.indicators, /[,\n]/);
    expected = Math.max(1, given.length);
    indicators = given.length ? [] : [{ ...DEFAULT_INDICATOR }];
    for (const item of given) {
      const at = item.indexOf(':');
      const key = (at < 0 ? item : item.slice(0, at)).trim();
      const label = at < 0 ? '' : item.slice(at + 1).trim();
      if (!KEY.test(key)) problems.push({ key: 'rounds.error.indicatorKey', params: { item }, field: 'indicators' });
      else if (charLength(label) < 1 || charLength(label) > 30) problems.push({ key: 'rounds.error.indicatorLabel', params: { item }, field: 'indicators' });
      else if (indicators.some((d) => d.key === key)) problems.push({ key: 'rounds.error.indicatorTwice', params: { key }, field: 'indicators' });
      else indicators.push({ key, label, weight: 1 });
    }
    if (given.length > MAX_INDICATORS)
      problems.push({ key: 'rounds.error.indicatorCount', params: { n: given.length, max: MAX_INDICATORS }, field: 'indicators' });
  }
  if (input.indicatorWeights !== undefined) {
    const given = items(input.indicatorWeights, /[,\s]+/);
    if (given.length === 0) for (const d of indicators) d.weight = 1;
    else if (given.length !== expected)
      problems.push({ key: 'rounds.error.indicatorWeightCount', params: { n: given.length, indicators: expected }, field: 'indicatorWeights' });
    else
      given.forEach((text, i) => {
        const w = weight(text);
        if (w === undefined) problems.push({ key: 'rounds.error.weight', params: { item: text }, field: 'indicatorWeights' });
        else if (indicators[i]) indicators[i].weight = w;
      });
  }

  let strataWeights = current.strataWeights && { ...current.strataWeights };
  if (input.strataWeights !== undefined) {
    const given = items(input.strataWeights, /[,\n]/);
    strataWeights = given.length ? {} : null;
    for (const item of given) {
      const at = item.lastIndexOf(':');
      const stratum = at < 0 ? '' : item.slice(0, at).trim();
      const w = at < 0 ? undefined : weight(item.slice(at + 1).trim());
      if (charLength(stratum) < 1 || charLength(stratum) > 50 || w === undefined)
        problems.push({ key: 'rounds.error.strataWeight', params: { item }, field: 'strataWeights' });
      else if (strataWeights && Object.hasOwn(strataWeights, stratum))
        problems.push({ key: 'rounds.error.stratumTwice', params: { stratum }, field: 'strataWeights' });
      else if (strataWeights) strataWeights[stratum] = w;
    }
  }

  let reasons = [...current.reasons];
  if (input.reasons !== undefined) {
    reasons = items(input.reasons, /[;\n]/);
    for (const r of reasons) if (charLength(r) > 40) problems.push({ key: 'rounds.error.reasonLong', params: { item: r }, field: 'reasons' });
    if (new Set(reasons).size !== reasons.length) problems.push({ key: 'rounds.error.reasonTwice', field: 'reasons' });
    if (reasons.length > MAX_REASONS) problems.push({ key: 'rounds.error.reasonCount', params: { n: reasons.length, max: MAX_REASONS }, field: 'reasons' });
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, design: { indicators, strataWeights, reasons } };
}

/** The design as the settings form and the CLI write it (the inverse of `parseDesign`). */
export function designText(d: BallotDesign): Required<DesignInput> {
  return {
    indicators: d.indicators.map((x) => `${x.key}:${x.label}`).join('\n'),
    indicatorWeights: d.indicators.map((x) => String(x.weight)).join(','),
    strataWeights: d.strataWeights
      ? Object.entries(d.strataWeights)
          .map(([s, w]) => `${s}:${w}`)
          .join('\n')
      : '',
    reasons: d.reasons.join('\n'),
  };
}

/** The columns of `rounds` that hold the design: null for each part that is the default. */
export function designColumns(d: BallotDesign) {
  const plain =
    d.indicators.length === 1 &&
    d.indicators[0]?.key === DEFAULT_INDICATOR.key &&
    d.indicators[0].label === DEFAULT_INDICATOR.label &&
    d.indicators[0].weight === 1;
  return {
    indicators: plain ? null : JSON.stringify(d.indicators),
    strata_weights: d.strataWeights ? JSON.stringify(d.strataWeights) : null,
    reasons: d.reasons.length ? JSON.stringify(d.reasons) : null,
  };
}

export function designOf(r: Pick<RoundTable, 'indicators' | 'strata_weights' | 'reasons'>): BallotDesign {
  return {
    indicators: r.indicators ? (JSON.parse(r.indicators) as Indicator[]) : [{ ...DEFAULT_INDICATOR }],
    strataWeights: r.strata_weights ? (JSON.parse(r.strata_weights) as Record<string, number>) : null,
    reasons: r.reasons ? (JSON.parse(r.reasons) as string[]) : [],
  };
}

/** The strata of the frozen pool that have no weight, in the order given; none when the design has no weights. */
export function unweightedStrata(d: BallotDesign, strata: readonly string[]): string[] {
  return d.strataWeights ? strata.filter((s) => !Object.hasOwn(d.strataWeights as object, s)) : [];
}
