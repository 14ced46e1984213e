import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { raw } from 'hono/html';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { AppEnv, Ctx } from '../http/context.js';
import { acceptedEncoding, compress } from '../http/compress.js';
import { AppError } from '../http/errors.js';
import { page, renderPage, type PageOptions } from '../http/layout.js';
import { clientAddress } from '../http/middleware.js';
import type { MessageKey, Params } from '../i18n/catalogue.js';
import { TOKEN_PATTERN } from '../links/tokens.js';
import { formatDateTime } from '../time.js';
import { ballotFields, formOrder, parseBallot, type BallotDraft, type FieldProblem, type FormUnit } from './ballot.js';
import { cutShell, esc, fillShell, FORM_BODY_MARK, formBody, formBodyParts, formEnd, unitFieldset } from './form-view.js';
import { acceptsBallot, castBallot, findLink, type LinkState } from './links.js';
import { clearedReceiptCookie, RECEIPT_COOKIE, RECEIPT_PATTERN, receiptCookie } from './receipt.js';
import { surveyUnits } from './state.js';


function statusPage(c: Ctx, status: 404 | 409 | 410, title: MessageKey, body: MessageKey, params?: Params) {
  const t = c.get('t');
  return page(
    c,
    { title: t(title), status },
    <section class="narrow survey-status">
      <h1>{t(title)}</h1>
      <p class="lead">{t(body, params)}</p>
    </section>,
  );
}

/**
 * The link's state decides what the person sees: unknown or re-issued → 404 (counted as a guess), used → 409
 * with the date only, round not open → 410 saying when it opens or that it has closed. Undefined when the form
 * may be shown and submitted.
 */
async function refusal(c: Ctx, link: LinkState | undefined) {
  const tz = c.get('config').timeZone;
  if (!link) {
    c.get('survey').guesses.recordMiss(clientAddress(c), c.get('clock').now().getTime());
    return statusPage(c, 404, 'survey.notFound.title', 'survey.notFound.body');
  }
  if (link.usedOn) return statusPage(c, 409, 'survey.used.title', 'survey.used.body', { date: link.usedOn });
  const now = c.get('clock').now().getTime();
  if (acceptsBallot(link, now)) return undefined;
  const beforeOpening = now < Date.parse(link.opensAt);
  const afterClosing = now >= Date.parse(link.closesAt);
  // Say only what is true now: a date in the future for "opens", in the past for "closed", else no date.
  if (afterClosing) return statusPage(c, 410, 'survey.closed.title', 'survey.closed.body', { closes: formatDateTime(link.closesAt, tz) });
  if (beforeOpening && (link.status === 'open' || link.status === 'drawn')) {
    return statusPage(c, 410, 'survey.notYet.title', 'survey.notYet.body', { opens: formatDateTime(link.opensAt, tz) });
  }
  return statusPage(c, 410, link.status === 'drawn' ? 'survey.notYet.title' : 'survey.closed.title', 'survey.closedNoDate.body');
}

function unitsOf(c: Ctx, roundId: string): Promise<FormUnit[]> {
  return surveyUnits(c.get('survey'), c.get('db'), roundId);
}

/**
 * The link behind a token. An address that has tried too many unknown tokens is refused anything else, but a valid
 * link still works from it: the limit is there to stop guessing, and a school or an office behind one address must
 * not lock out its own representatives.
 */
async function lookup(c: Ctx, token: string) {
  const link = TOKEN_PATTERN.test(token) ? await findLink(c.get('db'), token) : undefined;
  const minutes = link ? 0 : c.get('survey').guesses.blockedMinutes(clientAddress(c), c.get('clock').now().getTime());
  if (minutes > 0) throw new AppError('rate_limited', { message: 'survey.tooMany.body', params: { minutes }, retryAfterSeconds: minutes * 60 });
  return link;
}

async function formPage(c: Ctx, token: string, link: LinkState, units: FormUnit[], refused?: { problems: Record<string, FieldProblem>; general: FieldProblem[]; draft: BallotDraft }) {
  const t = c.get('t');
  const lang = c.get('lang');
  const groups = formOrder(units, token);
  if (!refused) {
    // Everything a blank page shows besides the token and the units' order is in the key; a query in the address
    // would be carried into the switches' links, so such a request is rendered in full.
    const fragments = c.get('survey').fragments;
    const blank = fragments.fragments(`${link.roundId}|${lang}`, () => new Map(units.map((u) => [u.code, Buffer.from(unitFieldset(t, link.scale, u))])));
    const key = [link.roundId, lang, c.get('largeText'), link.title, link.closesAt, link.scale, units.length].join('|');
    const cacheable = !c.req.url.includes('?');
    let shell = cacheable ? fragments.shell(key) : undefined;
    if (!shell) {
      const html = await renderPage(c, ...formPageParts(c, token, link, units, raw(FORM_BODY_MARK + formEnd(t))));
      shell = cutShell(html, token);
      if (!shell) throw new Error('the form page cannot be cut into a shell');
      if (cacheable) fragments.keepShell(key, shell);
    }
    const body = formBodyParts(t, groups, (u) => blank.get(u.code) as Buffer).map((p) => (typeof p === 'string' ? Buffer.from(p) : p));
    // Compressed when asked (a tenth of the bytes on a phone's slow network). Only a page without a query, which
    // repeats nothing the request chose beside the page's own secret, the token, in its address.
    const encoding = cacheable ? acceptedEncoding(c.req.header('accept-encoding')) : undefined;
    const headers: Record<string, string> = { 'Content-Type': 'text/html; charset=UTF-8', Vary: 'Accept-Encoding' };
    if (encoding) {
      headers['Content-Encoding'] = encoding;
      // Compressed at once, so its buffer is free again as soon as the compressed copy exists.
      const buffer = fragments.pages.take();
      try {
        return c.body(compress(fillShell(shell, token, body, buffer), encoding) as Uint8Array<ArrayBuffer>, 200, headers);
      } finally {
        fragments.pages.give(buffer);
      }
    }
    // Sent as it is: its buffer is free again once the answer is done (on a real server; tests have no socket).
    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    const buffer = outgoing && fragments.pages.take();
    if (buffer) outgoing.once('close', () => fragments.pages.give(buffer));
    return c.body(fillShell(shell, token, body, buffer) as Uint8Array<ArrayBuffer>, 200, headers);
  }
  const body = formBody(t, groups, (u) => unitFieldset(t, link.scale, u, { given: refused.draft.given[u.code], unknownTicked: refused.draft.unknownTicked[u.code], comment: refused.draft.comments[u.code], problem: refused.problems[u.code] }));
  const problemCount = Object.keys(refused.problems).length + refused.general.length;
  const summary =
    `<div class="problems" role="alert" id="problems" tabindex="-1"><p>${esc(t('survey.problems', { n: problemCount }))}</p><ul>` +
    refused.general.map((p) => `<li>${esc(t(p.key, p.params))}</li>`).join('') +
    units
      .filter((u) => refused.problems[u.code])
      .map((u) => `<li><a href="#unit-${esc(u.code)}">${esc(u.name)}</a>: ${esc(t((refused.problems[u.code] as FieldProblem).key, (refused.problems[u.code] as FieldProblem).params))}</li>`)
      .join('') +
    `</ul></div>`;
  return page(c, ...formPageParts(c, token, link, units, raw(summary + body + formEnd(t, refused.draft)), 422));
}

/** The survey page around the form's inner HTML. */
function formPageParts(c: Ctx, token: string, link: LinkState, units: FormUnit[], inner: HtmlEscapedString, status: 200 | 422 = 200): [PageOptions, JSX.Element] {
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

/** The representative's side: `/s/{token}` (form and submission) and `/thanks` (the receipt). */
export const surveyRoutes = new Hono<AppEnv>()
  .get('/s/:token', async (c) => {
    const token = c.req.param('token');
    const link = await lookup(c, token);
    const refusedPage = await refusal(c, link);
    if (refusedPage || !link) return refusedPage;
    return formPage(c, token, link, await unitsOf(c, link.roundId));
  })
  .post('/s/:token', async (c) => {
    const token = c.req.param('token');
    const link = await lookup(c, token);
    const refusedPage = await refusal(c, link);
    if (refusedPage || !link) return refusedPage;
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) throw new AppError('unsupported_media');
    const units = await unitsOf(c, link.roundId);
    const parsed = parseBallot(ballotFields(await c.req.text()), units, link.scale);
    if (!parsed.ok) return formPage(c, token, link, units, parsed);
    const cast = await castBallot(c.get('db'), c.get('clock'), c.get('config').timeZone, { token, roundId: link.roundId, answers: parsed.answers, comments: parsed.comments, comment: parsed.comment });
    if (!cast.ok) return refusal(c, await findLink(c.get('db'), token));
    c.header('Set-Cookie', receiptCookie(cast.receipt, c.get('config').baseUrl.startsWith('https:')), { append: true });
    return c.redirect('/thanks', 303);
  })
  .get('/thanks', (c) => {
    const t = c.get('t');
    const receipt = getCookie(c, RECEIPT_COOKIE) ?? '';
    if (!RECEIPT_PATTERN.test(receipt)) {
      return page(
        c,
        { title: t('survey.thanks.shownOnce.title') },
        <section class="narrow thanks">
          <h1>{t('survey.thanks.shownOnce.title')}</h1>
          <p class="lead">{t('survey.thanks.shownOnce.body')}</p>
        </section>,
      );
    }
    c.header('Set-Cookie', clearedReceiptCookie(c.get('config').baseUrl.startsWith('https:')), { append: true });
    return page(
      c,
      { title: t('survey.thanks.title'), scripts: ['js/survey.js'] },
      <section class="narrow thanks">
        <h1>
          <span aria-hidden="true">✓ </span>
          {t('survey.thanks.title')}
        </h1>
        <p class="lead">{t('survey.thanks.body')}</p>
        <p>{t('survey.thanks.receipt')}</p>
        <p class="receipt" id="receipt">
          {receipt}
        </p>
        <p>{t('survey.thanks.receiptHelp')}</p>
      </section>,
    );
  });
