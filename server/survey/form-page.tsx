import type { HttpBindings } from '@hono/node-server';
import { raw } from 'hono/html';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { HtmlEscapedString } from 'hono/utils/html';
import { acceptedEncoding, compress } from '../http/compress.js';
import { escapeHtml as esc } from '../http/html.js';
import { page, renderPage, type PageOptions } from '../http/layout.js';
import { formatDateTime } from '../time.js';
import { dissatisfiedUnits, formOrder, isDissatisfied, type Answer, type BallotDraft, type BallotForm, type FieldProblem, type ValidBallot } from './ballot.js';
import type { LinkState } from './cast.js';
import { cutShell, fillShell, FORM_BODY_MARK, formBody, formBodyParts, formEnd, reasonsFieldset, unitFieldset } from './form-view.js';
import type { Ctx } from '../http/context.js';
import { REASONS_ASKED, REVIEW, ROUND_FIELD, seatPath, seatSecret, type SeatKey } from './accept.js';

/**
 * A seat's form page, at its link's or its code's address (the form posts back to the same one): blank, from the cached shell and fragments (form-cache.ts), or shown again, after a refusal
 * or from the reasons step, with every answer kept and every problem marked (422 when there are problems).
 */
export async function formPage(
  c: Ctx,
  key: SeatKey,
  link: LinkState,
  form: BallotForm,
  shown?: { problems: Record<string, FieldProblem>; general: FieldProblem[]; draft: BallotDraft },
) {
  const t = c.get('t');
  const lang = c.get('lang');
  const { units } = form;
  // The units' order follows the token or the code, so that a reload at the same address keeps it.
  const secret = seatSecret(key);
  const groups = formOrder(units, secret);
  if (!shown) {
    // Everything a blank page shows besides the token or code and the units' order is in the key (a round's units
    // and ballot design are fixed at its freeze; the entrance decides the address around the secret); a query in
    // the address would be carried into the switches' links, so such a request is rendered in full.
    const survey = c.get('survey');
    const blank = survey.pieces.fragments(
      `${link.roundId}|${lang}`,
      () => new Map(units.map((u) => [u.code, Buffer.from(unitFieldset(t, link.scale, u, form))])),
    );
    const shellKey = [key.via, link.roundId, lang, c.get('largeText'), link.title, link.closesAt, link.scale, units.length].join('|');
    const cacheable = !c.req.url.includes('?');
    let shell = cacheable ? survey.pieces.shell(shellKey) : undefined;
    if (!shell) {
      const html = await renderPage(c, ...formPageParts(c, key, link, form, raw(FORM_BODY_MARK + formEnd(t, form))));
      shell = cutShell(html, secret);
      if (!shell) throw new Error('the form page cannot be cut into a shell');
      if (cacheable) survey.pieces.keepShell(shellKey, shell);
    }
    const body = formBodyParts(t, groups, (u) => blank.get(u.code) as Buffer).map((p) => (typeof p === 'string' ? Buffer.from(p) : p));
    const length = body.reduce((n, p) => n + p.length, 0) + shell.size;
    // Compressed when asked (a tenth of the bytes on a phone's slow network). Only a page without a query, which
    // repeats nothing the request chose beside the page's own secret, the token, in its address.
    const encoding = cacheable ? acceptedEncoding(c.req.header('accept-encoding')) : undefined;
    const headers: Record<string, string> = { 'Content-Type': 'text/html; charset=UTF-8', Vary: 'Accept-Encoding' };
    if (encoding) {
      headers['Content-Encoding'] = encoding;
      // Compressed at once, so its buffer is free again as soon as the compressed copy exists.
      const buffer = survey.pages.take(length);
      try {
        return c.body(compress(fillShell(shell, secret, body, buffer), encoding) as Uint8Array<ArrayBuffer>, 200, headers);
      } finally {
        survey.pages.give(buffer);
      }
    }
    // Sent as it is: its buffer is free again once the answer is done (on a real server; tests have no socket).
    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    const buffer = outgoing && survey.pages.take(length);
    if (buffer) outgoing.once('close', () => survey.pages.give(buffer));
    return c.body(fillShell(shell, secret, body, buffer) as Uint8Array<ArrayBuffer>, 200, headers);
  }
  const body = formBody(t, groups, (u) => unitFieldset(t, link.scale, u, form, { draft: shown.draft, problem: shown.problems[u.code] }));
  const problemCount = Object.keys(shown.problems).length + shown.general.length;
  const summary = problemCount
    ? `<div class="problems" role="alert" id="problems" tabindex="-1"><p>${esc(t('survey.problems', { n: problemCount }))}</p><ul>` +
      shown.general.map((p) => `<li>${esc(t(p.key, p.params))}</li>`).join('') +
      units
        .filter((u) => shown.problems[u.code])
        .map(
          (u) =>
            `<li><a href="#unit-${esc(u.code)}">${esc(u.name)}</a>: ${esc(t((shown.problems[u.code] as FieldProblem).key, (shown.problems[u.code] as FieldProblem).params))}</li>`,
        )
        .join('') +
      `</ul></div>`
    : '';
  return page(c, ...formPageParts(c, key, link, form, raw(summary + body + formEnd(t, form, shown.draft)), problemCount ? 422 : 200));
}

/**
 * The reasons as a second step, for a ballot sent without JavaScript with 不满意 answers: every answer and comment
 * goes along in hidden fields, the units rated 不满意 offer their reasons, and the ballot is cast only when this
 * page is sent. "Change my answers" shows the whole form again with everything kept.
 */
export function reasonsStep(c: Ctx, key: SeatKey, link: LinkState, form: BallotForm, ballot: ValidBallot, draft: BallotDraft) {
  const t = c.get('t');
  const several = form.indicators.length > 1;
  const hidden = (name: string, value: string) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;
  const carried =
    form.units
      .map((u) => {
        const a = ballot.answers[u.code];
        const values = Array.isArray(a) ? a : [a];
        return (
          values.map((v, i) => hidden(several ? `u.${u.code}.${form.indicators[i]?.key}` : `u.${u.code}`, String(v))).join('') +
          (ballot.comments[u.code] ? hidden(`c.${u.code}`, ballot.comments[u.code] as string) : '')
        );
      })
      .join('') +
    (ballot.comment ? hidden('comment', ballot.comment) : '') +
    hidden(REASONS_ASKED, '1') +
    hidden(ROUND_FIELD, link.roundId);
  const asked = dissatisfiedUnits(form, ballot.answers)
    .map((u) => {
      const a = ballot.answers[u.code];
      const items = several && Array.isArray(a) ? form.indicators.filter((_, i) => isDissatisfied(a[i] as Answer)) : [];
      const which = items.length ? `<p class="hint">${esc(t('survey.reasons.items', { items: items.map((d) => d.label).join('、') }))}</p>` : '';
      return `<fieldset class="unit" id="unit-${esc(u.code)}"><legend>${esc(u.name)}</legend>${which}${reasonsFieldset(t, u.code, form.reasons, draft.reasons[u.code])}</fieldset>`;
    })
    .join('');
  return page(
    c,
    { title: link.title, scripts: ['js/survey.js'], path: seatPath(key) },
    <section class="survey">
      <h1>{link.title}</h1>
      <h2>{t('survey.reasons.title')}</h2>
      <p>{t('survey.reasons.intro')}</p>
      <form method="post" action={seatPath(key)} id="survey-reasons" novalidate>
        {raw(carried + asked)}
        <button type="submit" class="primary send">
          {t('survey.submit')}
        </button>
        <button type="submit" name={REVIEW} value="1" class="secondary back">
          {t('survey.reasons.back')}
        </button>
      </form>
    </section>,
  );
}

/** The survey page around the form's inner HTML. */
function formPageParts(c: Ctx, key: SeatKey, link: LinkState, form: BallotForm, inner: HtmlEscapedString, status: 200 | 422 = 200): [PageOptions, JSX.Element] {
  const t = c.get('t');
  const deadline = formatDateTime(link.closesAt, c.get('config').timeZone);
  return [
    { title: link.title, status, scripts: ['js/survey.js'], path: seatPath(key) },
    <section class="survey">
      <h1>{link.title}</h1>
      <p class="deadline">
        <strong>{t('survey.deadline', { deadline })}</strong>
      </p>
      <p>{t(form.indicators.length > 1 ? 'survey.introItems' : 'survey.intro')}</p>
      <p class="hint js-only" hidden>
        {t('survey.saved')}
      </p>
      <p class="progress" id="progress" aria-live="polite" hidden data-template={t('survey.progress', { done: '{done}', total: '{total}' })}></p>
      <form method="post" action={seatPath(key)} id="survey" novalidate data-total={String(form.units.length * form.indicators.length)} data-scale={link.scale}>
        <input type="hidden" name={ROUND_FIELD} value={link.roundId} />
        {inner}
      </form>
    </section>,
  ];
}
