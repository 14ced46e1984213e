import type { MessageKey, Params, Translate } from './i18n/catalogue.js';

/** Unit and representative codes: ASCII, stable, public (README, CSV files). */
export const CODE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export function isCode(v: string): boolean {
  return CODE_PATTERN.test(v);
}

/** A telephone number as people write it: digits, an optional leading +, spaces, hyphens or brackets. */
export function isPhone(v: string): boolean {
  return /^\+?[0-9][0-9 ()-]{4,22}[0-9]$/.test(v) && v.replace(/\D/g, '').length >= 5;
}

/** Length in characters as a person counts them (code points, not UTF-16 units). */
export function charLength(v: string): number {
  return [...v].length;
}

/** A single-line text of min..max characters. */
export function isLine(v: string, min: number, max: number): boolean {
  const n = charLength(v);
  return n >= min && n <= max && !/[\r\n]/.test(v);
}

/** One problem with an input, to be translated where it is shown; `field` names the form field it belongs to. */
export interface Problem {
  key: MessageKey;
  params?: Params;
  field?: string;
  line?: number;
}

export function problemText(t: Translate, p: Problem): string {
  const text = t(p.key, p.params);
  return p.line === undefined ? text : t('csv.problem', { line: p.line, message: text });
}

/** The result of an action that may be refused for reasons a person can act on. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export function refused(key: MessageKey, params?: Params, field?: string): { ok: false; problems: Problem[] } {
  return { ok: false, problems: [{ key, params, field }] };
}
