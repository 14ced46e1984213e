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
  /**
   * What the person gave, kept to show the form again, by the answer field's name without `u.` (the unit's code,
   * or `{code}.{key}` with several indicators): a choice, a score as typed, or nothing.
   */
  given: Record<string, string>;
  /** score100: answers whose "don't know" box was ticked (possibly beside a score, which is refused), by the same names. */
  unknownTicked: Record<string, boolean>;
  /** The reasons ticked per unit (1-based), as far as they are reasons of the round. */
  reasons: Record<string, number[]>;
  comments: Record<string, string>;
  comment: string;
}

export interface FormIndicator {
  key: string;
  label: string;
}

/**
 * What a round's form asks: its units, the indicators each is rated on and the reasons offered for 不满意. Fixed at
 * the freeze, so each server reads it once per round (survey/state.ts).
 */
export interface BallotForm {
  /** The round's scale (fixed when the round was created). */
  scale: Scale;
  units: FormUnit[];
  /** One: the form of one question per unit, fields `u.{code}`; several: `u.{code}.{key}` per indicator. */
  indicators: FormIndicator[];
  reasons: string[];
}

/** A valid ballot: per unit the answer, or with several indicators the answers in the round's order of indicators. */
export interface ValidBallot {
  answers: Record<string, Answer | Answer[]>;
  /** Per unit with any ticked, the reasons' 1-based indices in increasing order. */
  reasons: Record<string, number[]>;
  comments: Record<string, string>;
  comment: string | null;
}

export type ParsedBallot = ({ ok: true } & ValidBallot) | { ok: false; problems: Record<string, FieldProblem>; general: FieldProblem[]; draft: BallotDraft };

/** A form's fields: every value of each field name, in order. */
export type BallotFields = ReadonlyMap<string, readonly string[]>;

/**
 * A form body's fields, decoded exactly as URLSearchParams decodes them (pairs split at `&`, name and value at the
 * first `=`, empty pairs skipped, `+` and percent escapes decoded as UTF-8). A ballot is hundreds of plain ASCII
 * pairs, so pairs without `%` or `+` are sliced as they are and only the others go through URLSearchParams; and
 * they go into a Map, which takes hundreds of names faster than an object does.
 */
export function ballotFields(body: string): BallotFields {
  const fields = new Map<string, string[]>();
  for (let start = 0; start < body.length; ) {
    let end = body.indexOf('&', start);
    if (end < 0) end = body.length;
    if (end > start) {
      let eq = body.indexOf('=', start);
      if (eq < 0 || eq > end) eq = end;
      const name = decodeFormText(body.slice(start, eq));
      const value = eq < end ? decodeFormText(body.slice(eq + 1, end)) : '';
      const values = fields.get(name);
      if (values) values.push(value);
      else fields.set(name, [value]);
    }
    start = end + 1;
  }
  return fields;
}

const ENCODED = /[%+]/;
function decodeFormText(text: string): string {
  return ENCODED.test(text) ? (new URLSearchParams(`x=${text}`).get('x') as string) : text;
}

/** The field names of a round's form, built once per form (a round's form is cached and reused). */
interface FieldNames {
  known: Set<string>;
  answerNames: Set<string>;
  names: { code: string; answers: { field: string; given: string; label: string }[]; comment: string; reasons: string }[];
}
const fieldNamesOf = new WeakMap<BallotForm, FieldNames>();
function fieldNames(form: BallotForm): FieldNames {
  let f = fieldNamesOf.get(form);
  if (!f) {
    const several = form.indicators.length > 1;
    const names = form.units.map(({ code }) => ({
      code,
      answers: form.indicators.map((d) => {
        const given = several ? `${code}.${d.key}` : code;
        return { field: `u.${given}`, given, label: d.label };
      }),
      comment: `c.${code}`,
      reasons: `r.${code}`,
    }));
    f = { known: new Set(form.units.map((u) => u.code)), answerNames: new Set(names.flatMap((n) => n.answers.map((a) => a.field))), names };
    fieldNamesOf.set(form, f);
  }
  return f;
}

const NONE: readonly string[] = [];
/** The last value of a field, trimmed; '' when the field is absent. */
const lastOf = (values: readonly string[]) => (values.length ? (values[values.length - 1] as string).trim() : '');

/** An answer that opens the reasons (§2.6): 不满意, or a score under 60. */
export function isDissatisfied(answer: Answer): boolean {
  return answer === 'dissatisfied' || (typeof answer === 'number' && answer < 60);
}

/** The units of a valid ballot with at least one answer that opens the reasons, in the form's order. */
export function dissatisfiedUnits(form: BallotForm, answers: ValidBallot['answers']): FormUnit[] {
  return form.units.filter((u) => {
    const a = answers[u.code];
    return a !== undefined && (Array.isArray(a) ? a.some(isDissatisfied) : isDissatisfied(a));
  });
}

/** One answer field's value: the answer, or the problem with it. */
function parseAnswer(values: readonly string[], scale: Scale): { answer?: Answer; given: string; unknownTicked?: true; problem?: FieldProblem } {
  if (scale === 'satisfaction4') {
    const v = lastOf(values);
    if (v === '') return { given: v, problem: { key: 'survey.error.missing' } };
    if (values.length > 1 || !(CHOICES as readonly string[]).includes(v)) return { given: v, problem: { key: 'survey.error.invalid' } };
    return { given: v, answer: v as Choice };
  }
  const trimmed = values.map((v) => v.trim());
  const unknown = trimmed.includes('unknown');
  const numbers = trimmed.filter((v) => v !== 'unknown' && v !== '');
  const given = unknown && numbers.length === 0 ? 'unknown' : (numbers.at(-1) ?? '');
  const ticked = unknown ? ({ unknownTicked: true } as const) : {};
  if (unknown && numbers.length) return { given, ...ticked, problem: { key: 'survey.error.both' } };
  if (unknown) return { given, ...ticked, answer: 'unknown' };
  if (numbers.length === 0) return { given, problem: { key: 'survey.error.missing' } };
  if (numbers.length > 1 || !/^\d{1,3}$/.test(numbers[0] as string) || Number(numbers[0]) > 100) return { given, problem: { key: 'survey.error.score' } };
  return { given, answer: Number(numbers[0]) };
}

/**
 * What the person gave, to show the form again (after a refusal, or as the reasons step carrying every answer): per
 * answer field the value as given, the "don't know" boxes, the reasons ticked and the comments.
 */
export function ballotDraft(fields: BallotFields, form: BallotForm, scale: Scale): BallotDraft {
  const given: Record<string, string> = {};
  const unknownTicked: Record<string, boolean> = {};
  const reasons: Record<string, number[]> = {};
  const comments: Record<string, string> = {};
  for (const { code, answers, comment, reasons: reasonsName } of fieldNames(form).names) {
    for (const a of answers) {
      const one = parseAnswer(fields.get(a.field) ?? NONE, scale);
      given[a.given] = one.given;
      if (one.unknownTicked) unknownTicked[a.given] = true;
    }
    const text = lastOf(fields.get(comment) ?? NONE);
    if (text) comments[code] = text;
    const picked = fields.get(reasonsName);
    if (picked?.length) reasons[code] = reasonsTicked(picked, form).valid;
  }
  return { given, unknownTicked, reasons, comments, comment: lastOf(fields.get('comment') ?? NONE) };
}

/** The reasons ticked for a unit: those of the round, once each, in increasing order; `all` says none was refused. */
function reasonsTicked(values: readonly string[], form: BallotForm): { valid: number[]; all: boolean } {
  const picked = values.map((v) => (/^\d{1,2}$/.test(v.trim()) ? Number(v.trim()) : 0));
  const valid = picked.filter((r, i) => r >= 1 && r <= form.reasons.length && picked.indexOf(r) === i).sort((x, y) => x - y);
  return { valid, all: valid.length === picked.length };
}

const isChoice = (v: string | undefined): v is Choice => v === 'satisfied' || v === 'basic' || v === 'dissatisfied' || v === 'unknown';

/**
 * Checks a submitted form against the round's form (docs/SPEC.md, Anonymity and trust): every indicator of every
 * unit answered, answers from the scale, reasons only for a unit with a 不满意 (or < 60) answer, comments within
 * their limits, no unit or field outside the round. Lists every problem at once (one per unit); stores nothing.
 * A valid ballot costs no more than its answers: the draft to show the form again is made only on a refusal.
 */
export function parseBallot(fields: BallotFields, form: BallotForm, scale: Scale): ParsedBallot {
  const problems: Record<string, FieldProblem> = {};
  const general: FieldProblem[] = [];
  const answers: Record<string, Answer | Answer[]> = {};
  const comments: Record<string, string> = {};
  const ticked: Record<string, number[]> = {};
  const { known, answerNames, names } = fieldNames(form);
  const several = form.indicators.length > 1;

  for (const name of fields.keys()) {
    if (answerNames.has(name)) continue;
    const kind = name.slice(0, 2);
    if (kind !== 'u.' && kind !== 'c.' && kind !== 'r.') continue;
    const dot = kind === 'u.' && several ? name.indexOf('.', 2) : -1;
    const code = name.slice(2, dot < 0 ? undefined : dot);
    if (!known.has(code)) general.push({ key: 'survey.error.unknownUnit', params: { code: code.slice(0, 40) } });
    else if (kind === 'u.') general.push({ key: 'survey.error.unknownField', params: { name: name.slice(0, 60) } });
  }

  for (const { code, answers: fieldsOfUnit, comment: commentName, reasons: reasonsName } of names) {
    const comment = lastOf(fields.get(commentName) ?? NONE);
    if (comment) {
      comments[code] = comment;
      if (comment.length > UNIT_COMMENT_MAX && charLength(comment) > UNIT_COMMENT_MAX)
        problems[code] = { key: 'survey.error.commentLong', params: { max: UNIT_COMMENT_MAX, n: charLength(comment) } };
    }

    const got: Answer[] = [];
    const missing: string[] = [];
    let invalid: FieldProblem | undefined;
    for (const a of fieldsOfUnit) {
      const values = fields.get(a.field) ?? NONE;
      // The usual answer: one field, one choice exactly as the form sends it.
      const plain = scale === 'satisfaction4' && values.length === 1 ? values[0] : undefined;
      if (isChoice(plain)) {
        got.push(plain);
        continue;
      }
      const one = parseAnswer(values, scale);
      if (one.answer !== undefined) got.push(one.answer);
      else if (one.problem?.key === 'survey.error.missing') missing.push(a.label);
      else invalid ??= one.problem;
    }
    const problem =
      invalid ??
      (missing.length === 0
        ? undefined
        : several
          ? { key: 'survey.error.missingItems' as const, params: { items: missing.join('、') } }
          : { key: 'survey.error.missing' as const });
    if (problem) problems[code] ??= problem;
    else answers[code] = several ? got : (got[0] as Answer);

    const reasonValues = fields.get(reasonsName);
    if (reasonValues?.length) {
      const { valid, all } = reasonsTicked(reasonValues, form);
      ticked[code] = valid;
      if (!all) problems[code] ??= { key: 'survey.error.reasonInvalid' };
      else if (!problem && !got.some(isDissatisfied)) problems[code] ??= { key: 'survey.error.reasonWithout' };
    }
  }

  const comment = lastOf(fields.get('comment') ?? NONE);
  if (comment.length > OVERALL_COMMENT_MAX && charLength(comment) > OVERALL_COMMENT_MAX)
    general.push({ key: 'survey.error.commentLong', params: { max: OVERALL_COMMENT_MAX, n: charLength(comment) } });

  if (Object.keys(problems).length || general.length) return { ok: false, problems, general, draft: ballotDraft(fields, form, scale) };
  return { ok: true, answers, reasons: ticked, comments, comment: comment || null };
}

const RECEIPT_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'; // no 0/O, 1/I/L: easy to read aloud and type

/** A random receipt like `K7QM-2XDA` (about 40 bits): shown once, published with the results. */
export function newReceipt(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(8);
  let s = '';
  for (const b of bytes) s += RECEIPT_ALPHABET[b % RECEIPT_ALPHABET.length];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}
