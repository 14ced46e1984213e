import { CsrfField, DataTable, type Column } from '../admin/console-view.js';
import type { Ctx } from '../http/context.js';
import type { Round } from '../rounds/rounds.js';
import type { Answer, Choice } from '../survey/ballot.js';
import type { Problem } from '../validate.js';
import { answerField, KEYS, UNKNOWN_KEY, type Dispute, type PaperForm, type Reconciliation, reconciliationTotal } from './entry.js';
import { FEW_PAPER_SEATS } from './seats.js';

/** Issued, returned, entered and disputed paper ballots per stratum, with the paper seats, and their total. */
export function ReconciliationTable(props: { c: Ctx; rows: Reconciliation[] }) {
  const t = props.c.get('t');
  const total = reconciliationTotal(props.rows);
  const columns: Column<Reconciliation>[] = [
    { head: t('pool.stratum'), cell: (r) => r.stratum, names: true },
    { head: t('paper.seats'), cell: (r) => r.paperSeats, num: true },
    { head: t('paper.issued'), cell: (r) => r.issued, num: true },
    { head: t('paper.returned'), cell: (r) => r.returned, num: true },
    { head: t('paper.entered'), cell: (r) => r.entered, num: true },
    { head: t('paper.disputed'), cell: (r) => r.disputed, num: true },
  ];
  return (
    <DataTable
      caption={t('paper.reconciliation')}
      columns={columns}
      rows={props.rows}
      total={[t('common.total'), total.paperSeats, total.issued, total.returned, total.entered, total.disputed]}
    />
  );
}

/** The warning for strata with paper seats but fewer than FEW_PAPER_SEATS of them. */
export function FewSeatsWarning(props: { c: Ctx; rows: Reconciliation[] }) {
  const few = props.rows.filter((r) => r.paperSeats > 0 && r.paperSeats < FEW_PAPER_SEATS).map((r) => r.stratum);
  if (!few.length) return null;
  return (
    <p class="warning" role="note">
      {props.c.get('t')('paper.fewSeats', { strata: few.join('、'), min: FEW_PAPER_SEATS })}
    </p>
  );
}

/** The answer a typed key stands for, as a short label (side by side, and on the sheet). */
export function answerLabel(c: Ctx, a: Answer | undefined): string {
  const t = c.get('t');
  if (a === undefined) return '—';
  if (typeof a === 'number') return String(a);
  return t(`paper.answer.${a}`);
}

/** The rows of a paper ballot: one per unit, or one per unit and indicator when there are several. */
function sheetRows(form: PaperForm) {
  return form.units.flatMap((u, i) => form.indicators.map((ind, k) => ({ n: i + 1, unit: u, indicator: ind, first: k === 0 })));
}

/** Printable A4 paper ballots of one batch: the stratum, the units in the round's fixed order, boxes, the serial. */
export function PaperSheets(props: { c: Ctx; round: Round; form: PaperForm; stratum: string; serials: string[]; receiptsUrl: string }) {
  const { c, form } = props;
  const t = c.get('t');
  const several = form.indicators.length > 1;
  const heads =
    form.scale === 'satisfaction4'
      ? (['1', '2', '3', '4'] as const).map((k) => `${k} ${t(`paper.answer.${KEYS[k] as Choice}`)}`)
      : [t('paper.score'), t('paper.answer.unknown')];
  const rows = sheetRows(form);
  return (
    <>
      {props.serials.map((serial) => (
        <article class="letter paper-sheet">
          <h2>{props.round.title}</h2>
          <p>
            <strong>{t('paper.sheet.stratum', { stratum: props.stratum })}</strong> · {t('paper.sheet.serial', { serial })}
          </p>
          <p class="hint">{t(form.scale === 'satisfaction4' ? 'paper.sheet.how4' : 'paper.sheet.how100')}</p>
          <table class="paper-boxes">
            <thead>
              <tr>
                <th scope="col">{t('paper.sheet.unit')}</th>
                {several && <th scope="col">{t('paper.sheet.indicator')}</th>}
                {heads.map((h) => (
                  <th scope="col">{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <th scope="row">{r.first ? `${r.n}. ${r.unit.name}` : ''}</th>
                  {several && <td>{r.indicator.label}</td>}
                  {heads.map(() => (
                    <td class="box">□</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p class="hint">{t('paper.sheet.noComments')}</p>
          <div class="paper-stub">
            <p>✂ ┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈</p>
            <p>
              <strong>{t('paper.sheet.stubTitle')}</strong> <code>{serial}</code>
            </p>
            <p class="hint">{t('paper.sheet.stubBody', { url: props.receiptsUrl })}</p>
          </div>
        </article>
      ))}
    </>
  );
}

/**
 * The keyboard-only entry form: the serial, then one input per unit (and indicator) in the sheet's order, so Tab
 * (or the one-key advance of web/js/paper-entry.js) walks down the sheet.
 */
export function EntryForm(props: { c: Ctx; action: string; form: PaperForm; values: Record<string, string>; problems: Problem[] }) {
  const { c, form } = props;
  const t = c.get('t');
  const bad = (f: string) => (props.problems.some((p) => p.field === f) ? 'true' : undefined);
  const one = form.scale === 'satisfaction4';
  return (
    <form method="post" action={props.action} class="stack paper-entry" autocomplete="off">
      <CsrfField c={c} />
      <p class="hint">{t(one ? 'paper.entry.keys4' : 'paper.entry.keys100', { unknown: UNKNOWN_KEY })}</p>
      <label for="serial">{t('paper.serial')}</label>
      <input
        id="serial"
        name="serial"
        required
        maxlength={20}
        autofocus
        value={props.values.serial ?? ''}
        aria-invalid={bad('serial')}
        autocapitalize="characters"
        spellcheck={false}
      />
      <ol class="paper-keys">
        {sheetRows(form).map((r) => {
          const name = answerField(form, r.unit.code, r.indicator.key);
          const id = `k-${name}`;
          return (
            <li>
              <label for={id}>
                {r.n}. {r.unit.name}
                {form.indicators.length > 1 && ` · ${r.indicator.label}`}
              </label>
              <input
                id={id}
                name={name}
                required
                inputmode={one ? 'numeric' : 'text'}
                maxlength={one ? 1 : 3}
                size={3}
                value={props.values[name] ?? ''}
                aria-invalid={bad(name)}
                data-one-key={one ? '1' : undefined}
              />
            </li>
          );
        })}
      </ol>
      <button type="submit" class="primary">
        {t('paper.entry.save')}
      </button>
    </form>
  );
}

/** A disputed serial, unit by unit: each entry's answer side by side, the rows that differ marked. */
export function DisputeView(props: { c: Ctx; form: PaperForm; dispute: Dispute; base: string }) {
  const { c, form, dispute } = props;
  const t = c.get('t');
  const at = (e: Dispute['entries'][number], code: string, k: number): Answer | undefined => {
    const a = e[code];
    return Array.isArray(a) ? a[k] : a;
  };
  const rows = sheetRows(form).map((r, i) => {
    const k = form.indicators.indexOf(r.indicator);
    const answers = dispute.entries.map((e) => at(e, r.unit.code, k));
    return { ...r, i, answers, differ: answers.some((a) => a !== answers[0]) };
  });
  const columns: Column<(typeof rows)[number]>[] = [
    { head: t('paper.sheet.unit'), cell: (r) => `${r.n}. ${r.unit.name}${form.indicators.length > 1 ? ` · ${r.indicator.label}` : ''}`, names: true },
    ...dispute.entries.map((_, j) => ({ head: t('paper.entryN', { n: j + 1 }), cell: (r: (typeof rows)[number]) => answerLabel(c, r.answers[j]) })),
    { head: t('paper.differs'), cell: (r) => (r.differ ? t('paper.differsYes') : '') },
  ];
  return (
    <section class="panel">
      <h2>
        {t('paper.serial')} <code>{dispute.serial}</code> · {dispute.stratum}
      </h2>
      <DataTable columns={columns} rows={rows} rowClass={(r) => (r.differ ? 'paper-differs' : undefined)} />
      <p class="row">
        <a class="button" href={`${props.base}/entry?serial=${encodeURIComponent(dispute.serial)}`}>
          {t('paper.thirdEntry')}
        </a>
      </p>
      <form method="post" action={`${props.base}/disputes/discard`} class="stack action">
        <CsrfField c={c} />
        <input type="hidden" name="serial" value={dispute.serial} />
        <p class="hint">{t('paper.discardHelp')}</p>
        <label class="check">
          <input type="checkbox" name="confirm" value="1" required /> {t('rounds.confirm')}
        </label>
        <button type="submit" class="danger">
          {t('paper.discard')}
        </button>
      </form>
    </section>
  );
}
