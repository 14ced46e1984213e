import { Hono } from 'hono';
import { consolePage, CsrfField, Notice } from '../admin/console-view.js';
import { currentAdmin } from '../admin/guard.js';
import type { AppEnv, Ctx } from '../http/context.js';
import { formFields } from '../http/forms.js';
import type { Round } from '../rounds/rounds.js';
import { drawnRound, SubNav } from '../survey/console-routes.js';
import { commentsByUnit } from '../survey/turnout.js';
import { dateInZone } from '../time.js';
import { commentFigures, commentsOfRound, handedOver, makeCommentPublic, releaseComment, withholdComment, type HandedComment } from './comments.js';
import { commentIdParam, refusedPage } from './http.js';
import { LIMITS } from './rules.js';
import { CommentState, KeptProblems, keptElsewhere, keptFor, type Kept } from './views.js';

const DONE = { released: 'comments.done.released', withheld: 'comments.done.withheld', public: 'comments.done.public' } as const;

/**
 * The screening page (`/admin/rounds/{year}/comments`): every unit comment of a closed round with its state and the
 * actions on it, the rule about names spelt out above them; overall comments below, never handed to a unit.
 */
async function ScreeningPage(c: Ctx, round: Round, kept?: Kept) {
  const t = c.get('t');
  const db = c.get('db');
  const tz = c.get('config').timeZone;
  const title = t('comments.title', { year: round.year });
  const base = `/admin/rounds/${round.year}/comments`;
  const status = kept ? 422 : undefined;
  if (!handedOver(round)) {
    return consolePage(
      c,
      { title, status, path: base },
      <>
        <h1>{title}</h1>
        <SubNav c={c} round={round} />
        <KeptProblems c={c} kept={kept} />
        <p class="notice" role="status">
          {t('comments.afterClosing')}
        </p>
      </>,
    );
  }
  const today = dateInZone(c.get('clock').now(), tz);
  const pendingOnly = c.req.query('show') === 'pending';
  const all = await commentsOfRound(db, round.id);
  const units = await db
    .selectFrom('round_units')
    .select(['code', 'name'])
    .where('round_id', '=', round.id)
    .orderBy('category_position')
    .orderBy('code')
    .execute();
  const overall = (await commentsByUnit(db, round))?.overall ?? [];
  const done = DONE[c.req.query('done') as keyof typeof DONE];
  const f = commentFigures(all, today);
  const silent = units.filter((u) => !all.some((x) => x.unitCode === u.code));
  return consolePage(
    c,
    { title, status, path: base },
    <>
      <h1>{title}</h1>
      <SubNav c={c} round={round} />
      <Notice text={done && t(done)} />
      <KeptProblems
        c={c}
        kept={keptElsewhere(
          kept,
          all.filter((x) => !pendingOnly || x.status === 'pending').flatMap((x) => [`comment-${x.id}`, `withhold-${x.id}`]),
        )}
      />
      <div class="callout screening-rule" role="note">
        <p>
          <strong>{t('comments.rule')}</strong>
        </p>
      </div>
      <p>{t('comments.intro')}</p>
      <p class="lead">{t('comments.figures', { ...f })}</p>
      <p class="row">
        {pendingOnly ? <a href={base}>{t('comments.showAll')}</a> : <a href={`${base}?show=pending`}>{t('comments.showPending')}</a>}
        <a href="/admin/rectification">{t('followup.title')}</a>
      </p>
      {units
        .filter((u) => all.some((x) => x.unitCode === u.code))
        .map((u) => {
          const mine = all.filter((x) => x.unitCode === u.code);
          const shown = pendingOnly ? mine.filter((x) => x.status === 'pending') : mine;
          return (
            <section aria-labelledby={`u-${u.code}`}>
              <h2 id={`u-${u.code}`}>
                {u.name} <span class="count">({mine.length})</span>
              </h2>
              <p class="hint">{t('comments.figures', { ...commentFigures(mine, today) })}</p>
              {shown.length ? (
                <ul class="comments handed-list">
                  {shown.map((x) => (
                    <CommentItem c={c} round={round} comment={x} today={today} kept={kept} />
                  ))}
                </ul>
              ) : (
                <p class="hint">{t('comments.none')}</p>
              )}
            </section>
          );
        })}
      {silent.length > 0 && <p class="hint">{t('comments.silentUnits', { n: silent.length, units: silent.map((u) => u.name).join('、') })}</p>}
      <section aria-labelledby="overall-h">
        <h2 id="overall-h">
          {t('comments.overall')} <span class="count">({overall.length})</span>
        </h2>
        <p class="hint">{t('comments.overallNote')}</p>
        <ul class="comments">
          {overall.map((text) => (
            <li>{text}</li>
          ))}
        </ul>
      </section>
    </>,
  );
}

function CommentItem(props: { c: Ctx; round: Round; comment: HandedComment; today: string; kept: Kept | undefined }) {
  const { c, comment: x } = props;
  const t = c.get('t');
  const tz = c.get('config').timeZone;
  const action = (verb: string) => `/admin/rounds/${props.round.year}/comments/${x.id}/${verb}`;
  const textId = `c-${x.id}-text`;
  const withholdKept = keptFor(props.kept, `withhold-${x.id}`);
  return (
    <li class="handed" id={`c-${x.id}`}>
      <blockquote class="comment-text" id={textId}>
        {x.text}
      </blockquote>
      <p class="hint">{t('comments.number', { id: x.id })}</p>
      <CommentState t={t} comment={x} today={props.today} repliedOn={x.repliedAt && dateInZone(new Date(x.repliedAt), tz)} showReason />
      {x.reply !== null && (
        <div class="reply">
          <p class="reply-label">{t('comments.reply')}</p>
          <blockquote>{x.reply}</blockquote>
        </div>
      )}
      <KeptProblems c={c} kept={keptFor(props.kept, `comment-${x.id}`)} />
      {x.status === 'pending' && (
        <div class="screen-actions">
          <form method="post" action={action('release')} class="inline">
            <CsrfField c={c} />
            <button type="submit" class="primary" aria-describedby={textId}>
              {t('comments.release')}
            </button>
          </form>
          <form method="post" action={action('withhold')} class="withhold">
            <KeptProblems c={c} kept={withholdKept} />
            <CsrfField c={c} />
            <label for={`reason-${x.id}`}>{t('comments.reason')}</label>
            <input
              id={`reason-${x.id}`}
              name="reason"
              required
              maxlength={LIMITS.reason}
              value={withholdKept?.values.reason ?? ''}
              aria-invalid={withholdKept ? 'true' : undefined}
            />
            <button type="submit" class="danger" aria-describedby={textId}>
              {t('comments.withhold')}
            </button>
          </form>
        </div>
      )}
      {x.status === 'released' && x.reply !== null && !x.public && (
        <form method="post" action={action('public')} class="inline">
          <CsrfField c={c} />
          <button type="submit" aria-describedby={textId}>
            {t('comments.makePublic')}
          </button>
        </form>
      )}
    </li>
  );
}

/** Screening a closed round's comments: release to the unit, withhold with a reason, make public once answered. */
export const screeningConsole = new Hono<AppEnv>()
  .get('/:year/comments', async (c) => ScreeningPage(c, await drawnRound(c)))
  .post('/:year/comments/:id/release', async (c) => {
    const round = await drawnRound(c);
    const id = commentIdParam(c);
    const r = await releaseComment(
      c.get('db'),
      c.get('audit'),
      { year: round.year, id, replyDays: c.get('config').replyDays, timeZone: c.get('config').timeZone },
      currentAdmin(c).username,
    );
    if (!r.ok) return refusedPage(r, (problems) => ScreeningPage(c, round, { form: `comment-${id}`, values: {}, problems }));
    return c.redirect(`/admin/rounds/${round.year}/comments?done=released#c-${id}`, 303);
  })
  .post('/:year/comments/:id/withhold', async (c) => {
    const round = await drawnRound(c);
    const id = commentIdParam(c);
    const form = await formFields(c);
    const r = await withholdComment(c.get('db'), c.get('audit'), { year: round.year, id, reason: form.reason ?? '' }, currentAdmin(c).username);
    if (!r.ok) {
      const field = r.problems.some((p) => p.field === 'reason');
      return refusedPage(r, (problems) => ScreeningPage(c, round, { form: field ? `withhold-${id}` : `comment-${id}`, values: form, problems }));
    }
    return c.redirect(`/admin/rounds/${round.year}/comments?done=withheld#c-${id}`, 303);
  })
  .post('/:year/comments/:id/public', async (c) => {
    const round = await drawnRound(c);
    const id = commentIdParam(c);
    const r = await makeCommentPublic(c.get('db'), c.get('audit'), { year: round.year, id }, currentAdmin(c).username);
    if (!r.ok) return refusedPage(r, (problems) => ScreeningPage(c, round, { form: `comment-${id}`, values: {}, problems }));
    return c.redirect(`/admin/rounds/${round.year}/comments?done=public#c-${id}`, 303);
  });
