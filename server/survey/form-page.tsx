import type { HttpBindings } from '@hono/node-server';
import { raw } from 'hono/html';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { HtmlEscapedString } from 'hono/utils/html';
import { acceptedEncoding, compress } from '../http/compress.js';
import { escapeHtml as esc } from '../http/html.js';
import { page, renderPage, type PageOptions } from '../http/layout.js';
import { formatDateTime } from '../time.js';
import { formOrder, type BallotDraft, type FieldProblem, type FormUnit } from './ballot.js';
import type { LinkState } from './cast.js';
import { cutShell, fillShell, FORM_BODY_MARK, formBody, formBodyParts, formEnd, unitFieldset } from './form-view.js';
import type { Ctx } from '../http/context.js';

/**
 * A link's form page: blank, from the cached shell and fragments (form-cache.ts), or shown again after a refusal
 * with every answer kept and every problem marked.
 */
export async function formPage(
  c: Ctx,
  token: string,
  link: LinkState,
  units: FormUnit[],
  refused?: { problems: Record<string, FieldProblem>; general: FieldProblem[]; draft: BallotDraft },
) {
  const t = c.get('t');
  const lang = c.get('lang');
  const groups = formOrder(units, token);
  if (!refused) {
    // Everything a blank page shows besides the token and the units' order is in the key; a query in the address
    // would be carried into the switches' links, so such a request is rendered in full.
    const survey = c.get('survey');
    const blank = survey.pieces.fragments(`${link.roundId}|${lang}`, () => new Map(units.map((u) => [u.code, Buffer.from(unitFieldset(t, link.scale, u))])));
    const key = [link.roundId, lang, c.get('largeText'), link.title, link.closesAt, link.scale, units.length].join('|');
    const cacheable = !c.req.url.includes('?');
    let shell = cacheable ? survey.pieces.shell(key) : undefined;
    if (!shell) {
      const html = await renderPage(c, ...formPageParts(c, token, link, units, raw(FORM_BODY_MARK + formEnd(t))));
      shell = cutShell(html, token);
      if (!shell) throw new Error('the form page cannot be cut into a shell');
      if (cacheable) survey.pieces.keepShell(key, shell);
    }
    const body = formBodyParts(t, groups, (u) => blank.get(u.code) as Buffer).map((p) => (typeof p === 'string' ? Buffer.from(p) : p));
    // Compressed when asked (a tenth of the bytes on a phone's slow network). Only a page without a query, which
    // repeats nothing the request chose beside the page's own secret, the token, in its address.
    const encoding = cacheable ? acceptedEncoding(c.req.header('accept-encoding')) : undefined;
    const headers: Record<string, string> = { 'Content-Type': 'text/html; charset=UTF-8', Vary: 'Accept-Encoding' };
    if (encoding) {
      headers['Content-Encoding'] = encoding;
      // Compressed at once, so its buffer is free again as soon as the compressed copy exists.
      const buffer = survey.pages.take();
      try {
        return c.body(compress(fillShell(shell, token, body, buffer), encoding) as Uint8Array<ArrayBuffer>, 200, headers);
      } finally {
        survey.pages.give(buffer);
      }
    }
    // Sent as it is: its buffer is free again once the answer is done (on a real server; tests have no socket).
    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    const buffer = outgoing && survey.pages.take();
    if (buffer) outgoing.once('close', () => survey.pages.give(buffer));
    return c.body(fillShell(shell, token, body, buffer) as Uint8Array<ArrayBuffer>, 200, headers);
  }
  const body = formBody(t, groups, (u) =>
    unitFieldset(t, link.scale, u, {
      given: refused.draft.given[u.code],
      unknownTicked: refused.draft.unknownTicked[u.code],
      comment: refused.draft.comments[u.code],
      problem: refused.problems[u.code],
    }),
  );
  const problemCount = Object.keys(refused.problems).length + refused.general.length;
  const summary =
    `<div class="problems" role="alert" id="problems" tabindex="-1"><p>${esc(t('survey.problems', { n: problemCount }))}</p><ul>` +
    refused.general.map((p) => `<li>${esc(t(p.key, p.params))}</li>`).join('') +
    units
      .filter((u) => refused.problems[u.code])
      .map(
        (u) =>
          `<li><a href="#unit-${esc(u.code)}">${esc(u.name)}</a>: ${esc(t((refused.problems[u.code] as FieldProblem).key, (refused.problems[u.code] as FieldProblem).params))}</li>`,
      )
      .join('') +
    `</ul></div>`;
  return page(c, ...formPageParts(c, token, link, units, raw(summary + body + formEnd(t, refused.draft)), 422));
}

/** The survey page around the form's inner HTML. */
function formPageParts(
  c: Ctx,
  token: string,
  link: LinkState,
  units: FormUnit[],
  inner: HtmlEscapedString,
  status: 200 | 422 = 200,
): [PageOptions, JSX.Element] {
  const t = c.get('t');
  const deadline = formatDateTime(link.closesAt, c.get('config').timeZone);
  return [
    { title: link.title, status, scripts: ['js/survey.js'], path: `/s/${token}` },
    <section class="survey">
      <h1>{link.title}</h1>
      <p class="deadline">
        <strong>{t('survey.deadline', { deadline })}</strong>
      </p>
      <p>{t('survey.intro')}</p>
      <p class="hint js-only" hidden>
        {t('survey.saved')}
      </p>
      <p class="progress" id="progress" aria-live="polite" hidden data-template={t('survey.progress', { done: '{done}', total: '{total}' })}></p>
      <form method="post" action={`/s/${token}`} id="survey" novalidate data-total={String(units.length)} data-scale={link.scale}>
        {inner}
      </form>
    </section>,
  ];
}
