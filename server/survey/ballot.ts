import { createHash } from 'node:crypto';
import type { MessageKey, Params } from '../i18n/catalogue.js';
import { charLength } from '../validate.js';

export type Scale = 'satisfaction4' | 'score100';
export const CHOICES = ['satisfied', 'basic', 'dissatisfied', 'unknown'] as const;
export type Choice = (typeof CHOICES)[number];
export type Answer = Choice | number;

export const UNIT_COMMENT_MAX = 500;
export const OVERALL_COMMENT_MAX = 2000;

export interface FormUnit {
  code: string;
  name: string;
  category: string;
  categoryPosition: number;
}

/** A small fast generator for the form order (seedrandom's ARC4 set-up cost more than the rest of the page). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The order a link's form shows its units: categories in their fixed order, units shuffled within each category
 * by a generator seeded from the token, so every link has its own order and a reload keeps it. (Not the draw:
 * this randomness only spreads the first-and-last-place effect evenly over the units.)
 */
export function formOrder(units: readonly FormUnit[], token: string): FormUnit[][] {
  const byCategory = new Map<number, FormUnit[]>();
  for (const u of [...units].sort((a, b) => a.categoryPosition - b.categoryPosition || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))) {
    const list = byCategory.get(u.categoryPosition) ?? [];
    list.push(u);
    byCategory.set(u.categoryPosition, list);
  }
  const rng = mulberry32(createHash('sha256').update(`form-order|${token}`).digest().readUInt32LE(0));
  return [...byCategory.values()].map((list) => {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [list[i], list[j]] = [list[j] as FormUnit, list[i] as FormUnit];
    }
    return list;
  });
}

export interface FieldProblem {
  key: MessageKey;
  params?: Params;
}

export interface BallotDraft {
  /** What the person gave, kept to show the form again: a choice, a score as typed, or nothing. */
  given: Record<string, string>;
  /** score100: units whose "don't know" box was ticked (possibly beside a score, which is refused). */
  unknownTicked: Record<string, boolean>;
  comments: Record<string, string>;
  comment: string;
}

export type ParsedBallot =
  | { ok: true; answers: Record<string, Answer>; comments: Record<string, string>; comment: string | null }
  | { ok: false; problems: Record<string, FieldProblem>; general: FieldProblem[]; draft: BallotDraft };

/** A form's fields: every value of each field name, in order. */
export type BallotFields = Readonly<Record<string, readonly string[] | undefined>>;

/**
 * A form body's fields: URLSearchParams straight from the text, the same decoding as a form parser without its
 * overhead. Field names such as `__proto__` are just names (the object has no prototype).
 */
export function ballotFields(body: string): BallotFields {
  const fields: Record<string, string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(body)) {
    const values = fields[k];
    if (values) values.push(v);
    else fields[k] = [v];
  }
  return fields;
}

/** The field names of a round's units, built once per list of units (a round's list is cached and reused). */
interface FieldNames {
  known: Set<string>;
  names: { code: string; answer: string; comment: string }[];
}
const fieldNamesOf = new WeakMap<readonly { code: string }[], FieldNames>();
function fieldNames(units: readonly { code: string }[]): FieldNames {
  let f = fieldNamesOf.get(units);
  if (!f) {
    f = { known: new Set(units.map((u) => u.code)), names: units.map(({ code }) => ({ code, answer: `u.${code}`, comment: `c.${code}` })) };
    fieldNamesOf.set(units, f);
  }
  return f;
}

const NONE: readonly string[] = [];
/** The last value of a field, trimmed; '' when the field is absent. */
const lastOf = (values: readonly string[]) => (values.length ? (values[values.length - 1] as string).trim() : '');

/**
 * Checks a submitted form against the round's units (docs/SPEC.md, Anonymity and trust): every unit answered, answers from the scale,
 * comments within their limits, no unit outside the round. Lists every problem at once; stores nothing.
 */
export function parseBallot(fields: BallotFields, units: readonly { code: string }[], scale: Scale): ParsedBallot {
  const problems: Record<string, FieldProblem> = {};
  const general: FieldProblem[] = [];
  const answers: Record<string, Answer> = {};
  const given: Record<string, string> = {};
  const comments: Record<string, string> = {};
  const unknownTicked: Record<string, boolean> = {};
  const { known, names } = fieldNames(units);

  for (const name in fields) {
    if ((name.startsWith('u.') || name.startsWith('c.')) && !known.has(name.slice(2))) {
      general.push({ key: 'survey.error.unknownUnit', params: { code: name.slice(2, 42) } });
    }
  }

  for (const { code, answer, comment: commentName } of names) {
    const values = fields[answer] ?? NONE;
    const comment = lastOf(fields[commentName] ?? NONE);
    if (comment) {
      comments[code] = comment;
      if (comment.length > UNIT_COMMENT_MAX && charLength(comment) > UNIT_COMMENT_MAX)
        problems[code] = { key: 'survey.error.commentLong', params: { max: UNIT_COMMENT_MAX, n: charLength(comment) } };
    }

    let problem: FieldProblem | undefined;
    if (scale === 'satisfaction4') {
      const v = lastOf(values);
      given[code] = v;
      if (v === '') problem = { key: 'survey.error.missing' };
      else if (values.length > 1 || !(CHOICES as readonly string[]).includes(v)) problem = { key: 'survey.error.invalid' };
      else answers[code] = v as Choice;
    } else {
      const trimmed = values.map((v) => v.trim());
      const unknown = trimmed.includes('unknown');
      const numbers = trimmed.filter((v) => v !== 'unknown' && v !== '');
      given[code] = unknown && numbers.length === 0 ? 'unknown' : (numbers.at(-1) ?? '');
      if (unknown) unknownTicked[code] = true;
      if (unknown && numbers.length) problem = { key: 'survey.error.both' };
      else if (unknown) answers[code] = 'unknown';
      else if (numbers.length === 0) problem = { key: 'survey.error.missing' };
      else if (numbers.length > 1 || !/^\d{1,3}$/.test(numbers[0] as string) || Number(numbers[0]) > 100) problem = { key: 'survey.error.score' };
      else answers[code] = Number(numbers[0]);
    }
    if (problem && !problems[code]) problems[code] = problem;
  }

  const comment = lastOf(fields.comment ?? NONE);
  if (comment.length > OVERALL_COMMENT_MAX && charLength(comment) > OVERALL_COMMENT_MAX)
    general.push({ key: 'survey.error.commentLong', params: { max: OVERALL_COMMENT_MAX, n: charLength(comment) } });

  if (Object.keys(problems).length || general.length) return { ok: false, problems, general, draft: { given, unknownTicked, comments, comment } };
  return { ok: true, answers, comments, comment: comment || null };
}

const RECEIPT_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'; // no 0/O, 1/I/L: easy to read aloud and type

/** A random receipt like `K7QM-2XDA` (about 40 bits): shown once, published with the results. */
export function newReceipt(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(8);
  let s = '';
  for (const b of bytes) s += RECEIPT_ALPHABET[b % RECEIPT_ALPHABET.length];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}
