// The published results page `/results/{year}` (README, Web pages and routes). The tables are the source: they hold every figure and
// work with JavaScript off; web/js/results.js draws the charts from the embedded JSON and makes the table sortable
// and the categories tabs. Printed, only the heading and the ranking table remain, on one A4 page.
import type { Ctx } from '../http/context.js';
import { JsonData } from '../http/layout.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';
import { formatDateTime } from '../time.js';
import { drawnTurnout, fmtInterval, fmtNumber, fmtPercent, scoreDecimals, type PublishedYear } from './public-data.js';
import { DesignMethod, IndicatorsSection, ReasonsSection, StrataSection } from './public-design.js';
import { FollowUpLink } from './public-followup-link.js';
import { BottomThree, browserWords, Flags, KeyFigures, MethodBox, TwoYears, unitHref } from './public-parts.js';
import type { ResultsDocument } from './snapshot.js';

export interface VersionRow {
  version: number;
  published_at: string;
  note: string | null;
  sha256: string;
}

export interface ResultsPageProps {
  c: Ctx;
  doc: ResultsDocument;
  sha256: string;
  versions: VersionRow[];
  latest: number;
  categories: string[];
  years: PublishedYear[];
}

export function ResultsPage(p: ResultsPageProps) {
  const { c, doc } = p;
  const t = c.get('t');
  const tz = c.get('config').timeZone;
  const decimals = scoreDecimals(doc.units);
  const ranked = doc.units.filter((u) => u.ranked);
  const isLatest = doc.version === p.latest;
  const q = isLatest ? '' : `?version=${doc.version}`;
  const base = `/results/${doc.year}`;
  // What the charts draw: the open data's own fields, units exactly as published (receipts are on their own page).
  const chartData = {
    year: doc.year,
    version: doc.version,
    scale: doc.scale,
    points: doc.points,
    bottomScope: doc.bottomScope,
    units: doc.units,
    ...(doc.indicators && { indicators: doc.indicators }),
  };
  const items = (doc.indicators?.length ?? 0) > 1;
  const toc: [string, MessageKey][] = [
    ['ranking', 'public.results.ranking'],
    ['charts', 'public.charts'],
    ...(items ? [['indicators', 'public.indicators.heading'] as [string, MessageKey]] : []),
    ...(doc.reasons?.length ? [['reasons', 'public.reasons.heading'] as [string, MessageKey]] : []),
    ...(doc.indicators ? [['strata', 'public.strata.heading'] as [string, MessageKey]] : []),
    ['turnout', 'public.turnoutHeading'],
    ['method', 'public.method'],
    // The check reads the published file: a draft (the console's preview) has none yet.
    ...(p.sha256 ? [['check', 'public.check.heading'] as [string, MessageKey]] : []),
    ['downloads', 'public.downloads'],
    ['versions', 'public.versions'],
  ];
  return (
    <article class="results-page">
      <h1 class="print-keep">{t('public.results.title', { year: doc.year })}</h1>
      <p class="lead print-keep">{doc.title}</p>
      <p class="meta print-keep">{t('public.results.version', { version: doc.version, date: formatDateTime(doc.publishedAt, tz) })}</p>
      {!isLatest && (
        <div class="warning">
          <p>{t('public.results.oldVersion', { version: doc.version })}</p>
          <p>
            <a href={base}>{t('public.results.toLatest', { version: p.latest })}</a>
          </p>
        </div>
      )}
      {doc.note && <p class="notice">{t('public.results.note', { note: doc.note })}</p>}

      <nav class="page-toc" aria-label={t('public.results.contents')}>
        {toc.map(([id, key]) => (
          <a href={`#${id}`}>{t(key)}</a>
        ))}
      </nav>

      <KeyFigures t={t} doc={doc} />

      <TwoYears t={t} doc={doc} />
      <BottomThree t={t} doc={doc} decimals={decimals} />
      {p.versions.length > 0 && <FollowUpLink t={t} year={doc.year} />}

      <section id="ranking" class="print-keep" aria-labelledby="ranking-h">
        <h2 id="ranking-h">{t('public.results.ranking')}</h2>
        <p class="hint">{t('public.results.rankingHint')}</p>
        <p class="hint js-only" hidden>
          {t('public.results.interactHint')}
        </p>
        {/* biome-ignore lint/a11y/useSemanticElements: a row of buttons, not form fields (a fieldset would need a legend) */}
        <div class="tabs js-only" role="group" aria-label={t('public.results.showCategory')} hidden>
          <button type="button" class="tab" data-category="" aria-pressed="true">
            {t('public.results.allCategories')}
          </button>
          {p.categories.map((cat) => (
            <button type="button" class="tab" data-category={cat} aria-pressed="false">
              {cat}
            </button>
          ))}
        </div>
        <RankingTable t={t} doc={doc} decimals={decimals} />
        <p class="print-note">{t('public.printNote', { url: `${c.get('config').baseUrl}${base}${q}`, sha: p.sha256 })}</p>
      </section>

      <section id="charts" aria-labelledby="charts-h">
        <h2 id="charts-h">{t('public.charts')}</h2>
        <noscript>
          <p class="hint">{t('public.chart.noScript')}</p>
        </noscript>
        <p class="hint js-only" hidden>
          {t('public.chart.followsTabs')}
        </p>
        <h3 class="js-only" hidden>
          {t('public.chart.scores')}
        </h3>
        <p class="chart-legend js-only" hidden>
          {t('public.chart.legend')}
        </p>
        <div class="chart-box chart-scores js-only" hidden>
          <canvas id="score-chart" role="img" aria-label={t('public.chart.scoresAlt', { n: ranked.length })}></canvas>
        </div>
        {doc.scale === 'satisfaction4' && !items && (
          <>
            <h3 class="js-only" hidden>
              {t('public.chart.answers')}
            </h3>
            <div class="chart-box chart-answers js-only" hidden>
              <canvas id="answers-chart" role="img" aria-label={t('public.chart.answersAlt')}></canvas>
            </div>
          </>
        )}
      </section>

      <IndicatorsSection t={t} doc={doc} />
      <ReasonsSection t={t} doc={doc} />
      <StrataSection t={t} doc={doc} />
      <Turnout t={t} doc={doc} />
      <MethodBox t={t} doc={doc}>
        <DesignMethod t={t} doc={doc} />
      </MethodBox>

      {p.sha256 && (
        <section id="check" class="results-check" aria-labelledby="check-h">
          <h2 id="check-h">{t('public.check.heading')}</h2>
          <p>{t('public.check.text')}</p>
          <button type="button" id="results-check" class="primary" hidden data-json-url={`${base}.json${q}`}>
            {t('public.check.button')}
          </button>
          <p id="results-check-nojs" class="hint">
            {t('public.check.nojs')}
          </p>
          <div id="results-check-result" class="verdict" role="status" aria-live="polite"></div>
          <p>{t('public.check.cli')}</p>
          <pre class="command">
            <code>{`npm run cli -- verify-results results-${doc.year}.json${doc.previousYear === null ? '' : ` --previous results-${doc.previousYear}.json`}`}</code>
          </pre>
        </section>
      )}

      <section id="downloads" aria-labelledby="downloads-h">
        <h2 id="downloads-h">{t('public.downloads')}</h2>
        <ul class="downloads">
          <li>
            <a class="button" href={`${base}.json${q}`} type="application/json">
              {t('public.download.json', { version: doc.version })}
            </a>
          </li>
          <li>
            <a class="button" href={`${base}.csv${q}`} download={`results-${doc.year}-v${doc.version}.csv`} type="text/csv">
              {t('public.download.csv', { version: doc.version })}
            </a>
          </li>
          <li>
            <a
              class="button"
              href={`${base}.xlsx${q}`}
              download={`results-${doc.year}-v${doc.version}.xlsx`}
              type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            >
              {t('sheets.xlsxVersion', { version: doc.version })}
            </a>
          </li>
          <li>
            <a class="button" href={`${base}/receipts${q}`}>
              {t('public.download.receipts')}
            </a>
          </li>
        </ul>
        <p>
          {t('public.download.sha')} <code class="hash">{p.sha256}</code>
        </p>
        <p class="hint">{t('public.download.check')}</p>
      </section>

      <section id="versions" aria-labelledby="versions-h">
        <h2 id="versions-h">{t('public.versions')}</h2>
        <ol class="versions">
          {[...p.versions].reverse().map((v) => (
            <li>
              {v.version === doc.version ? (
                <strong>
                  {t('public.versionItem', { version: v.version, date: formatDateTime(v.published_at, tz) })} {t('public.versionCurrent')}
                </strong>
              ) : (
                <a href={v.version === p.latest ? base : `${base}?version=${v.version}`}>
                  {t('public.versionItem', { version: v.version, date: formatDateTime(v.published_at, tz) })}
                </a>
              )}
              <span class="version-note">{v.note ?? t('public.versionFirst')}</span>
            </li>
          ))}
        </ol>
      </section>

      {p.years.length > 1 && (
        <nav class="years" aria-label={t('public.otherYears')}>
          <h2>{t('public.otherYears')}</h2>
          <ul>
            {p.years.map((y) =>
              y.year === doc.year ? (
                <li>
                  <strong>{y.year}</strong>
                </li>
              ) : (
                <li>
                  <a href={`/results/${y.year}`}>{y.year}</a>
                </li>
              ),
            )}
          </ul>
        </nav>
      )}

      <JsonData id="results-data" data={chartData} />
      <JsonData id="results-meta" data={{ categories: p.categories, decimals: Object.fromEntries(decimals), words: browserWords(t) }} />
    </article>
  );
}

/**
 * The ranking: every unit in rank order, unranked ones last. Kept lean (no classes on cells: the stylesheet aligns
 * them by table) because this is most of the page's bytes; rows are in the order of the embedded units, which is
 * how web/js/results.js matches them when it sorts and filters.
 */
function RankingTable({ t, doc, decimals }: { t: Translate; doc: ResultsDocument; decimals: Map<string, number> }) {
  // Answer counts per unit exist for one question per unit; with several items they are in the items' figures.
  const counts = doc.scale === 'satisfaction4' && (doc.indicators?.length ?? 1) === 1;
  const col = (key: MessageKey, sort?: string) => (
    <th scope="col" data-sort={sort}>
      {t(key)}
    </th>
  );
  return (
    <div class="table-wrap">
      <table class={counts ? 'ranking' : 'ranking score100'} id="ranking-table">
        <caption>{t('public.results.caption', { year: doc.year, n: doc.units.length })}</caption>
        <thead>
          <tr>
            {col('public.col.rank', 'rank')}
            {col('public.col.unit', 'name')}
            {col('public.col.score', 'score')}
            {col('public.col.scoreInterval')}
            {col('public.col.rankInterval')}
            {col('public.col.rate', 'satisfactionRate')}
            {counts ? (
              <>
                {col('public.col.satisfied', 'satisfied')}
                {col('public.col.basic', 'basic')}
                {col('public.col.dissatisfied', 'dissatisfied')}
              </>
            ) : (
              col('public.col.valid', 'valid')
            )}
            {col('public.col.unknown', 'unknown')}
            {col('public.col.category', 'category')}
            {col('public.col.categoryRank', 'categoryRank')}
          </tr>
        </thead>
        <tbody>
          {doc.units.map((u) => {
            const d = decimals.get(u.code) ?? 2;
            return (
              <tr class={u.bottom3TwoYears ? 'b3 two' : u.bottom3 ? 'b3' : !u.ranked ? 'unranked' : undefined}>
                <td>{u.rank ?? '—'}</td>
                <th scope="row">
                  <a href={unitHref(u.code)}>{u.name}</a>
                  <Flags t={t} u={u} />
                </th>
                <td>{fmtNumber(u.score, d)}</td>
                <td>{fmtInterval(u.scoreInterval, d)}</td>
                <td>{u.rankInterval ? `${u.rankInterval[0]}–${u.rankInterval[1]}` : '—'}</td>
                <td>{fmtPercent(u.satisfactionRate)}</td>
                {counts ? (
                  <>
                    <td>{u.counts?.satisfied ?? '—'}</td>
                    <td>{u.counts?.basic ?? '—'}</td>
                    <td>{u.counts?.dissatisfied ?? '—'}</td>
                  </>
                ) : (
                  <td>{u.valid}</td>
                )}
                <td>{u.unknown}</td>
                <td>{u.category}</td>
                <td>{u.categoryRank ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Turnout({ t, doc }: { t: Translate; doc: ResultsDocument }) {
  return (
    <section id="turnout" aria-labelledby="turnout-h">
      <h2 id="turnout-h">{t('public.turnoutHeading')}</h2>
      <p>{t('public.turnoutText', { sample: drawnTurnout(doc).drawn, ballots: doc.ballots, rate: fmtPercent(drawnTurnout(doc).turnout) })}</p>
      {doc.turnoutByStratum.length > 0 && (
        // biome-ignore lint/a11y/useSemanticElements: a scrolling box inside the section it belongs to, not a section
        <div class="table-wrap" role="region" tabindex={0} aria-labelledby="turnout-h">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('public.col.stratum')}</th>
                <th scope="col" class="num">
                  {t('public.col.seats')}
                </th>
                <th scope="col" class="num">
                  {t('public.col.stratumBallots')}
                </th>
                <th scope="col" class="num">
                  {t('public.col.turnout')}
                </th>
              </tr>
            </thead>
            <tbody>
              {doc.turnoutByStratum.map((s) => (
                <tr>
                  <th scope="row">{s.stratum}</th>
                  <td class="num">{s.seats}</td>
                  <td class="num">{s.ballots}</td>
                  <td class="num">{fmtPercent(s.turnout)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
