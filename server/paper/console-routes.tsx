import { Hono } from 'hono';
import { consolePage, DataTable, Notice, ProblemList } from '../admin/console-view.js';
import { currentAdmin } from '../admin/guard.js';
import type { AppEnv, Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { formFields } from '../http/forms.js';
import { findRound, type Round } from '../rounds/rounds.js';
import { ActionForm } from '../rounds/views.js';
import { problemText, type Problem } from '../validate.js';
import { batchSerials, issueBatch, listBatches, MAX_BATCH, type Batch } from './batches.js';
import { discardEntries, disputes, enterPaperBallot, paperForm, reconcile } from './entry.js';
import { paperSeatCodes, roundAcceptsPaperSeats, setPaperSeat } from './seats.js';
import { DisputeView, EntryForm, FewSeatsWarning, PaperSheets, ReconciliationTable } from './views.js';

/*
 * The console's paper ballots (`/admin/rounds/{year}/paper`): seats on paper, batches to print, the double-entry
 * screen and the disputes. Every change is a verb of this folder, audited there.
 */

async function roundOr404(c: Ctx): Promise<Round> {
  const y = c.req.param('year') ?? '';
  if (!/^\d{4}$/.test(y)) throw new AppError('not_found');
  const round = await findRound(c.get('db'), Number(y));
  if (!round?.drawn_at) throw new AppError('not_found', { message: 'rounds.error.notFound', params: { year: Number(y) } });
  return round;
}

const base = (round: Round) => `/admin/rounds/${round.year}/paper`;

const DONE = { marked: 'paper.marked', unmarked: 'paper.unmarked', discarded: 'paper.discarded' } as const;

async function PaperPage(c: Ctx, round: Round, extra: { problems?: Problem[]; status?: 200 | 422 } = {}) {
  const t = c.get('t');
  const db = c.get('db');
  const rows = await reconcile(db, round.id);
  const seats = await paperSeatCodes(db, round.id);
  const batches = await listBatches(db, round.id);
  const strata = rows.filter((r) => r.paperSeats > 0).map((r) => r.stratum);
  const done = DONE[c.req.query('done') as keyof typeof DONE];
  const q = (k: string) => c.req.query(k) ?? '';
  const markable = roundAcceptsPaperSeats(round);
  return consolePage(
    c,
    { title: t('paper.title'), status: extra.status, path: base(round) },
    <>
      <h1>
        {round.year} · {t('paper.title')}
      </h1>
      <Notice text={done && t(done, { code: q('code'), stratum: q('stratum'), n: q('n'), serial: q('serial') })} />
      <ProblemList c={c} problems={(extra.problems ?? []).map((p) => problemText(t, p))} />
      <p>{t('paper.intro')}</p>
      <p class="row">
        <a href={`/admin/rounds/${round.year}`}>{t('common.back')}</a>
        <a href={`${base(round)}/entry`}>{t('paper.entry.title')}</a>
        <a href={`${base(round)}/disputes`}>{t('paper.disputes')}</a>
      </p>
      <FewSeatsWarning c={c} rows={rows} />
      {rows.length > 0 && <ReconciliationTable c={c} rows={rows} />}
      {markable && (
        <section class="panel">
          <h2>{t('paper.mark')}</h2>
          <ActionForm c={c} action={`${base(round)}/seats`} label="paper.mark" help="paper.markHelp" confirm>
            <label for="code">{t('rounds.replaceCode')}</label>
            <input id="code" name="code" required maxlength={32} autocomplete="off" />
          </ActionForm>
          <h2>{t('paper.unmark')}</h2>
          <ActionForm c={c} action={`${base(round)}/seats`} label="paper.unmark" help="paper.unmarkHelp" confirm>
            <input type="hidden" name="undo" value="1" />
            <label for="undo-code">{t('rounds.replaceCode')}</label>
            <input id="undo-code" name="code" required maxlength={32} autocomplete="off" />
          </ActionForm>
        </section>
      )}
      {seats.length > 0 && (
        <DataTable
          caption={t('paper.seatList', { n: seats.length })}
          columns={[
            { head: t('rounds.replaceCode'), cell: (s: (typeof seats)[number]) => s.code, names: true },
            { head: t('pool.stratum'), cell: (s: (typeof seats)[number]) => s.stratum },
          ]}
          rows={seats}
        />
      )}
      {markable && strata.length > 0 && (
        <section class="panel">
          <h2>{t('paper.issue')}</h2>
          <ActionForm c={c} action={`${base(round)}/batches`} label="paper.issue" help="paper.issueHelp">
            <label for="stratum">{t('pool.stratum')}</label>
            <select id="stratum" name="stratum">
              {strata.map((s) => (
                <option value={s}>{s}</option>
              ))}
            </select>
            <label for="count">{t('paper.count')}</label>
            <input id="count" name="count" inputmode="numeric" required maxlength={4} />
          </ActionForm>
        </section>
      )}
      {batches.length > 0 && (
        <DataTable
          caption={t('paper.batches')}
          columns={[
            {
              head: t('paper.batch'),
              cell: (b: Batch) => <a href={`${base(round)}/batches/${b.batch}`}>{t('paper.printBatch', { n: b.batch })}</a>,
              names: true,
            },
            { head: t('pool.stratum'), cell: (b: Batch) => b.stratum },
            { head: t('paper.issued'), cell: (b: Batch) => b.count, num: true },
          ]}
          rows={batches}
        />
      )}
    </>,
  );
}

async function EntryPage(c: Ctx, round: Round, extra: { problems?: Problem[]; values?: Record<string, string>; status?: 200 | 422 } = {}) {
  const t = c.get('t');
  const form = await paperForm(c.get('db'), round);
  const result = c.req.query('done');
  const serial = c.req.query('serial') ?? '';
  const notice = result === 'first' || result === 'stored' || result === 'disputed' ? t(`paper.entry.${result}`, { serial }) : undefined;
  return consolePage(
    c,
    { title: t('paper.entry.title'), status: extra.status, path: `${base(round)}/entry`, scripts: ['js/paper-entry.js'] },
    <>
      <h1>
        {round.year} · {t('paper.entry.title')}
      </h1>
      <Notice text={notice} />
      <ProblemList c={c} problems={(extra.problems ?? []).map((p) => problemText(t, p))} />
      <p>{t('paper.entry.intro')}</p>
      <p class="row">
        <a href={base(round)}>{t('common.back')}</a>
        <a href={`${base(round)}/disputes`}>{t('paper.disputes')}</a>
      </p>
      <EntryForm c={c} action={`${base(round)}/entry`} form={form} values={extra.values ?? (result ? {} : { serial })} problems={extra.problems ?? []} />
    </>,
  );
}

export const paperConsole = new Hono<AppEnv>()
  .get('/:year/paper', async (c) => PaperPage(c, await roundOr404(c)))
  .post('/:year/paper/seats', async (c) => {
    const round = await roundOr404(c);
    const f = await formFields(c);
    if (f.confirm !== '1') throw new AppError('bad_request');
    const paper = f.undo !== '1';
    const code = (f.code ?? '').trim();
    const outcome = await setPaperSeat(c.get('db'), c.get('audit'), { year: round.year, code, paper }, currentAdmin(c).username);
    if (!outcome.ok) return PaperPage(c, round, { problems: outcome.problems, status: 422 });
    const v = outcome.value;
    const q = `code=${encodeURIComponent(v.code)}&stratum=${encodeURIComponent(v.stratum)}&n=${v.paperSeats}`;
    return c.redirect(`${base(round)}?done=${paper ? 'marked' : 'unmarked'}&${q}`, 303);
  })
  .post('/:year/paper/batches', async (c) => {
    const round = await roundOr404(c);
    const f = await formFields(c);
    const outcome = await issueBatch(
      c.get('db'),
      c.get('audit'),
      { year: round.year, stratum: f.stratum ?? '', count: f.count ?? '' },
      currentAdmin(c).username,
    );
    if (!outcome.ok) return PaperPage(c, round, { problems: outcome.problems, status: 422 });
    return c.redirect(`${base(round)}/batches/${outcome.value.batch}`, 303);
  })
  .get('/:year/paper/batches/:batch', async (c) => {
    const t = c.get('t');
    const round = await roundOr404(c);
    const n = c.req.param('batch');
    const batch = /^\d{1,6}$/.test(n) ? await batchSerials(c.get('db'), round.id, Number(n)) : undefined;
    if (!batch) throw new AppError('not_found');
    const form = await paperForm(c.get('db'), round);
    const receiptsUrl = `${c.get('config').baseUrl}/results/${round.year}/receipts`;
    return consolePage(
      c,
      { title: t('paper.printTitle', { n, stratum: batch.stratum, count: batch.serials.length }) },
      <>
        <div class="screen-only">
          <h1>{t('paper.printTitle', { n, stratum: batch.stratum, count: batch.serials.length })}</h1>
          <p>{t('paper.printHint', { max: MAX_BATCH })}</p>
          <p class="row">
            <a href={base(round)}>{t('common.back')}</a>
          </p>
        </div>
        <PaperSheets c={c} round={round} form={form} stratum={batch.stratum} serials={batch.serials} receiptsUrl={receiptsUrl} />
      </>,
    );
  })
  .get('/:year/paper/entry', async (c) => EntryPage(c, await roundOr404(c)))
  .post('/:year/paper/entry', async (c) => {
    const round = await roundOr404(c);
    const f = await formFields(c);
    const admin = currentAdmin(c);
    const outcome = await enterPaperBallot(c.get('db'), c.get('audit'), { year: round.year, serial: f.serial ?? '', fields: f }, admin);
    if (!outcome.ok) {
      const { _csrf: _, ...values } = f;
      return EntryPage(c, round, { problems: outcome.problems, values, status: 422 });
    }
    return c.redirect(`${base(round)}/entry?done=${outcome.value.result}&serial=${encodeURIComponent(outcome.value.serial)}`, 303);
  })
  .get('/:year/paper/disputes', async (c) => {
    const t = c.get('t');
    const round = await roundOr404(c);
    const form = await paperForm(c.get('db'), round);
    const list = await disputes(c.get('db'), round.id);
    const done = c.req.query('done') === 'discarded' ? t('paper.discarded', { serial: c.req.query('serial') ?? '' }) : undefined;
    return consolePage(
      c,
      { title: t('paper.disputes'), path: `${base(round)}/disputes` },
      <>
        <h1>
          {round.year} · {t('paper.disputes')}
        </h1>
        <Notice text={done} />
        <p>{t('paper.disputesIntro')}</p>
        <p class="row">
          <a href={base(round)}>{t('common.back')}</a>
          <a href={`${base(round)}/entry`}>{t('paper.entry.title')}</a>
        </p>
        {list.length === 0 ? <p>{t('paper.noDisputes')}</p> : list.map((d) => <DisputeView c={c} form={form} dispute={d} base={base(round)} />)}
      </>,
    );
  })
  .post('/:year/paper/disputes/discard', async (c) => {
    const round = await roundOr404(c);
    const f = await formFields(c);
    if (f.confirm !== '1') throw new AppError('bad_request');
    const outcome = await discardEntries(c.get('db'), c.get('audit'), { year: round.year, serial: f.serial ?? '' }, currentAdmin(c).username);
    if (!outcome.ok) return PaperPage(c, round, { problems: outcome.problems, status: 422 });
    return c.redirect(`${base(round)}/disputes?done=discarded&serial=${encodeURIComponent(outcome.value.serial)}`, 303);
  });
