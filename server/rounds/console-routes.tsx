import { raw } from 'hono/html';
import { Hono } from 'hono';
import { consolePage, DataTable, Notice, ProblemList } from '../admin/console-view.js';
import { currentAdmin } from '../admin/guard.js';
import { recordExport } from '../audit/log.js';
import type { AppEnv, Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { formFields, type FormFields } from '../http/forms.js';
import { invitations, linksTable } from '../links/invitations.js';
import { groupedCode } from '../links/codes.js';
import { tableDownload, type TableFormat } from '../sheets/write.js';
import { qrSvg } from '../links/qr.js';
import { smsList } from '../links/sms.js';
import { reconcile } from '../paper/entry.js';
import { ReconciliationTable } from '../paper/views.js';
import { formatDateTime } from '../time.js';
import { problemText, type Outcome, type Problem } from '../validate.js';
import {
  closeRound,
  createRound,
  drawRound,
  findRound,
  freezeRound,
  listRounds,
  openRound,
  reissueLink,
  replaceMember,
  turnoutByStratum,
  updateRoundSettings,
  type Round,
} from './rounds.js';
import type { DesignInput } from './design.js';
import { parseSettings, settingsOf, type SettingsInput } from './settings.js';
import { ActionForm, SettingsForm, Timeline, TurnoutTable } from './views.js';

function yearParam(c: Ctx): number {
  const y = c.req.param('year') ?? '';
  if (!/^\d{4}$/.test(y)) throw new AppError('not_found');
  return Number(y);
}

async function roundOr404(c: Ctx): Promise<Round> {
  const year = yearParam(c);
  const round = await findRound(c.get('db'), year);
  if (!round) throw new AppError('not_found', { message: 'rounds.error.notFound', params: { year } });
  return round;
}

function settingsInput(f: FormFields): SettingsInput {
  const opt = (k: string) => (f[k] === undefined ? undefined : f[k]);
  return {
    year: opt('year'),
    title: opt('title'),
    sample: opt('sample'),
    scale: opt('scale'),
    points: opt('points'),
    stratify: f.stratifyShown === '1' ? f.stratify === '1' : undefined,
    bottomScope: opt('bottomScope'),
    minValid: opt('minValid'),
    opens: opt('opens'),
    closes: opt('closes'),
    design: { indicators: opt('indicators'), indicatorWeights: opt('indicatorWeights'), strataWeights: opt('strataWeights'), reasons: opt('reasons') },
  };
}

async function ListPage(c: Ctx, extra: { problems?: Problem[]; values?: SettingsInput; status?: 200 | 422 } = {}) {
  const t = c.get('t');
  const rounds = await listRounds(c.get('db'));
  const v = extra.values;
  return consolePage(
    c,
    { title: t('rounds.title'), status: extra.status, path: '/admin/rounds' },
    <>
      <h1>{t('rounds.title')}</h1>
      <p>{t('rounds.intro')}</p>
      {rounds.length === 0 ? (
        <p>{t('rounds.none')}</p>
      ) : (
        <DataTable
          columns={[
            { head: t('rounds.year'), cell: (r: Round) => <a href={`/admin/rounds/${r.year}`}>{r.year}</a> },
            { head: t('rounds.titleField'), cell: (r: Round) => r.title },
            { head: t('rounds.status'), cell: (r: Round) => t(`rounds.status.${r.status}`) },
          ]}
          rows={rounds}
        />
      )}
      <section class="panel">
        <h2 id="create">{t('rounds.create')}</h2>
        <ProblemList c={c} problems={(extra.problems ?? []).map((p) => problemText(t, p))} />
        <SettingsForm
          c={c}
          action="/admin/rounds"
          creating
          values={{
            yearText: v?.year ?? String(c.get('clock').now().getUTCFullYear()),
            title: v?.title,
            sampleSize: v?.sample ? Number(v.sample) : undefined,
            scale: v?.scale as 'satisfaction4' | undefined,
            stratify: v?.stratify,
            bottomScope: v?.bottomScope as 'overall' | undefined,
            minValid: v?.minValid ? Number(v.minValid) : undefined,
            opensAt: v?.opens,
            closesAt: v?.closes,
          }}
          design={v?.design}
          problems={extra.problems}
        />
      </section>
    </>,
  );
}

const DONE = {
  created: 'rounds.created',
  saved: 'rounds.saved',
  frozen: 'rounds.frozen',
  drawn: 'rounds.drawn',
  replaced: 'rounds.replaced',
  reissued: 'rounds.reissued',
  opened: 'rounds.opened',
  closed: 'rounds.closed',
} as const;

async function RoundPage(c: Ctx, round: Round, extra: { problems?: Problem[]; status?: 200 | 422; design?: DesignInput } = {}) {
  const t = c.get('t');
  const db = c.get('db');
  const base = `/admin/rounds/${round.year}`;
  const done = DONE[c.req.query('done') as keyof typeof DONE];
  const q = (k: string) => c.req.query(k) ?? '';
  const notice = done
    ? t(done, { year: round.year, hash: round.pool_hash ?? '', seed: round.seed ?? '', n: q('n'), out: q('out'), in: q('in'), code: q('code') })
    : undefined;
  const turnout = round.drawn_at ? await turnoutByStratum(db, round) : [];
  const paper = round.drawn_at ? await reconcile(db, round.id) : [];
  const seated = round.status === 'drawn' || round.status === 'open';
  return consolePage(
    c,
    { title: `${round.year} ${t('rounds.title')}`, status: extra.status, path: base },
    <>
      <h1>
        {round.year} · {round.title}
      </h1>
      <Notice text={notice} />
      <ProblemList c={c} problems={(extra.problems ?? []).map((p) => problemText(t, p))} />
      <Timeline c={c} round={round} />
      <p class="row">
        <a href={`/draw/${round.year}`}>{t('rounds.publicPage')}</a>
        {round.drawn_at && (
          <>
            <a href={`${base}/turnout`}>{t('nav.turnout')}</a>
            <a href={`${base}/missing`}>{t('nav.missing')}</a>
            <a href={`${base}/comments`}>{t('nav.comments')}</a>
            <a href={`${base}/paper`}>{t('paper.title')}</a>
            <a href={`${base}/results`}>{t('results.console.title', { year: round.year })}</a>
          </>
        )}
      </p>

      {round.status === 'draft' && (
        <section class="panel">
          <h2>{t('rounds.freeze')}</h2>
          <ActionForm c={c} action={`${base}/freeze`} label="rounds.freeze" help="rounds.freezeHelp" confirm />
        </section>
      )}
      {round.status === 'frozen' && (
        <section class="panel">
          <h2>{t('rounds.draw')}</h2>
          <ActionForm c={c} action={`${base}/draw`} label="rounds.draw" help="rounds.drawHelp" confirm>
            <label for="publicRandom">{t('rounds.publicRandom')}</label>
            <input id="publicRandom" name="publicRandom" required maxlength={500} autocomplete="off" />
            <label for="source">{t('rounds.publicRandomSource')}</label>
            <input id="source" name="source" maxlength={200} />
          </ActionForm>
        </section>
      )}
      {(round.status === 'drawn' || round.status === 'closed') && (
        <section class="panel">
          <h2>{t('rounds.open')}</h2>
          <ActionForm c={c} action={`${base}/open`} label="rounds.open" />
        </section>
      )}
      {round.status === 'open' && (
        <section class="panel">
          <h2>{t('rounds.close')}</h2>
          <ActionForm c={c} action={`${base}/close`} label="rounds.close" confirm danger />
        </section>
      )}
      {turnout.length > 0 && <TurnoutTable c={c} rows={turnout} />}
      {paper.length > 0 && <ReconciliationTable c={c} rows={paper} />}
      {round.drawn_at && (
        <section class="panel">
          <h2>{t('rounds.links')}</h2>
          <p class="row">
            <a class="button" href={`${base}/links.csv`} download={`links-${round.year}.csv`}>
              {t('rounds.linksCsv')}
            </a>
            <a class="button" href={`${base}/links.xlsx`} download={`links-${round.year}.xlsx`}>
              {t('sheets.xlsx')}
            </a>
            <a class="button" href={`${base}/letters`}>
              {t('rounds.letters')}
            </a>
            <a class="button" href={`${base}/sms.csv`} download={`sms-${round.year}.csv`}>
              {t('codes.sms.download')}
            </a>
            <a class="button" href={`${base}/sms.csv?unused=1`} download={`sms-${round.year}-unused.csv`}>
              {t('codes.sms.downloadUnused')}
            </a>
            <a class="button" href={`${base}/sms.xlsx`} download={`sms-${round.year}.xlsx`}>
              {t('codes.sms.download')} · {t('sheets.xlsx')}
            </a>
            <a class="button" href={`${base}/sms.xlsx?unused=1`} download={`sms-${round.year}-unused.xlsx`}>
              {t('codes.sms.downloadUnused')} · {t('sheets.xlsx')}
            </a>
          </p>
        </section>
      )}
      {seated && (
        <>
          <section class="panel">
            <h2>{t('rounds.replace')}</h2>
            <ActionForm c={c} action={`${base}/replace`} label="rounds.replace" help="rounds.replaceHelp" confirm>
              <label for="code">{t('rounds.replaceCode')}</label>
              <input id="code" name="code" required maxlength={32} autocomplete="off" />
              <label for="reason">{t('rounds.replaceReason')}</label>
              <input id="reason" name="reason" required maxlength={200} />
            </ActionForm>
          </section>
          <section class="panel">
            <h2>{t('rounds.reissue')}</h2>
            <ActionForm c={c} action={`${base}/reissue`} label="rounds.reissue" help="rounds.reissueHelp" confirm>
              <label for="reissue-code">{t('rounds.replaceCode')}</label>
              <input id="reissue-code" name="code" required maxlength={32} autocomplete="off" />
            </ActionForm>
          </section>
        </>
      )}
      <section class="panel">
        <h2>{t('rounds.settings')}</h2>
        {round.status !== 'draft' && <p class="hint">{t('rounds.settingsLocked')}</p>}
        <SettingsForm
          c={c}
          action={`${base}/settings`}
          values={settingsOf(round)}
          design={extra.design}
          locked={round.status !== 'draft'}
          problems={extra.problems}
        />
      </section>
    </>,
  );
}

/** Runs a lifecycle verb; a refusal re-renders the round page with the reason (422), success redirects. */
async function act<T>(
  c: Ctx,
  run: (round: Round, form: FormFields, actor: string) => Promise<Outcome<T>>,
  done: (v: T, form: FormFields) => string,
  needsConfirm = false,
) {
  const round = await roundOr404(c);
  const form = await formFields(c);
  if (needsConfirm && form.confirm !== '1') throw new AppError('bad_request');
  const outcome = await run(round, form, currentAdmin(c).username);
  if (!outcome.ok) return RoundPage(c, round, { problems: outcome.problems, status: 422 });
  return c.redirect(`/admin/rounds/${round.year}?done=${done(outcome.value, form)}`, 303);
}

/** The console's round pages: create, settings, freeze, draw, replace, re-issue, links, letters, open, close. */
/** The links of a drawn round as a download: an audited export. */
async function exportLinks(c: Ctx, format: TableFormat) {
  const round = await roundOr404(c);
  if (!round.drawn_at) throw new AppError('not_found', { message: 'rounds.error.notDrawn', params: { year: round.year } });
  const { table, count } = await linksTable(c.get('db'), round, c.get('config'));
  const file = await tableDownload(table, format, `links-${round.year}`);
  return recordExport(c.get('db'), c.get('audit'), currentAdmin(c).username, 'links', { year: round.year, rows: count }, () =>
    c.body(file.body, 200, file.headers),
  );
}

async function exportSms(c: Ctx, format: TableFormat) {
  const round = await roundOr404(c);
  if (!round.drawn_at) throw new AppError('not_found', { message: 'rounds.error.notDrawn', params: { year: round.year } });
  const unusedOnly = c.req.query('unused') === '1';
  const list = await smsList(c.get('db'), round, c.get('config'), { unusedOnly });
  if (!list.ok) throw new AppError('invalid', { message: list.problems[0]?.key, params: list.problems[0]?.params });
  const { table, count } = list.value;
  const file = await tableDownload(table, format, `sms-${round.year}${unusedOnly ? '-unused' : ''}`);
  const detail = { year: round.year, rows: count, ...(unusedOnly && { unused: true }) };
  return recordExport(c.get('db'), c.get('audit'), currentAdmin(c).username, 'sms', detail, () => c.body(file.body, 200, file.headers));
}

export const roundConsole = new Hono<AppEnv>()
  .get('/', (c) => ListPage(c))
  .post('/', async (c) => {
    const t = c.get('t');
    const input = settingsInput(await formFields(c));
    const parsed = parseSettings(input, c.get('config').timeZone, (y) => t('rounds.defaultTitle', { year: y }));
    if (!parsed.ok) return ListPage(c, { problems: parsed.problems, values: input, status: 422 });
    const created = await createRound(c.get('db'), c.get('audit'), parsed.settings, currentAdmin(c).username);
    if (!created.ok) return ListPage(c, { problems: created.problems, values: input, status: 422 });
    return c.redirect(`/admin/rounds/${created.value.year}?done=created`, 303);
  })
  .get('/:year', async (c) => RoundPage(c, await roundOr404(c)))
  .post('/:year/settings', async (c) => {
    const round = await roundOr404(c);
    const t = c.get('t');
    const input = settingsInput(await formFields(c));
    const parsed = parseSettings(input, c.get('config').timeZone, (y) => t('rounds.defaultTitle', { year: y }), settingsOf(round));
    if (!parsed.ok) return RoundPage(c, round, { problems: parsed.problems, status: 422, design: input.design });
    const saved = await updateRoundSettings(c.get('db'), c.get('audit'), round.year, parsed.settings, currentAdmin(c).username);
    if (!saved.ok) return RoundPage(c, round, { problems: saved.problems, status: 422 });
    return c.redirect(`/admin/rounds/${round.year}?done=saved`, 303);
  })
  .post('/:year/freeze', (c) =>
    act(
      c,
      (r, _f, actor) => freezeRound(c.get('db'), c.get('audit'), r.year, c.get('config').minPool, actor),
      () => 'frozen',
      true,
    ),
  )
  .post('/:year/draw', (c) =>
    act(
      c,
      (r, f, actor) =>
        drawRound(
          c.get('db'),
          c.get('audit'),
          { year: r.year, publicRandom: f.publicRandom ?? '', source: f.source ?? '', secret: c.get('config').secret },
          actor,
        ),
      (v) => `drawn&n=${Object.values(v.allocation).reduce((a, b) => a + b, 0)}`,
      true,
    ),
  )
  .post('/:year/replace', (c) =>
    act(
      c,
      (r, f, actor) =>
        replaceMember(
          c.get('db'),
          c.get('audit'),
          { year: r.year, code: (f.code ?? '').trim(), reason: f.reason ?? '', secret: c.get('config').secret, timeZone: c.get('config').timeZone },
          actor,
        ),
      (v, f) => `replaced&out=${encodeURIComponent((f.code ?? '').trim())}&in=${encodeURIComponent(v.in)}`,
      true,
    ),
  )
  .post('/:year/reissue', (c) =>
    act(
      c,
      (r, f, actor) => reissueLink(c.get('db'), c.get('audit'), { year: r.year, code: (f.code ?? '').trim(), secret: c.get('config').secret }, actor),
      (_v, f) => `reissued&code=${encodeURIComponent((f.code ?? '').trim())}`,
      true,
    ),
  )
  .post('/:year/open', (c) =>
    act(
      c,
      (r, _f, actor) => openRound(c.get('db'), c.get('audit'), r.year, actor),
      () => 'opened',
    ),
  )
  .post('/:year/close', (c) =>
    act(
      c,
      (r, _f, actor) => closeRound(c.get('store'), c.get('audit'), r.year, actor),
      () => 'closed',
      true,
    ),
  )
  .get('/:year/links.csv', (c) => exportLinks(c, 'csv'))
  .get('/:year/links.xlsx', (c) => exportLinks(c, 'xlsx'))
  .get('/:year/sms.csv', (c) => exportSms(c, 'csv'))
  .get('/:year/sms.xlsx', (c) => exportSms(c, 'xlsx'))
  .get('/:year/letters', async (c) => {
    const t = c.get('t');
    const round = await roundOr404(c);
    if (!round.drawn_at) throw new AppError('not_found', { message: 'rounds.error.notDrawn', params: { year: round.year } });
    const unusedOnly = c.req.query('unused') === '1';
    const list = await invitations(c.get('db'), round, c.get('config'), { unusedOnly });
    const deadline = formatDateTime(round.closes_at, c.get('config').timeZone);
    const detail = { year: round.year, rows: list.length, ...(unusedOnly && { unused: true }) };
    return recordExport(c.get('db'), c.get('audit'), currentAdmin(c).username, 'letters', detail, () =>
      consolePage(
        c,
        { title: t('letters.title', { n: list.length }) },
        <>
          <div class="screen-only">
            <h1>{t('letters.title', { n: list.length })}</h1>
            <p>{t('letters.printHint')}</p>
            <p class="row">
              <a href={`/admin/rounds/${round.year}/letters${unusedOnly ? '' : '?unused=1'}`}>{unusedOnly ? t('common.all') : t('letters.unusedOnly')}</a>
              <a href={`/admin/rounds/${round.year}`}>{t('common.back')}</a>
            </p>
          </div>
          {list.map((inv) => (
            <article class="letter">
              <h2>{round.title}</h2>
              <p>{t('letters.dear', { name: inv.name })}</p>
              <p>{t('letters.body1', { title: round.title })}</p>
              <p>{t('letters.body2')}</p>
              <p>
                <strong>{t('letters.deadline', { deadline })}</strong>
              </p>
              <p>{t('letters.how')}</p>
              <div class="qr-box">{raw(qrSvg(inv.url, t('letters.qrLabel')))}</div>
              <p class="letter-url">
                <code>{inv.url}</code>
              </p>
              <p class="letter-code">
                <span class="letter-code-label">{t('codes.letter.code')}</span>
                <strong class="short-code">{groupedCode(inv.shortCode)}</strong>
              </p>
              <p>{t('codes.letter.short', { url: `${c.get('config').baseUrl}/k` })}</p>
              <p class="hint">{t('letters.code', { code: inv.code })}</p>
              <p>{t('letters.thanks')}</p>
              <p class="sender">{t('letters.sender')}</p>
            </article>
          ))}
        </>,
      ),
    );
  });
