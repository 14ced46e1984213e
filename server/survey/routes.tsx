import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { AppError } from '../http/errors.js';
import { FORM_TYPE } from '../http/forms.js';
import { page } from '../http/layout.js';
import { clientAddress } from '../http/middleware.js';
import type { MessageKey, Params } from '../i18n/catalogue.js';
import { normaliseCode } from '../links/codes.js';
import { formatDateTime } from '../time.js';
import { acceptBallot, codeKey, openLink, type BallotRefusal, type SeatKey, type SurveyDeps } from './accept.js';
import { formPage, reasonsStep } from './form-page.js';
import { clearedReceiptCookie, RECEIPT_COOKIE, RECEIPT_PATTERN, receiptCookie } from './receipt.js';
import type { AppEnv, Ctx } from '../http/context.js';
import { surveyForm } from './state.js';

export function surveyDeps(c: Ctx): SurveyDeps {
  return { store: c.get('store'), survey: c.get('survey'), clock: c.get('clock'), timeZone: c.get('config').timeZone };
}

function statusPage(c: Ctx, status: 404 | 409 | 410, title: MessageKey, body: MessageKey, params?: Params, again?: { href: string; label: MessageKey }) {
  const t = c.get('t');
  return page(
    c,
    { title: t(title), status },
    <section class="narrow survey-status">
      <h1>{t(title)}</h1>
      <p class="lead">{t(body, params)}</p>
      {again && (
        <p>
          <a href={again.href}>{t(again.label)}</a>
        </p>
      )}
    </section>,
  );
}

/**
 * What the person sees when their request is refused: too many guesses → 429; unknown or re-issued link → 404
 * (counted as a guess here, where it is shown); used → 409 with the date only; round not open → 410 saying when it
 * opens or that it has closed; a seat on paper → 410 saying so; another content type → 415; a form with problems → 422, shown again; a ballot whose
 * reasons were not offered yet → 200, the reasons step; "change my answers" there → 200, the form again.
 */
async function refusalPage(c: Ctx, key: SeatKey, r: BallotRefusal) {
  const tz = c.get('config').timeZone;
  const now = c.get('clock').now().getTime();
  switch (r.kind) {
    case 'blocked':
      throw new AppError('rate_limited', { message: 'survey.tooMany.body', params: { minutes: r.minutes }, retryAfterSeconds: r.minutes * 60 });
    case 'unknown':
      c.get('survey').guesses.recordMiss(clientAddress(c), now);
      if (key.via === 'code')
        return statusPage(c, 404, 'codes.notFound.title', 'codes.notFound.body', undefined, { href: '/k', label: 'codes.notFound.again' });
      return statusPage(c, 404, 'survey.notFound.title', 'survey.notFound.body');
    case 'used':
      return statusPage(c, 409, 'survey.used.title', 'survey.used.body', { date: r.link.usedOn ?? '' });
    case 'paper':
      return statusPage(c, 410, 'paper.survey.title', 'paper.survey.body');
    case 'unsupported':
      throw new AppError('unsupported_media');
    case 'invalid':
      return formPage(c, key, r.link, r.form, r);
    case 'reasons':
      return reasonsStep(c, key, r.link, r.form, r.ballot, r.draft);
    case 'review':
      return formPage(c, key, r.link, r.form, { problems: {}, general: [], draft: r.draft });
    case 'closed': {
      const { link } = r;
      // Say only what is true now: a date in the future for "opens", in the past for "closed", else no date.
      if (now >= Date.parse(link.closesAt))
        return statusPage(c, 410, 'survey.closed.title', 'survey.closed.body', { closes: formatDateTime(link.closesAt, tz) });
      if (now < Date.parse(link.opensAt) && (link.status === 'open' || link.status === 'drawn')) {
        return statusPage(c, 410, 'survey.notYet.title', 'survey.notYet.body', { opens: formatDateTime(link.opensAt, tz) });
      }
      return statusPage(c, 410, link.status === 'drawn' ? 'survey.notYet.title' : 'survey.closed.title', 'survey.closedNoDate.body');
    }
  }
}

/** A seat's form, whether its link or its code named it. */
async function showForm(c: Ctx, key: SeatKey) {
  const opened = await openLink(surveyDeps(c), key, clientAddress(c));
  if (!opened.ok) return refusalPage(c, key, opened.refusal);
  return formPage(c, key, opened.link, await surveyForm(c.get('survey'), c.get('store'), opened.link.roundId));
}

/** A ballot sent from a seat's form, whether its link or its code named it. */
async function takeBallot(c: Ctx, key: SeatKey) {
  const formEncoded = (c.req.header('content-type') ?? '').toLowerCase().startsWith(FORM_TYPE);
  const outcome = await acceptBallot(surveyDeps(c), { key, address: clientAddress(c), formEncoded, body: () => c.req.text() });
  if (!outcome.ok) return refusalPage(c, key, outcome.refusal);
  c.header('Set-Cookie', receiptCookie(outcome.receipt, c.get('config').baseUrl.startsWith('https:')), { append: true });
  return c.redirect('/thanks', 303);
}

/**
 * The representative's side: `/s/{token}` and `/k/{code}` (form and submission; the page to type a code is
 * code-page.tsx) and `/thanks` (the receipt). A code typed into an address in another form than its canonical one
 * is sent on to the canonical address, so that the form's address (and the answers kept on the device under it)
 * is one per seat and entrance.
 */
export const surveyRoutes = new Hono<AppEnv>()
  .get('/s/:token', (c) => showForm(c, { via: 'link', token: c.req.param('token') }))
  .post('/s/:token', (c) => takeBallot(c, { via: 'link', token: c.req.param('token') }))
  .get('/k/:code', (c) => {
    const typed = c.req.param('code');
    const code = normaliseCode(typed);
    if (code && code !== typed) return c.redirect(`/k/${code}`, 303);
    return showForm(c, codeKey(typed));
  })
  .post('/k/:code', (c) => takeBallot(c, codeKey(c.req.param('code'))))
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
