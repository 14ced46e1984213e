import { Hono } from 'hono';
import { consolePage, CsrfField, DataTable, Notice } from '../admin/console-view.js';
import { currentAdmin, currentUser } from '../admin/guard.js';
import type { AppEnv, Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { formFields } from '../http/forms.js';
import { findRound } from '../rounds/rounds.js';
import { dateInZone } from '../time.js';
import { isCode } from '../validate.js';
import { commentFigures, commentsOfRound, type CommentFigures } from './comments.js';
import { followUpOfYear, type FollowUpUnit, type FollowUpYear } from './follow-up.js';
import { refusedPage, yearParam } from './http.js';
import { addItem, addUpdate, itemsOfRound } from './items.js';
import { COMMON_MEASURES, recordMeasure } from './measures.js';
import { LIMITS } from './rules.js';
import { LiaisonPage } from './unit-routes.js';
import { AddItemForm, CommentState, ItemCard, ItemStatusWords, KeptProblems, keptElsewhere, keptFor, type Kept } from './views.js';

const today = (c: Ctx) => dateInZone(c.get('clock').now(), c.get('config').timeZone);

async function followUp(c: Ctx, year: number): Promise<FollowUpYear | undefined> {
  return followUpOfYear(c.get('db'), year, today(c), c.get('config').timeZone);
}

const itemsDone = (u: FollowUpUnit) => u.items.filter((i) => i.status === 'done').length;
const unitPage = (code: string, year: number) => `/admin/units/${encodeURIComponent(code)}/rectification/${year}`;

function FlagWords(props: { c: Ctx; u: FollowUpUnit }) {
  const t = props.c.get('t');
  return (
    <>
      {props.u.bottom3 && <span class="flag b3">{t('public.flag.bottom3')}</span>}
      {props.u.bottom3TwoYears && <span class="flag two">{t('public.flag.twoYears')}</span>}
    </>
  );
}

interface YearSummary {
  year: number;
  published: boolean;
  comments: CommentFigures;
  overdueByUnit: { code: string; name: string; figures: CommentFigures }[];
  follow?: FollowUpYear;
}

/** What the office has to follow up in one closed or published round. */
async function yearSummary(c: Ctx, year: number, roundId: string, published: boolean): Promise<YearSummary> {
  const db = c.get('db');
  const now = today(c);
  const comments = await commentsOfRound(db, roundId);
  const names = new Map((await db.selectFrom('round_units').select(['code', 'name']).where('round_id', '=', roundId).execute()).map((u) => [u.code, u.name]));
  const codes = [...new Set(comments.map((x) => x.unitCode))].sort();
  const overdueByUnit = codes
    .map((code) => ({
      code,
      name: names.get(code) ?? code,
      figures: commentFigures(
        comments.filter((x) => x.unitCode === code),
        now,
      ),
    }))
    .filter((u) => u.figures.overdue > 0);
  return { year, published, comments: commentFigures(comments, now), overdueByUnit, follow: published ? await followUp(c, year) : undefined };
}

function OverviewYear(props: { c: Ctx; s: YearSummary }) {
  const { c, s } = props;
  const t = c.get('t');
  const units = s.follow?.doc.units ?? [];
  const noPlan = units.filter((u) => u.bottom3 && u.items.length === 0);
  const overdue = units.flatMap((u) => u.items.filter((i) => i.overdue).map((i) => ({ u, i })));
  const pending = units.filter((u) => u.measurePendingDays !== null);
  const clear = s.comments.pending === 0 && s.overdueByUnit.length === 0 && !noPlan.length && !overdue.length && !pending.length;
  return (
    <section class="panel" aria-labelledby={`y-${s.year}`}>
      <h2 id={`y-${s.year}`}>{s.year}</h2>
      <p class="row">
        <a href={`/admin/rounds/${s.year}/comments`}>{t('followup.screenLink')}</a>
        {s.published && <a href={`/admin/rounds/${s.year}/rectification`}>{t('followup.yearLink', { year: s.year })}</a>}
        {s.published && <a href={`/rectification/${s.year}`}>{t('followup.publicLink')}</a>}
      </p>
      <dl class="figures">
        <div>
          <dt>{t('followup.toScreen')}</dt>
          <dd>{s.comments.pending}</dd>
        </div>
        <div>
          <dt>{t('followup.repliesOverdue')}</dt>
          <dd>{s.comments.overdue}</dd>
        </div>
        {s.published && (
          <>
            <div>
              <dt>{t('followup.noPlan')}</dt>
              <dd>{noPlan.length}</dd>
            </div>
            <div>
              <dt>{t('followup.itemsOverdue')}</dt>
              <dd>{overdue.length}</dd>
            </div>
            <div>
              <dt>{t('followup.measuresPending')}</dt>
              <dd>{pending.length}</dd>
            </div>
          </>
        )}
      </dl>
      {!s.published && <p class="hint">{t('followup.notPublished')}</p>}
      {clear && <p>{t('followup.allClear')}</p>}
      {s.overdueByUnit.length > 0 && (
        <DataTable
          caption={t('followup.repliesByUnit')}
          columns={[
            {
              head: t('followup.unit'),
              cell: (u: YearSummary['overdueByUnit'][number]) => (
                <a href={s.published ? unitPage(u.code, s.year) : `/admin/rounds/${s.year}/comments#u-${encodeURIComponent(u.code)}`}>{u.name}</a>
              ),
              names: true,
            },
            { head: t('followup.released'), cell: (u) => u.figures.released, num: true },
            { head: t('followup.replied'), cell: (u) => u.figures.replied, num: true },
            { head: t('followup.overdueReplies'), cell: (u) => u.figures.overdue, num: true },
          ]}
          rows={s.overdueByUnit}
          class="followup-table"
        />
      )}
      {noPlan.length > 0 && (
        <>
          <h3>{t('followup.noPlan')}</h3>
          <ul class="links">
            {noPlan.map((u) => (
              <li>
                <a href={unitPage(u.code, s.year)}>{u.name}</a> <FlagWords c={c} u={u} />
              </li>
            ))}
          </ul>
        </>
      )}
      {overdue.length > 0 && (
        <>
          <h3>{t('followup.itemsOverdue')}</h3>
          <ul class="links overdue-items">
            {overdue.map((r) => (
              <li>
                <a href={`${unitPage(r.u.code, s.year)}#item-${r.i.id}`}>{r.u.name}</a> · {t('items.dueBy', { date: r.i.deadline })} ·{' '}
                <ItemStatusWords t={t} status={r.i.status} overdue />
                <span class="update-note">{r.i.problem}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {pending.length > 0 && (
        <>
          <h3>{t('followup.measuresPending')}</h3>
          <ul class="links">
            {pending.map((u) => (
              <li>
                <a href={`/admin/rounds/${s.year}/rectification#measure-${u.code}`}>{u.name}</a> ·{' '}
                {t('followup.daysSince', { days: u.measurePendingDays ?? 0 })}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

async function OverviewPage(c: Ctx) {
  const t = c.get('t');
  const rounds = await c
    .get('db')
    .selectFrom('rounds')
    .select(['id', 'year', 'status'])
    .where('status', 'in', ['closed', 'published'])
    .orderBy('year', 'desc')
    .execute();
  const summaries = [];
  for (const r of rounds) summaries.push(await yearSummary(c, r.year, r.id, r.status === 'published'));
  return consolePage(
    c,
    { title: t('followup.title') },
    <>
      <h1>{t('followup.title')}</h1>
      <p>{t('followup.intro')}</p>
      {summaries.length === 0 ? <p>{t('followup.none')}</p> : summaries.map((s) => <OverviewYear c={c} s={s} />)}
    </>,
  );
}

/** Every unit of a published year: flags, items, comments, measures; the forms that record measures. */
async function YearPage(c: Ctx, year: number, kept?: Kept) {
  const t = c.get('t');
  const follow = await followUp(c, year);
  if (!follow) throw new AppError('not_found', { message: 'items.error.notPublished', params: { year } });
  const now = today(c);
  const done = c.req.query('done') === 'measure' ? t('measures.done') : undefined;
  const twoYears = follow.doc.units.filter((u) => u.bottom3TwoYears);
  return consolePage(
    c,
    { title: t('followup.yearLink', { year }), status: kept ? 422 : undefined, path: `/admin/rounds/${year}/rectification` },
    <>
      <h1>{t('followup.yearLink', { year })}</h1>
      <p class="row">
        <a href="/admin/rectification">{t('followup.title')}</a>
        <a href={`/admin/rounds/${year}/comments`}>{t('followup.screenLink')}</a>
        <a href={`/rectification/${year}`}>{t('followup.publicLink')}</a>
      </p>
      <Notice text={done} />
      <KeptProblems
        c={c}
        kept={keptElsewhere(
          kept,
          twoYears.filter((u) => !u.measure).map((u) => `measure-${u.code}`),
        )}
      />
      {twoYears.length > 0 && (
        <section aria-labelledby="measures-h">
          <h2 id="measures-h">{t('measures.title')}</h2>
          {twoYears.map((u) => (
            <MeasureBlock c={c} year={year} u={u} publishedOn={follow.publishedOn} today={now} kept={keptFor(kept, `measure-${u.code}`)} />
          ))}
        </section>
      )}
      <h2 id="units-h">{t('followup.everyUnit')}</h2>
      <p class="hint">{t('followup.tableKey')}</p>
      <DataTable
        columns={[
          {
            head: t('followup.unit'),
            cell: (u: FollowUpUnit) => (
              <>
                <a href={unitPage(u.code, year)}>{u.name}</a> <FlagWords c={c} u={u} />
              </>
            ),
            names: true,
          },
          { head: t('followup.items'), cell: (u) => `${itemsDone(u)}/${u.items.length}`, num: true },
          { head: t('followup.overdueItems'), cell: (u) => u.items.filter((i) => i.overdue).length, num: true },
          { head: t('followup.comments'), cell: (u) => `${u.comments.replied}/${u.comments.released}`, num: true },
          { head: t('followup.overdueReplies'), cell: (u) => u.comments.overdue, num: true },
        ]}
        rows={follow.doc.units}
        class="followup-table"
        rowClass={(u) => (u.bottom3 ? 'b3' : undefined)}
      />
    </>,
  );
}

function MeasureBlock(props: { c: Ctx; year: number; u: FollowUpUnit; publishedOn: string; today: string; kept: Kept | undefined }) {
  const { c, u, kept } = props;
  const t = c.get('t');
  const id = `measure-${u.code}`;
  const bad = (f: string) => (kept?.problems.some((p) => p.field === f) ? 'true' : undefined);
  return (
    <article class="measure" id={id} aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{u.name}</h3>
      {u.measure ? (
        <p>
          {t('measures.recorded', { measure: u.measure.measure, date: u.measure.decidedOn })}
          {u.measure.note && <span class="update-note">{u.measure.note}</span>}
        </p>
      ) : (
        <>
          <p class="warning">{t('measures.pending', { days: u.measurePendingDays ?? 0 })}</p>
          <form method="post" action={`/admin/rounds/${props.year}/measures`} class="stack">
            <KeptProblems c={c} kept={kept} />
            <CsrfField c={c} />
            <input type="hidden" name="unit" value={u.code} />
            <p class="hint">{t('measures.recordHint')}</p>
            <label for={`${id}-measure`}>{t('measures.measure')}</label>
            <p class="hint" id={`${id}-measure-hint`}>
              {t('measures.measureHint')}
            </p>
            <input
              id={`${id}-measure`}
              name="measure"
              required
              maxlength={LIMITS.measure}
              list="common-measures"
              value={kept?.values.measure ?? ''}
              aria-describedby={`${id}-measure-hint`}
              aria-invalid={bad('measure')}
            />
            <datalist id="common-measures">
              {COMMON_MEASURES.map((m) => (
                <option value={m} />
              ))}
            </datalist>
            <label for={`${id}-date`}>{t('measures.decidedOn')}</label>
            <input
              id={`${id}-date`}
              name="decidedOn"
              type="date"
              required
              min={props.publishedOn}
              max={props.today}
              value={kept?.values.decidedOn ?? ''}
              aria-invalid={bad('decidedOn')}
            />
            <label for={`${id}-note`}>{t('measures.note')}</label>
            <textarea id={`${id}-note`} name="note" rows={2} maxlength={LIMITS.measureNote} aria-invalid={bad('note')}>
              {kept?.values.note ?? ''}
            </textarea>
            <button type="submit" class="primary">
              {t('measures.record')}
            </button>
          </form>
        </>
      )}
    </article>
  );
}

/** One unit's year as the office sees it: its items (with the forms to add and update), its released comments. */
async function AdminUnitPage(c: Ctx, code: string, year: number, kept?: Kept) {
  const t = c.get('t');
  const db = c.get('db');
  const tz = c.get('config').timeZone;
  const follow = isCode(code) ? await followUp(c, year) : undefined;
  if (!follow) throw new AppError('not_found', { message: 'items.error.notPublished', params: { year } });
  const u = follow.doc.units.find((x) => x.code === code);
  if (!u) throw new AppError('not_found', { message: 'items.error.unitNotInRound', params: { unit: code, year } });
  const round = (await findRound(db, year))!;
  const items = await itemsOfRound(db, round.id, code);
  const comments = (await commentsOfRound(db, round.id, code)).filter((x) => x.status === 'released');
  const now = today(c);
  const done = { added: t('items.done.added'), updated: t('items.done.updated') }[c.req.query('done') ?? ''];
  const title = t('followup.unitTitle', { unit: u.name, year });
  return consolePage(
    c,
    { title, status: kept ? 422 : undefined, path: unitPage(code, year) },
    <>
      <h1>{title}</h1>
      <p class="row">
        <a href={`/admin/rounds/${year}/rectification`}>{t('followup.yearLink', { year })}</a>
        <a href={`/rectification/${year}#unit-${code}`}>{t('followup.publicLink')}</a>
      </p>
      <p>
        <FlagWords c={c} u={u} />
      </p>
      <Notice text={done} />
      <KeptProblems c={c} kept={keptElsewhere(kept, ['add-item', ...items.map((i) => `update-${i.id}`)])} />
      {u.bottom3 && items.length === 0 && <p class="warning">{t('items.planRequired', { year })}</p>}
      {u.bottom3TwoYears && (
        <p>
          {t('measures.line', {
            text: u.measure
              ? t('measures.recorded', { measure: u.measure.measure, date: u.measure.decidedOn })
              : t('measures.pending', { days: u.measurePendingDays ?? 0 }),
          })}
        </p>
      )}
      <section aria-labelledby="items-h">
        <h2 id="items-h">{t('public.followup.itemsHeading')}</h2>
        {items.length === 0 && <p>{t('items.none')}</p>}
        {items.map((item) => (
          <ItemCard c={c} item={item} today={now} canUpdate kept={kept} />
        ))}
        <h2 id="add-h">{t('items.add')}</h2>
        <AddItemForm c={c} action={unitPage(code, year)} formId="add-item" publishedOn={follow.publishedOn} kept={keptFor(kept, 'add-item')} />
      </section>
      <section aria-labelledby="comments-h">
        <h2 id="comments-h">{t('followup.commentsOfUnit')}</h2>
        {comments.length === 0 && <p>{t('followup.noComments')}</p>}
        <ul class="comments handed-list">
          {comments.map((x) => (
            <li class="handed" id={`c-${x.id}`}>
              <blockquote class="comment-text">{x.text}</blockquote>
              <CommentState t={t} comment={x} today={now} repliedOn={x.repliedAt && dateInZone(new Date(x.repliedAt), tz)} showReason />
              {x.reply !== null && (
                <div class="reply">
                  <p class="reply-label">{t('comments.reply')}</p>
                  <blockquote>{x.reply}</blockquote>
                </div>
              )}
            </li>
          ))}
        </ul>
      </section>
    </>,
  );
}

/** The office's follow-up pages and actions, and the progress updates that administrators and liaisons both post. */
export const followUpConsole = new Hono<AppEnv>()
  .get('/rectification', (c) => OverviewPage(c))
  .get('/rounds/:year/rectification', (c) => YearPage(c, yearParam(c)))
  .post('/rounds/:year/measures', async (c) => {
    const year = yearParam(c);
    const form = await formFields(c);
    const unit = (form.unit ?? '').trim();
    const r = await recordMeasure(
      c.get('db'),
      c.get('audit'),
      { year, unit, measure: form.measure ?? '', decidedOn: form.decidedOn ?? '', note: form.note ?? '', timeZone: c.get('config').timeZone },
      currentAdmin(c).username,
    );
    if (!r.ok) return refusedPage(r, (problems) => YearPage(c, year, { form: `measure-${unit}`, values: form, problems }));
    return c.redirect(`/admin/rounds/${year}/rectification?done=measure#measure-${encodeURIComponent(unit)}`, 303);
  })
  .get('/units/:code/rectification/:year', (c) => AdminUnitPage(c, c.req.param('code'), yearParam(c)))
  .post('/units/:code/rectification/:year', async (c) => {
    const year = yearParam(c);
    const code = c.req.param('code');
    const form = await formFields(c);
    const r = await addItem(
      c.get('db'),
      c.get('audit'),
      { year, unit: code, problem: form.problem ?? '', measure: form.measure ?? '', deadline: form.deadline ?? '', timeZone: c.get('config').timeZone },
      currentAdmin(c).username,
    );
    if (!r.ok) return refusedPage(r, (problems) => AdminUnitPage(c, code, year, { form: 'add-item', values: form, problems }));
    return c.redirect(`${unitPage(code, year)}?done=added#item-${r.value.id}`, 303);
  })
  .post('/rectification/items/:id/updates', async (c) => {
    const user = currentUser(c);
    const id = c.req.param('id');
    const form = await formFields(c);
    const unit = user.role === 'liaison' ? (user.unit ?? '') : null;
    const r = await addUpdate(
      c.get('db'),
      c.get('audit'),
      { id, status: form.status ?? '', note: form.note ?? '', unit, timeZone: c.get('config').timeZone },
      user.username,
    );
    if (!r.ok) {
      const kept = { form: `update-${id}`, values: form, problems: r.problems };
      return refusedPage(r, async (problems) => {
        if (unit !== null) return LiaisonPage(c, { ...kept, problems });
        const item = await c
          .get('db')
          .selectFrom('rectification_items')
          .innerJoin('rounds', 'rounds.id', 'rectification_items.round_id')
          .select(['rectification_items.unit_code', 'rounds.year'])
          .where('rectification_items.id', '=', id)
          .executeTakeFirstOrThrow();
        return AdminUnitPage(c, item.unit_code, item.year, { ...kept, problems });
      });
    }
    const back = unit !== null ? '/admin/unit' : unitPage(r.value.unitCode, r.value.year);
    return c.redirect(`${back}?done=updated#item-${r.value.id}`, 303);
  });
