// The public follow-up of a published year (`/rectification/{year}`) and its part of `/units/{code}`: each unit's
// measure (or how long it is pending), its rectification items with their progress and overdue flags, and the
// comments handed to it (counts, and the comment-and-reply pairs made public). Flags are words with a symbol.
import type { Child } from 'hono/jsx';
import type { Ctx } from '../http/context.js';
import type { Translate } from '../i18n/catalogue.js';
import type { FollowUpUnit, FollowUpYear } from './follow-up.js';
import { UpdateList, ItemStatusWords } from './views.js';

const unitHref = (code: string) => `/units/${encodeURIComponent(code)}`;

/** True when the unit has anything to show: a flag, an item, a measure, or a comment handed to it. */
export const hasFollowUp = (u: FollowUpUnit) => u.bottom3 || u.bottom3TwoYears || u.items.length > 0 || u.comments.released > 0 || u.measure !== null;

function UnitFlags({ t, u }: { t: Translate; u: FollowUpUnit }) {
  if (!u.bottom3 && !u.bottom3TwoYears) return null;
  return (
    <p class="unit-flags-line">
      {u.bottom3 && <span class="flag b3">{t('public.flag.bottom3')}</span>}
      {u.bottom3TwoYears && <span class="flag two">{t('public.flag.twoYears')}</span>}
    </p>
  );
}

/**
 * One unit's follow-up of one year. `heading` is the block's h3 (the unit's name on the year page, the year on the
 * unit's page); its parts have h4 headings.
 */
export function UnitFollowUp({ t, u, heading, id }: { t: Translate; u: FollowUpUnit; heading: Child; id: string }) {
  return (
    <section class={u.bottom3 ? 'followup-unit flagged' : 'followup-unit'} id={id} aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{heading}</h3>
      <UnitFlags t={t} u={u} />
      {u.bottom3TwoYears && (
        <div class="measure-line">
          <h4>{t('public.followup.measureHeading')}</h4>
          {u.measure ? (
            <p>
              <strong>{t('measures.recorded', { measure: u.measure.measure, date: u.measure.decidedOn })}</strong>
              {u.measure.note && <span class="update-note">{u.measure.note}</span>}
            </p>
          ) : (
            <p class="pending">
              <span class="flag pending">{t('public.followup.pendingShort')}</span> {t('public.followup.measurePending', { days: u.measurePendingDays ?? 0 })}
            </p>
          )}
        </div>
      )}
      {(u.items.length > 0 || u.bottom3) && <h4>{t('public.followup.itemsHeading')}</h4>}
      {u.bottom3 && u.items.length === 0 && <p class="warning">{t('public.followup.noPlan')}</p>}
      {u.items.length > 0 && (
        <ol class="public-items">
          {u.items.map((item) => (
            <li class={item.overdue ? 'public-item overdue' : 'public-item'} id={`item-${item.id}`}>
              <dl class="item-facts">
                <dt>{t('items.problem')}</dt>
                <dd>{item.problem}</dd>
                <dt>{t('items.measure')}</dt>
                <dd>{item.measure}</dd>
              </dl>
              <p class="item-meta">
                {t('items.dueBy', { date: item.deadline })} · <ItemStatusWords t={t} status={item.status} overdue={item.overdue} />
              </p>
              <UpdateList t={t} updates={item.updates} />
            </li>
          ))}
        </ol>
      )}
      {u.comments.released > 0 && (
        <>
          <h4>{t('public.followup.commentsHeading')}</h4>
          <p>{t('public.followup.commentFigures', { released: u.comments.released, replied: u.comments.replied, overdue: u.comments.overdue })}</p>
          {u.comments.public.length > 0 && (
            <ul class="qa" aria-label={t('public.followup.publicPairs')}>
              {u.comments.public.map((p) => (
                <li>
                  <p class="qa-label">{t('public.followup.comment')}</p>
                  <blockquote>{p.comment}</blockquote>
                  <p class="qa-label">{t('public.followup.reply', { date: p.repliedOn })}</p>
                  <blockquote class="answer">{p.reply}</blockquote>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

export function FollowUpPage({ c, follow, years, replyDays }: { c: Ctx; follow: FollowUpYear; years: number[]; replyDays: number }) {
  const t = c.get('t');
  const { doc } = follow;
  const year = doc.year;
  // Flagged units first (two years running before the rest), then the others that have anything to show.
  const flagged = doc.units.filter((u) => u.bottom3).sort((a, b) => Number(b.bottom3TwoYears) - Number(a.bottom3TwoYears));
  const others = doc.units.filter((u) => !u.bottom3 && hasFollowUp(u));
  const items = doc.units.flatMap((u) => u.items);
  const released = doc.units.reduce((n, u) => n + u.comments.released, 0);
  const replied = doc.units.reduce((n, u) => n + u.comments.replied, 0);
  const block = (u: FollowUpUnit) => <UnitFollowUp t={t} u={u} id={`unit-${u.code}`} heading={<a href={unitHref(u.code)}>{u.name}</a>} />;
  return (
    <article class="followup-page">
      <h1>{t('public.followup.title', { year })}</h1>
      <p class="lead">{t('public.followup.intro', { year, days: replyDays })}</p>
      <p class="meta">{t('public.followup.asOf', { date: follow.today, published: follow.publishedOn })}</p>
      <nav class="page-toc" aria-label={t('public.results.contents')}>
        <a href="#flagged">{t('public.followup.flaggedHeading')}</a>
        {others.length > 0 && <a href="#others">{t('public.followup.othersHeading')}</a>}
        <a href="#summary">{t('public.followup.summaryHeading')}</a>
        <a href="#downloads">{t('public.downloads')}</a>
      </nav>
      <dl class="figures">
        <div>
          <dt>{t('public.followup.figFlagged')}</dt>
          <dd>{flagged.length}</dd>
        </div>
        <div>
          <dt>{t('public.followup.figItems')}</dt>
          <dd>{t('public.followup.ofAll', { n: items.filter((i) => i.status === 'done').length, all: items.length })}</dd>
        </div>
        <div>
          <dt>{t('public.followup.figOverdue')}</dt>
          <dd>{items.filter((i) => i.overdue).length}</dd>
        </div>
        <div>
          <dt>{t('public.followup.figComments')}</dt>
          <dd>{t('public.followup.ofAll', { n: replied, all: released })}</dd>
        </div>
      </dl>

      <section id="flagged" aria-labelledby="flagged-h">
        <h2 id="flagged-h">{t('public.followup.flaggedHeading')}</h2>
        {flagged.map(block)}
      </section>
      {others.length > 0 && (
        <section id="others" aria-labelledby="others-h">
          <h2 id="others-h">{t('public.followup.othersHeading')}</h2>
          {others.map(block)}
        </section>
      )}

      <section id="summary" aria-labelledby="summary-h">
        <h2 id="summary-h">{t('public.followup.summaryHeading')}</h2>
        <p class="hint" id="summary-key">
          {t('public.followup.summaryKey')}
        </p>
        {/* biome-ignore lint/a11y/useSemanticElements: a scrolling box inside the section it belongs to, not a section */}
        <div class="table-wrap" role="region" tabindex={0} aria-labelledby="summary-h">
          <table class="followup-summary" aria-describedby="summary-key">
            <thead>
              <tr>
                <th scope="col">{t('followup.unit')}</th>
                <th scope="col" class="num">
                  {t('public.followup.colItems')}
                </th>
                <th scope="col" class="num">
                  {t('public.followup.colOverdue')}
                </th>
                <th scope="col" class="num">
                  {t('public.followup.colComments')}
                </th>
                <th scope="col">{t('public.followup.colMeasure')}</th>
              </tr>
            </thead>
            <tbody>
              {doc.units.map((u) => (
                <tr class={u.bottom3 ? 'b3' : undefined}>
                  <th scope="row">
                    {hasFollowUp(u) ? <a href={`#unit-${u.code}`}>{u.name}</a> : u.name}
                    {u.bottom3 && (
                      <>
                        {' '}
                        <span class="flag b3">{t('public.flag.bottom3')}</span>
                      </>
                    )}
                    {u.bottom3TwoYears && (
                      <>
                        {' '}
                        <span class="flag two">{t('public.flag.twoYears')}</span>
                      </>
                    )}
                  </th>
                  <td class="num">{u.items.length ? `${u.items.filter((i) => i.status === 'done').length}/${u.items.length}` : '—'}</td>
                  <td class="num">{u.items.filter((i) => i.overdue).length || '—'}</td>
                  <td class="num">{u.comments.released ? `${u.comments.replied}/${u.comments.released}` : '—'}</td>
                  <td>{u.measure ? u.measure.measure : u.measurePendingDays !== null ? t('public.followup.pendingShort') : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section id="downloads" aria-labelledby="downloads-h">
        <h2 id="downloads-h">{t('public.downloads')}</h2>
        <ul class="downloads">
          <li>
            <a class="button" href={`/rectification/${year}.json`} type="application/json">
              {t('public.followup.download')}
            </a>
          </li>
          <li>
            <a class="button" href={`/results/${year}`}>
              {t('public.followup.results', { year })}
            </a>
          </li>
        </ul>
      </section>

      {years.length > 1 && (
        <nav class="years" aria-label={t('public.followup.otherYears')}>
          <h2>{t('public.followup.otherYears')}</h2>
          <ul>
            {years.map((y) =>
              y === year ? (
                <li>
                  <strong>{y}</strong>
                </li>
              ) : (
                <li>
                  <a href={`/rectification/${y}`}>{y}</a>
                </li>
              ),
            )}
          </ul>
        </nav>
      )}
    </article>
  );
}

/** The unit's follow-up across the published years, newest first, for its page `/units/{code}`. */
export function UnitFollowUpSection({ c, entries }: { c: Ctx; entries: { year: number; unit: FollowUpUnit }[] }) {
  const t = c.get('t');
  const shown = entries.filter((e) => hasFollowUp(e.unit));
  return (
    <section class="unit-followup" aria-labelledby="unit-followup-h">
      <h2 id="unit-followup-h">{t('public.followup.unitHeading')}</h2>
      {shown.length === 0 ? (
        <p>{t('public.followup.unitNone')}</p>
      ) : (
        shown.map((e) => (
          <UnitFollowUp
            t={t}
            u={e.unit}
            id={`followup-${e.year}`}
            heading={<a href={`/rectification/${e.year}#unit-${encodeURIComponent(e.unit.code)}`}>{t('public.followup.unitYear', { year: e.year })}</a>}
          />
        ))
      )}
    </section>
  );
}
