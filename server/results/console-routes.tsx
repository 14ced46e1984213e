import { Hono } from 'hono';
import { consolePage, DataTable, Notice, ProblemList } from '../admin/console-view.js';
import { currentAdmin } from '../admin/guard.js';
import type { AppEnv, Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { formFields } from '../http/forms.js';
import { findRound, type Round } from '../rounds/rounds.js';
import { ActionForm } from '../rounds/views.js';
import { formatDateTime } from '../time.js';
import { problemText, type Problem } from '../validate.js';
import { publishResults } from './publish.js';
import { computeResults, type ResultsDocument } from './snapshot.js';
import { categoriesOf, roundCategories } from './public-data.js';
import { ResultsPage as PublicResultsPage } from './public-views.js';
import { MIN_STRATUM_BALLOTS, smallCategories } from './tally.js';

async function roundOr404(c: Ctx): Promise<Round> {
  const y = c.req.param('year') ?? '';
  const round = /^\d{4}$/.test(y) ? await findRound(c.get('db'), Number(y)) : undefined;
  if (!round) throw new AppError('not_found', { message: 'rounds.error.notFound', params: { year: y.slice(0, 4) } });
  return round;
}

function RankingTable(props: { c: Ctx; doc: ResultsDocument }) {
  const t = props.c.get('t');
  type Row = ResultsDocument['units'][number];
  return (
    <DataTable
      columns={[
        { head: t('results.console.rank'), cell: (u: Row) => u.rank ?? '—', num: true },
        { head: t('units.name'), cell: (u: Row) => u.name },
        { head: t('units.category'), cell: (u: Row) => u.category },
        { head: t('results.console.score'), cell: (u: Row) => (u.score === null ? '—' : u.score.toFixed(2)), num: true },
        { head: t('results.console.valid'), cell: (u: Row) => u.valid, num: true },
        {
          head: t('results.console.flags'),
          cell: (u: Row) => (
            <>
              {!u.ranked && t('results.console.unranked')}
              {u.bottom3TwoYears ? t('results.console.twoYears') : u.bottom3 ? t('results.console.bottom3') : ''}
            </>
          ),
        },
      ]}
      rows={props.doc.units}
    />
  );
}

async function ResultsPage(c: Ctx, round: Round, extra: { problems?: Problem[]; status?: 200 | 422 } = {}) {
  const t = c.get('t');
  const db = c.get('db');
  const base = `/admin/rounds/${round.year}`;
  const versions = await db
    .selectFrom('published_results')
    .select(['version', 'published_at', 'note', 'sha256'])
    .where('round_id', '=', round.id)
    .orderBy('version')
    .execute();
  const canPublish = round.status === 'closed' || round.status === 'published';
  const draft = canPublish
    ? await computeResults(db, round, { version: versions.length + 1, publishedAt: c.get('clock').now().toISOString(), note: null })
    : undefined;
  const small = draft ? smallCategories({ bottomScope: round.bottom_scope, units: draft.units }, draft.units) : [];
  // A weighted round publishes every stratum's answer counts: a stratum of a few ballots would all but show them.
  const thin = draft?.strataWeights ? draft.turnoutByStratum.filter((s) => s.ballots > 0 && s.ballots < MIN_STRATUM_BALLOTS) : [];
  const done =
    c.req.query('done') === 'published'
      ? t('results.published', { year: round.year, version: c.req.query('version') ?? '', sha: c.req.query('sha') ?? '' })
      : undefined;
  return consolePage(
    c,
    {
      title: t('results.console.title', { year: round.year }),
      status: extra.status,
      path: `${base}/results`,
      scripts: draft ? ['vendor/chart.js', 'js/chart-style.js', 'js/results.js'] : [],
    },
    <>
      <h1>{t('results.console.title', { year: round.year })}</h1>
      <p class="row">
        <a href={base}>{round.year}</a>
        {versions.length > 0 && <a href={`/results/${round.year}`}>{t('results.console.publicPage')}</a>}
      </p>
      <Notice text={done} />
      <ProblemList c={c} problems={(extra.problems ?? []).map((p) => problemText(t, p))} />
      {versions.length > 0 && (
        <section>
          <h2>{t('results.console.versions')}</h2>
          <ul>
            {versions.map((v) => (
              <li>
                <a href={`/results/${round.year}?version=${v.version}`}>{t('results.console.version', { version: v.version })}</a> ·{' '}
                {formatDateTime(v.published_at, c.get('config').timeZone)}
                {v.note && <> · {v.note}</>} · <code class="wrap">{v.sha256}</code>
              </li>
            ))}
          </ul>
        </section>
      )}
      {!canPublish && <p>{t('results.console.notClosed')}</p>}
      {draft && (
        <>
          <section class="panel draft">
            <h2>{t('results.console.draft')}</h2>
            {small.map((s) => (
              <p class="alert" role="alert">
                {t('results.console.smallCategory', { category: s.category, n: s.ranked })}
              </p>
            ))}
            {thin.map((s) => (
              <p class="alert" role="alert">
                {t('results.console.thinStratum', { stratum: s.stratum, n: s.ballots, min: MIN_STRATUM_BALLOTS })}
              </p>
            ))}
            <RankingTable c={c} doc={draft} />
          </section>
          {/* The public page as it will look, marked as a draft (its downloads exist only once published). */}
          <section class="draft-preview" aria-label={t('results.console.draft')}>
            <p class="alert">{t('results.console.draft')}</p>
            <PublicResultsPage
              c={c}
              doc={draft}
              sha256=""
              versions={[]}
              latest={draft.version}
              categories={categoriesOf(draft, await roundCategories(db, round.id))}
              years={[]}
            />
          </section>
          <section class="panel">
            <h2>{versions.length ? t('results.console.correct') : t('results.console.publish')}</h2>
            <ActionForm
              c={c}
              action={`${base}/publish`}
              label={versions.length ? 'results.console.correct' : 'results.console.publish'}
              help="results.console.publishHelp"
              confirm
            >
              <label for="note">{t('results.console.note')}</label>
              <textarea id="note" name="note" rows={3} maxlength={1000} required={versions.length > 0}></textarea>
            </ActionForm>
          </section>
        </>
      )}
    </>,
  );
}

/** The console's results: a draft preview, the published versions, publishing and corrections. */
export const resultsConsole = new Hono<AppEnv>()
  .get('/:year/results', async (c) => ResultsPage(c, await roundOr404(c)))
  .post('/:year/publish', async (c) => {
    const round = await roundOr404(c);
    const form = await formFields(c);
    if (form.confirm !== '1') throw new AppError('bad_request');
    const r = await publishResults(c.get('db'), c.get('audit'), { year: round.year, note: form.note ?? '' }, currentAdmin(c).username);
    if (!r.ok) return ResultsPage(c, (await findRound(c.get('db'), round.year)) as Round, { problems: r.problems, status: 422 });
    return c.redirect(`/admin/rounds/${round.year}/results?done=published&version=${r.value.version}&sha=${r.value.sha256}`, 303);
  });
