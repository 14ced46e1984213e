import { Hono } from 'hono';
import { consolePage, DataTable } from '../admin/console-view.js';
import { currentAdmin } from '../admin/guard.js';
import { recordExport } from '../audit/log.js';
import { tableDownload, type TableFormat } from '../sheets/write.js';
import type { AppEnv, Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { JsonData } from '../http/layout.js';
import { invitations, invitationTable, type Invitation } from '../links/invitations.js';
import { findRound, turnoutByStratum, type Round } from '../rounds/rounds.js';
import { TurnoutTable } from '../rounds/views.js';
import { turnoutByDay, turnoutByDistrict } from './turnout.js';

/** The round of the path's year, once drawn; 404 otherwise. */
export async function drawnRound(c: Ctx): Promise<Round> {
  const y = c.req.param('year') ?? '';
  const round = /^\d{4}$/.test(y) ? await findRound(c.get('db'), Number(y)) : undefined;
  if (!round) throw new AppError('not_found', { message: 'rounds.error.notFound', params: { year: y.slice(0, 4) } });
  if (!round.drawn_at) throw new AppError('not_found', { message: 'rounds.error.notDrawn', params: { year: round.year } });
  return round;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '—');

/** The links between a round's console pages about its representatives' answers. */
export function SubNav(props: { c: Ctx; round: Round }) {
  const t = props.c.get('t');
  const base = `/admin/rounds/${props.round.year}`;
  return (
    <p class="row">
      <a href={base}>{props.round.year}</a>
      <a href={`${base}/turnout`}>{t('nav.turnout')}</a>
      <a href={`${base}/missing`}>{t('nav.missing')}</a>
      <a href={`${base}/comments`}>{t('nav.comments')}</a>
    </p>
  );
}

/** The console's view of a round in progress: turnout and who has not answered yet (comments: rectification/). */
export const surveyConsole = new Hono<AppEnv>()
  .get('/:year/turnout', async (c) => {
    const t = c.get('t');
    const round = await drawnRound(c);
    const db = c.get('db');
    const strata = await turnoutByStratum(db, round);
    const districts = await turnoutByDistrict(db, round);
    const days = await turnoutByDay(db, round);
    const seats = strata.reduce((n, r) => n + r.seats, 0);
    const answered = strata.reduce((n, r) => n + r.answered, 0);
    // A paper ballot carries its batch's stratum and nothing of its seat, so the districts count online ballots only.
    const onPaper = answered - districts.reduce((n, r) => n + r.answered, 0);
    return consolePage(
      c,
      { title: t('turnout.title', { year: round.year }), scripts: ['vendor/chart.js', 'js/chart-style.js', 'js/turnout-chart.js'] },
      <>
        <h1>{t('turnout.title', { year: round.year })}</h1>
        <SubNav c={c} round={round} />
        <p class="lead">{t('turnout.overall', { answered, seats, rate: pct(answered, seats) })}</p>
        <TurnoutTable c={c} rows={strata} />
        <TurnoutTable
          c={c}
          rows={districts.map((d) => ({ stratum: d.label ?? '', seats: d.seats, answered: d.answered }))}
          caption="turnout.byDistrict"
          head="pool.district"
          missing={t('pool.noDistrict')}
        />
        {onPaper > 0 && <p class="hint">{t('turnout.paperNoDistrict', { n: onPaper })}</p>}
        <h2>{t('turnout.byDay')}</h2>
        {days.length === 0 ? (
          <p>{t('turnout.none')}</p>
        ) : (
          <>
            <div class="chart-box">
              <canvas id="turnout-chart" role="img" aria-label={t('turnout.chartAlt')}></canvas>
            </div>
            <JsonData id="turnout-data" data={{ labels: days.map((d) => d.date), counts: days.map((d) => d.count), label: t('turnout.count') }} />
            <DataTable
              columns={[
                { head: t('turnout.date'), cell: (d: { date: string; count: number }) => d.date },
                { head: t('turnout.count'), cell: (d: { date: string; count: number }) => d.count, num: true },
              ]}
              rows={days}
            />
          </>
        )}
      </>,
    );
  })
  .get('/:year/missing', async (c) => {
    const t = c.get('t');
    const round = await drawnRound(c);
    const list = await invitations(c.get('db'), round, c.get('config'), { unusedOnly: true });
    return consolePage(
      c,
      { title: t('missing.title', { year: round.year, n: list.length }) },
      <>
        <h1>{t('missing.title', { year: round.year, n: list.length })}</h1>
        <SubNav c={c} round={round} />
        <p class="hint">{t('pool.personalData')}</p>
        <p class="row">
          <a class="button" href={`/admin/rounds/${round.year}/missing.csv`} download={`reminders-${round.year}.csv`}>
            {t('missing.csv')}
          </a>
          <a class="button" href={`/admin/rounds/${round.year}/missing.xlsx`} download={`reminders-${round.year}.xlsx`}>
            {t('sheets.xlsx')}
          </a>
          <a class="button" href={`/admin/rounds/${round.year}/letters?unused=1`}>
            {t('missing.letters')}
          </a>
        </p>
        <DataTable
          columns={[
            { head: t('pool.code'), cell: (i: Invitation) => <code>{i.code}</code> },
            { head: t('pool.name'), cell: (i: Invitation) => i.name },
            { head: t('pool.stratum'), cell: (i: Invitation) => i.stratum },
            { head: t('pool.district'), cell: (i: Invitation) => i.district ?? '' },
            { head: t('pool.phone'), cell: (i: Invitation) => (i.phone ? <a href={`tel:${i.phone.replace(/[^\d+]/g, '')}`}>{i.phone}</a> : '') },
            { head: t('pool.email'), cell: (i: Invitation) => i.email ?? '' },
          ]}
          rows={list}
        />
      </>,
    );
  })
  .get('/:year/missing.csv', (c) => exportMissing(c, 'csv'))
  .get('/:year/missing.xlsx', (c) => exportMissing(c, 'xlsx'));

/** The representatives who have not answered, with their links, as a download for reminders: an audited export. */
async function exportMissing(c: Ctx, format: TableFormat) {
  const round = await drawnRound(c);
  const list = await invitations(c.get('db'), round, c.get('config'), { unusedOnly: true });
  const file = await tableDownload(invitationTable(list, `reminders ${round.year}`), format, `reminders-${round.year}`);
  return recordExport(c.get('db'), c.get('audit'), currentAdmin(c).username, 'missing', { year: round.year, rows: list.length }, () =>
    c.body(file.body, 200, file.headers),
  );
}
