import { escapeHtml as esc } from '../http/html.js';
import type { Translate } from '../i18n/catalogue.js';
import { CHOICES, OVERALL_COMMENT_MAX, UNIT_COMMENT_MAX, type BallotDraft, type BallotForm, type FieldProblem, type FormUnit, type Scale } from './ballot.js';

/*
 * The survey form is built from one fragment per unit. A blank fragment depends only on the round, the unit and
 * the language, so blank ones are cached (the round's units are frozen) and a link's form is its fragments
 * joined in that link's order. The page around a blank form is cached too, as a shell cut where the link's token
 * and units go, and kept as UTF-8 bytes so nothing is rendered or encoded again per request. A form shown again
 * after a refusal is built fresh, with the answers kept.
 */

export interface UnitState {
  /** What was given, when the form is shown again. */
  draft?: BallotDraft;
  problem?: FieldProblem;
}

/** The answer buttons (or score box) of one answer field, `u.{name}`, kept as given in `draft`. */
function answerChoices(t: Translate, scale: Scale, name: string, draft: BallotDraft | undefined): string {
  const id = esc(name);
  const given = draft?.given[name];
  if (scale === 'satisfaction4') {
    return CHOICES.map(
      (c) =>
        `<label class="choice choice-${c}"><input type="radio" name="u.${id}" value="${c}"${given === c ? ' checked' : ''}><span>${esc(t(`survey.a.${c}`))}</span></label>`,
    ).join('');
  }
  const score = given && given !== 'unknown' ? esc(given) : '';
  const ticked = given === 'unknown' || draft?.unknownTicked[name];
  return (
    `<label class="score-label" for="s-${id}">${esc(t('survey.score'))}</label>` +
    `<input class="score" id="s-${id}" type="number" name="u.${id}" min="0" max="100" step="1" inputmode="numeric" value="${score}">` +
    `<label class="choice choice-unknown"><input type="checkbox" name="u.${id}" value="unknown"${ticked ? ' checked' : ''}><span>${esc(t('survey.scoreUnknown'))}</span></label>`
  );
}

/** The reasons a unit's 不满意 may be given, as boxes named `r.{code}`; `code` may be a placeholder for the script's template. */
export function reasonsFieldset(t: Translate, code: string, reasons: readonly string[], ticked: readonly number[] = []): string {
  const id = esc(code);
  return (
    `<fieldset class="reasons" id="reasons-${id}"><legend>${esc(t('survey.reasons.legend'))}</legend><div class="reason-list">` +
    reasons
      .map(
        (r, i) =>
          `<label class="choice reason"><input type="checkbox" name="r.${id}" value="${i + 1}"${ticked.includes(i + 1) ? ' checked' : ''}><span>${esc(r)}</span></label>`,
      )
      .join('') +
    `</div></fieldset>`
  );
}

/**
 * One unit's fieldset: its name as the legend, each answer a large labelled button (with several indicators, a row
 * of them per indicator, each row a fieldset of its own), the reasons when some were ticked, an optional comment.
 */
export function unitFieldset(t: Translate, scale: Scale, unit: FormUnit, form: Pick<BallotForm, 'indicators' | 'reasons'>, state: UnitState = {}): string {
  const id = esc(unit.code);
  const { draft } = state;
  const err = state.problem
    ? `<p class="field-error" id="err-${id}"><span aria-hidden="true">⚠ </span>${esc(t(state.problem.key, state.problem.params))}</p>`
    : '';
  const described = state.problem ? ` aria-describedby="err-${id}"` : '';
  const answers =
    form.indicators.length > 1
      ? form.indicators
          .map((d) => {
            const name = `${unit.code}.${d.key}`;
            const missing = state.problem && !draft?.given[name] ? ' missing' : '';
            return `<fieldset class="item${missing}" id="item-${esc(name)}"><legend>${esc(d.label)}</legend><div class="choices">${answerChoices(t, scale, name, draft)}</div></fieldset>`;
          })
          .join('')
      : `<div class="choices">${answerChoices(t, scale, unit.code, draft)}</div>`;
  const ticked = draft?.reasons[unit.code];
  const reasons = ticked?.length ? reasonsFieldset(t, unit.code, form.reasons, ticked) : '';
  const comment = draft?.comments[unit.code] ?? '';
  return (
    `<fieldset class="unit${state.problem ? ' has-error' : ''}" id="unit-${id}"${described}>` +
    `<legend>${esc(unit.name)}</legend>${err}${answers}${reasons}` +
    `<details class="unit-comment"${comment ? ' open' : ''}><summary>${esc(t('survey.unitCommentShort'))}</summary>` +
    `<textarea name="c.${id}" rows="3" maxlength="${UNIT_COMMENT_MAX}" aria-label="${esc(t('survey.unitComment', { unit: unit.name }))}">${esc(comment)}</textarea></details>` +
    `</fieldset>`
  );
}

/** The unit code in the reasons template, replaced by the script (web/js/survey.js) for each unit it shows them for. */
export const REASONS_PLACEHOLDER = '__unit__';

/** The reasons as a template the script copies into a unit once one of its answers is 不满意 (none without reasons). */
export function reasonsTemplate(t: Translate, reasons: readonly string[]): string {
  return reasons.length ? `<template id="reasons-template">${reasonsFieldset(t, REASONS_PLACEHOLDER, reasons)}</template>` : '';
}

/** Stands for the units in a page rendered to become a shell. */
export const FORM_BODY_MARK = '<!--form-body-->';

/**
 * A blank form page as UTF-8 bytes with its per-link parts cut out: the link's token goes between the segments
 * (it is in the form's address and in the language and text-size links), the units between head and tail.
 */
export interface FormShell {
  head: Buffer[];
  tail: Buffer[];
  /** Bytes of head and tail together, without the token. */
  size: number;
}

/** Cuts a page rendered for `token` with FORM_BODY_MARK in place of the units; undefined if it cannot be cut. */
export function cutShell(html: string, token: string): FormShell | undefined {
  const halves = html.split(FORM_BODY_MARK);
  if (halves.length !== 2) return undefined;
  const [head, tail] = halves.map((h) => h.split(token).map((s) => Buffer.from(s))) as [Buffer[], Buffer[]];
  return { head, tail, size: [...head, ...tail].reduce((n, b) => n + b.length, 0) + token.length * (head.length + tail.length - 2) };
}

/**
 * One link's page: the shell with the link's token put back and its units in between, written into `into` when it
 * is large enough (see `PageBuffers`), else into a new buffer.
 */
export function fillShell(shell: FormShell, token: string, units: Buffer[], into?: Buffer): Buffer {
  const tok = Buffer.from(token);
  const parts: Buffer[] = [];
  const put = (segments: Buffer[]) => {
    for (const [i, s] of segments.entries()) {
      if (i) parts.push(tok);
      parts.push(s);
    }
  };
  put(shell.head);
  parts.push(...units);
  put(shell.tail);
  let length = 0;
  for (const p of parts) length += p.length;
  if (!into || into.length < length) return Buffer.concat(parts, length);
  let at = 0;
  for (const p of parts) at += p.copy(into, at);
  return into.subarray(0, at);
}

/** The units of a form in a link's order, grouped by category: the category headings as text, each unit as `fragment` gives it. */
export function formBodyParts<F>(t: Translate, groups: FormUnit[][], fragment: (u: FormUnit) => F): (string | F)[] {
  const parts: (string | F)[] = [];
  for (const units of groups) {
    const category = units[0]?.category ?? '';
    parts.push(`<section class="category"><h2>${esc(t('survey.category', { category, n: units.length }))}</h2>`);
    for (const u of units) parts.push(fragment(u));
    parts.push('</section>');
  }
  return parts;
}

/** The units of a form in a link's order, grouped by category, as HTML. */
export function formBody(t: Translate, groups: FormUnit[][], fragment: (u: FormUnit) => string): string {
  return formBodyParts(t, groups, fragment).join('');
}

/** The overall comment box and the send button; the reasons' template for the script, if the round has reasons. */
export function formEnd(t: Translate, form: Pick<BallotForm, 'reasons'>, draft?: BallotDraft): string {
  return (
    reasonsTemplate(t, form.reasons) +
    `<div class="overall"><label for="comment">${esc(t('survey.overallComment'))}</label>` +
    `<textarea id="comment" name="comment" rows="5" maxlength="${OVERALL_COMMENT_MAX}">${esc(draft?.comment ?? '')}</textarea></div>` +
    `<p class="hint">${esc(t('survey.submitHint'))}</p>` +
    `<button type="submit" class="primary send">${esc(t('survey.submit'))}</button>`
  );
}
