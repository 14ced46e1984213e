import { Hono } from 'hono';
import { consolePage, CsrfField, Notice } from '../admin/console-view.js';
import { currentLiaison } from '../admin/guard.js';
import type { AppEnv, Ctx } from '../http/context.js';
import { formFields } from '../http/forms.js';
import { dateInZone } from '../time.js';
import { findUnit } from '../units/units.js';
import { releasedToUnit, replyToComment, type HandedComment } from './comments.js';
import { commentIdParam, refusedPage, yearParam } from './http.js';
import { addItem, itemsOfRound, type Item } from './items.js';
import { measuresOfRound, type Measure } from './measures.js';
import { publishedFlags, publishedYearList, type FlaggedUnit } from './published.js';
import { refuse } from './result.js';
import { LIMITS } from './rules.js';
import { AddItemForm, CommentState, ItemCard, KeptProblems, keptElsewhere, keptFor, type Kept } from './views.js';

const DONE = { replied: 'comments.done.replied', added: 'items.done.added', updated: 'items.done.updated' } as const;

interface UnitYear {
  year: number;
  flags: FlaggedUnit;
  publishedOn: string;
  items: Item[];
  measure: Measure | undefined;
}

/** The published years the unit took part in, newest first, with its flags, items and measure of each. */
async function unitYears(c: Ctx, unit: string): Promise<UnitYear[]> {
  const db = c.get('db');
  const out: UnitYear[] = [];
  for (const year of await publishedYearList(db)) {
    const flags = await publishedFlags(db, year, c.get('config').timeZone);
    const mine = flags?.units.find((u) => u.code === unit);
    if (!flags || !mine) continue;
    const items = await itemsOfRound(db, flags.round.id, unit);
    out.push({ year, flags: mine, publishedOn: flags.publishedOn, items, measure: (await measuresOfRound(db, flags.round.id)).get(unit) });
  }
  return out;
}

/**
 * The liaison's page (`/admin/unit`): the comments released to their unit, to answer by the date shown, and their
 * unit's rectification items of every published year, with the forms that add items and progress. Nothing else.
 */
export async function LiaisonPage(c: Ctx, kept?: Kept) {
  const t = c.get('t');
  const db = c.get('db');
  const tz = c.get('config').timeZone;
  const me = currentLiaison(c);
  const unit = await findUnit(db, me.unit);
  const name = unit?.name ?? me.unit;
  const today = dateInZone(c.get('clock').now(), tz);
  const comments = await releasedToUnit(db, me.unit);
  const years = await unitYears(c, me.unit);
  const commentYears = [...new Set(comments.map((x) => x.year))];
  const done = DONE[c.req.query('done') as keyof typeof DONE];
  const title = t('unit.title', { unit: name });
  // Unanswered first, the earliest due at the top; then the answered ones.
  const order = (a: HandedComment, b: HandedComment) =>
    Number(a.reply !== null) - Number(b.reply !== null) || (a.dueOn ?? '').localeCompare(b.dueOn ?? '') || a.id - b.id;
  return consolePage(
    c,
    { title, status: kept ? 422 : undefined, path: '/admin/unit' },
    <>
      <h1>{title}</h1>
      <p>{t('unit.intro', { unit: name })}</p>
      <Notice text={done && t(done)} />
      <KeptProblems
        c={c}
        kept={keptElsewhere(kept, [
          ...comments.filter((x) => x.reply === null).map((x) => `reply-${x.id}`),
          ...years.flatMap((y) => [`add-item-${y.year}`, ...y.items.map((i) => `update-${i.id}`)]),
        ])}
      />
      <section aria-labelledby="comments-h">
        <h2 id="comments-h">{t('unit.comments')}</h2>
        {comments.length === 0 && <p>{t('unit.noComments')}</p>}
        {commentYears.map((year) => (
          <>
            <h3>{t('unit.yearComments', { year })}</h3>
            <ul class="comments handed-list">
              {comments
                .filter((x) => x.year === year)
                .sort(order)
                .map((x) => (
                  <ReplyItem c={c} comment={x} today={today} kept={keptFor(kept, `reply-${x.id}`)} />
                ))}
            </ul>
          </>
        ))}
      </section>
      {years.length === 0 && <p>{t('unit.noYears')}</p>}
      {years.map((y) => (
        <section aria-labelledby={`rect-${y.year}`} class="panel">
          <h2 id={`rect-${y.year}`}>{t('unit.rectification', { year: y.year })}</h2>
          <p>
            {y.flags.bottom3 && <span class="flag b3">{t('public.flag.bottom3')}</span>}
            {y.flags.bottom3TwoYears && <span class="flag two">{t('public.flag.twoYears')}</span>}
          </p>
          {y.flags.bottom3 && y.items.length === 0 && <p class="warning">{t('items.planRequired', { year: y.year })}</p>}
          {y.flags.bottom3TwoYears && (
            <p>
              {t('measures.line', {
                text: y.measure ? t('measures.recorded', { measure: y.measure.measure, date: y.measure.decidedOn }) : t('public.followup.pendingShort'),
              })}
            </p>
          )}
          {y.items.length === 0 && <p>{t('items.none')}</p>}
          {y.items.map((item) => (
            <ItemCard c={c} item={item} today={today} canUpdate kept={kept} />
          ))}
          <h3>{t('items.add')}</h3>
          <AddItemForm
            c={c}
            action={`/admin/unit/rectification/${y.year}`}
            formId={`add-item-${y.year}`}
            publishedOn={y.publishedOn}
            kept={keptFor(kept, `add-item-${y.year}`)}
          />
        </section>
      ))}
    </>,
  );
}

function ReplyItem(props: { c: Ctx; comment: HandedComment; today: string; kept: Kept | undefined }) {
  const { c, comment: x, kept } = props;
  const t = c.get('t');
  const tz = c.get('config').timeZone;
  const textId = `c-${x.id}-text`;
  return (
    <li class="handed" id={`c-${x.id}`}>
      <blockquote class="comment-text" id={textId}>
        {x.text}
      </blockquote>
      <CommentState t={t} comment={x} today={props.today} repliedOn={x.repliedAt && dateInZone(new Date(x.repliedAt), tz)} showReason={false} />
      {x.reply !== null ? (
        <div class="reply">
          <p class="reply-label">{t('comments.reply')}</p>
          <blockquote>{x.reply}</blockquote>
        </div>
      ) : (
        <form method="post" action={`/admin/unit/comments/${x.id}/reply`} class="stack reply-form">
          <KeptProblems c={c} kept={kept} />
          <CsrfField c={c} />
          <label for={`reply-${x.id}`}>{t('unit.replyLabel')}</label>
          <p class="hint" id={`reply-${x.id}-hint`}>
            {t('unit.replyHint')}
          </p>
          <textarea
            id={`reply-${x.id}`}
            name="reply"
            rows={3}
            required
            maxlength={LIMITS.reply}
            aria-describedby={`${textId} reply-${x.id}-hint`}
            aria-invalid={kept ? 'true' : undefined}
          >
            {kept?.values.reply ?? ''}
          </textarea>
          <button type="submit" class="primary">
            {t('unit.replySubmit')}
          </button>
        </form>
      )}
    </li>
  );
}

/** The liaison's own routes: their page, replies to their unit's comments, items for their unit's plan. */
export const liaisonConsole = new Hono<AppEnv>()
  .get('/', (c) => LiaisonPage(c))
  .post('/comments/:id/reply', async (c) => {
    const me = currentLiaison(c);
    const id = commentIdParam(c);
    const form = await formFields(c);
    const r = await replyToComment(c.get('db'), c.get('audit'), { id, unit: me.unit, reply: form.reply ?? '' }, me.username);
    if (!r.ok) return refusedPage(r, (problems) => LiaisonPage(c, { form: `reply-${id}`, values: form, problems }));
    return c.redirect(`/admin/unit?done=replied#c-${id}`, 303);
  })
  .post('/rectification/:year', async (c) => {
    const me = currentLiaison(c);
    const year = yearParam(c);
    const form = await formFields(c);
    const kept = (problems: Kept['problems']) => LiaisonPage(c, { form: `add-item-${year}`, values: form, problems });
    // The unit is the liaison's own; a form that names another is refused rather than quietly taken as theirs.
    if (form.unit !== undefined && form.unit.trim() !== me.unit) return refusedPage(refuse(422, 'items.error.otherUnit', undefined, 'unit'), kept);
    const r = await addItem(
      c.get('db'),
      c.get('audit'),
      { year, unit: me.unit, problem: form.problem ?? '', measure: form.measure ?? '', deadline: form.deadline ?? '', timeZone: c.get('config').timeZone },
      me.username,
    );
    if (!r.ok) return refusedPage(r, kept);
    return c.redirect(`/admin/unit?done=added#item-${r.value.id}`, 303);
  });
