// Pieces the console pages of this capability share: an item with its progress and the forms that add items and
// updates, a comment's state, and the form state kept when an action is refused (422 with every value kept).
import { CsrfField, ProblemList } from '../admin/console-view.js';
import type { Ctx } from '../http/context.js';
import type { FormFields } from '../http/forms.js';
import type { Translate } from '../i18n/catalogue.js';
import { problemText, type Problem } from '../validate.js';
import type { HandedComment } from './comments.js';
import { isOverdue, type Item } from './items.js';
import { ITEM_STATUSES, LIMITS, replyOverdue, type ItemStatus } from './rules.js';

/** A refused form, shown again: which form (its id on the page), what was entered, and what is wrong. */
export interface Kept {
  form: string;
  values: FormFields;
  problems: Problem[];
}

/** The kept state of one form of the page, if it was the one refused. */
export function keptFor(kept: Kept | undefined, form: string): Kept | undefined {
  return kept?.form === form ? kept : undefined;
}

/** The kept state when its form is none of those the page shows (`forms`): its problems then go at the top. */
export function keptElsewhere(kept: Kept | undefined, forms: Iterable<string>): Kept | undefined {
  return kept && !new Set(forms).has(kept.form) ? kept : undefined;
}

export function KeptProblems(props: { c: Ctx; kept: Kept | undefined }) {
  const t = props.c.get('t');
  return <ProblemList c={props.c} problems={(props.kept?.problems ?? []).map((p) => problemText(t, p))} />;
}

const invalid = (kept: Kept | undefined, field: string) => (kept?.problems.some((p) => p.field === field) ? 'true' : undefined);

/** An item's status in words (a symbol before it), and the overdue flag; never colour alone. */
export function ItemStatusWords(props: { t: Translate; status: ItemStatus; overdue: boolean }) {
  const { t } = props;
  return (
    <>
      <span class={`status s-${props.status}`}>{t(`items.status.${props.status}`)}</span>
      {props.overdue && <span class="flag overdue">{t('items.overdue')}</span>}
    </>
  );
}

/** One item: problem, measure, deadline, status, its dated updates, and (for who may) the form to add one. */
export function ItemCard(props: { c: Ctx; item: Item; today: string; canUpdate: boolean; kept?: Kept }) {
  const { c, item } = props;
  const t = c.get('t');
  const overdue = isOverdue(item, props.today);
  return (
    <article class={overdue ? 'item overdue' : 'item'} id={`item-${item.id}`} aria-labelledby={`item-${item.id}-h`}>
      <h3 id={`item-${item.id}-h`}>
        {t('items.number', { n: item.position })} <ItemStatusWords t={t} status={item.status} overdue={overdue} />
      </h3>
      <dl class="item-facts">
        <dt>{t('items.problem')}</dt>
        <dd>{item.problem}</dd>
        <dt>{t('items.measure')}</dt>
        <dd>{item.measure}</dd>
        <dt>{t('items.deadline')}</dt>
        <dd>
          <time datetime={item.deadline}>{item.deadline}</time>
        </dd>
      </dl>
      <UpdateList t={t} updates={item.updates} />
      {props.canUpdate && <UpdateForm c={c} item={item} kept={keptFor(props.kept, `update-${item.id}`)} />}
    </article>
  );
}

export function UpdateList(props: { t: Translate; updates: Item['updates'] }) {
  const { t } = props;
  if (!props.updates.length) return <p class="hint">{t('items.noUpdates')}</p>;
  return (
    <ol class="updates" aria-label={t('items.updates')}>
      {props.updates.map((u) => (
        <li>
          <time datetime={u.date}>{u.date}</time> · {t(`items.status.${u.status}`)}
          {u.note && <span class="update-note">{u.note}</span>}
        </li>
      ))}
    </ol>
  );
}

function UpdateForm(props: { c: Ctx; item: Item; kept: Kept | undefined }) {
  const { c, item, kept } = props;
  const t = c.get('t');
  const chosen = kept?.values.status ?? item.status;
  const id = (s: string) => `st-${item.id}-${s}`;
  return (
    <form method="post" action={`/admin/rectification/items/${item.id}/updates`} class="stack update-form" id={`update-${item.id}`}>
      <KeptProblems c={c} kept={kept} />
      <CsrfField c={c} />
      <fieldset class="statuses">
        <legend>
          {t('items.update')} · {t('items.number', { n: item.position })}
        </legend>
        {ITEM_STATUSES.map((s) => (
          <label class="check" for={id(s)}>
            <input type="radio" id={id(s)} name="status" value={s} checked={chosen === s} required /> {t(`items.status.${s}`)}
          </label>
        ))}
      </fieldset>
      <label for={`note-${item.id}`}>{t('items.note')}</label>
      <textarea id={`note-${item.id}`} name="note" rows={2} maxlength={LIMITS.note} aria-invalid={invalid(kept, 'note')}>
        {kept?.values.note ?? ''}
      </textarea>
      <button type="submit">{t('items.update')}</button>
    </form>
  );
}

/** The form that adds an item to a unit's plan for a year. */
export function AddItemForm(props: { c: Ctx; action: string; formId: string; publishedOn: string; kept: Kept | undefined }) {
  const { c, kept, formId } = props;
  const t = c.get('t');
  return (
    <form method="post" action={props.action} class="stack add-item" id={formId}>
      <KeptProblems c={c} kept={kept} />
      <CsrfField c={c} />
      <p class="hint">{t('items.addHint')}</p>
      <label for={`${formId}-problem`}>{t('items.problem')}</label>
      <textarea id={`${formId}-problem`} name="problem" rows={2} required maxlength={LIMITS.problem} aria-invalid={invalid(kept, 'problem')}>
        {kept?.values.problem ?? ''}
      </textarea>
      <label for={`${formId}-measure`}>{t('items.measure')}</label>
      <textarea id={`${formId}-measure`} name="measure" rows={2} required maxlength={LIMITS.itemMeasure} aria-invalid={invalid(kept, 'measure')}>
        {kept?.values.measure ?? ''}
      </textarea>
      <label for={`${formId}-deadline`}>{t('items.deadline')}</label>
      <p class="hint" id={`${formId}-deadline-hint`}>
        {t('items.deadlineHint', { date: props.publishedOn })}
      </p>
      <input
        id={`${formId}-deadline`}
        name="deadline"
        type="date"
        required
        min={props.publishedOn}
        value={kept?.values.deadline ?? ''}
        aria-describedby={`${formId}-deadline-hint`}
        aria-invalid={invalid(kept, 'deadline')}
      />
      <button type="submit" class="primary">
        {t('items.add')}
      </button>
    </form>
  );
}

/** Where a handed comment stands: released and due (or overdue), answered, public; or withheld with its reason. */
export function CommentState(props: { t: Translate; comment: HandedComment; today: string; repliedOn: string | null; showReason: boolean }) {
  const { t, comment } = props;
  const overdue = replyOverdue(comment, props.today);
  return (
    <p class="comment-state">
      <span class={`status c-${comment.status}`}>{t(`comments.status.${comment.status}`)}</span>
      {comment.status === 'released' && comment.reply === null && (
        <>
          {' '}
          {t('comments.dueOn', { date: comment.dueOn ?? '' })} {overdue ? <span class="flag overdue">{t('comments.overdue')}</span> : t('comments.awaiting')}
        </>
      )}
      {comment.reply !== null && props.repliedOn && <> {t('comments.repliedOn', { date: props.repliedOn })}</>}
      {comment.public && <span class="flag public">{t('comments.public')}</span>}
      {comment.status === 'withheld' && props.showReason && <> {t('comments.withheldBecause', { reason: comment.reason ?? '' })}</>}
    </p>
  );
}
