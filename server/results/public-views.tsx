// The published results page `/results/{year}` (SPEC §3.2). The tables are the source: they hold every figure and
// work with JavaScript off; web/js/results.js draws the charts from the embedded JSON and makes the table sortable
// and the categories tabs. Printed, only the heading and the ranking table remain, on one A4 page.
import type { Child } from 'hono/jsx';
import type { Ctx } from '../http/context.js';
import { JsonData } from '../http/layout.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';
import { publicMessages } from '../i18n/messages/public.js';
import { formatDateTime } from '../time.js';
import { fmtInterval, fmtNumber, fmtPercent, scoreDecimals, type PublishedUnit, type PublishedYear } from './public-data.js';
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

/** The words handed to the browser modules (`public.js.*` without the prefix). */
export function browserWords(t: Translate): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(publicMessages) as MessageKey[]).filter((k) => k.startsWith('public.js.')).map((k) => [k.slice('public.js.'.length), t(k)]),
  );
}

/** The flags of a unit as words with a symbol, so that colour is never the only signal (SPEC §4). */
export function Flags({ t, u }: { t: Translate; u: PublishedUnit }) {
  return (
    <>
      {u.bottom3 && (
        <span class="flag flag-b3">
          <span aria-hidden="true">▼ </span>
          {t('public.flag.bottom3')}
        </span>
      )}
      {u.bottom3TwoYears && (
        <span class="flag flag-two">
          <span aria-hidden="true">⚠ </span>
          {t('public.flag.twoYears')}
        </span>
      )}
      {!u.ranked && <span class="flag flag-unranked">{t('public.unranked')}</span>}
    </>
  );
}

const unitHref = (code: string) => `/units/${encodeURIComponent(code)}`;

export function ResultsPage(p: ResultsPageProps) {
  const { c, doc } = p;
  const t = c.get('t');
  const tz = c.get('config').timeZone;
  const decimals = scoreDecimals(doc.units);
  const ranked = doc.units.filter((u) => u.ranked);
  const isLatest = doc.version === p.latest;
  const q = isLatest ? '' : `?version=${doc.version}`;
  const base = `/results/${doc.year}`;
  const { receipts: _receipts, ...chartData } = doc;
  const toc: [string, MessageKey][] = [
    ['ranking', 'public.results.ranking'],
    ['charts', 'public.charts'],
    ['categories', 'public.categories'],
    ['turnout', 'public.turnoutHeading'],
    ['method', 'public.method'],
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

      <dl class="figures">
        <div>
          <dt>{t('public.results.ballots')}</dt>
          <dd>{t('public.results.ballotsOf', { ballots: doc.ballots, sample: doc.sampleSize })}</dd>
        </div>
        <div>
          <dt>{t('public.results.turnout')}</dt>
          <dd>{fmtPercent(doc.turnout)}</dd>
        </div>
        <div>
          <dt>{t('public.results.rankedUnits')}</dt>
          <dd>{t('public.results.rankedOf', { ranked: ranked.length, units: doc.units.length })}</dd>
        </div>
      </dl>

      <TwoYears t={t} doc={doc} />
      <BottomThree t={t} doc={doc} decimals={decimals} />

      <section id="ranking" class="print-keep" aria-labelledby="ranking-h">
        <h2 id="ranking-h">{t('public.results.ranking')}</h2>
        <p class="hint">{t('public.results.rankingHint')}</p>
        <RankingTable t={t} doc={doc} decimals={decimals} />
        <p class="print-note">{t('public.printNote', { url: `${c.get('config').baseUrl}${base}${q}`, sha: p.sha256 })}</p>
      </section>

      <section id="charts" aria-labelledby="charts-h">
        <h2 id="charts-h">{t('public.charts')}</h2>
        <noscript>
          <p class="hint">{t('public.chart.noScript')}</p>
        </noscript>
        <h3 class="js-only" hidden>
          {t('public.chart.scores')}
        </h3>
        <p class="chart-legend js-only" hidden>
          {t('public.chart.legend')}
        </p>
        <div class="chart-box chart-scores js-only" hidden>
          <canvas id="score-chart" role="img" aria-label={t('public.chart.scoresAlt', { n: ranked.length })}>
            {t('public.chart.scoresAlt', { n: ranked.length })}
          </canvas>
        </div>
      </section>

      <section id="categories" aria-labelledby="categories-h">
        <h2 id="categories-h">{t('public.categories')}</h2>
        <nav class="tabs" aria-label={t('public.categories')}>
          {p.categories.map((cat, i) => (
            <a href={`#cat-${i + 1}`} id={`tab-${i + 1}`} class="tab">
              {cat}
            </a>
          ))}
        </nav>
        {p.categories.map((cat, i) => (
          <CategoryPanel t={t} doc={doc} category={cat} index={i + 1} decimals={decimals} />
        ))}
      </section>

      <Turnout t={t} doc={doc} />
      <MethodBox t={t} doc={doc} />

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
                <a href={v.version === p.latest ? base : `${base}?version=${v.version}`}>{t('public.versionItem', { version: v.version, date: formatDateTime(v.published_at, tz) })}</a>
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

export function TwoYears({ t, doc }: { t: Translate; doc: ResultsDocument }) {
  const flagged = doc.units.filter((u) => u.bottom3TwoYears);
  if (doc.previousYear === null) return <p class="hint two-years-none">{t('public.results.twoYearsNoPrevious', { year: doc.year })}</p>;
  if (!flagged.length) return <p class="two-years-none">{t('public.results.twoYearsNone', { year: doc.year, previous: doc.previousYear })}</p>;
  return (
    <section class="callout two-years" aria-labelledby="two-years-h">
      <h2 id="two-years-h">
        <span aria-hidden="true">⚠ </span>
        {t('public.results.twoYearsHeading')}
      </h2>
      <p>{t('public.results.twoYearsText', { year: doc.year, previous: doc.previousYear })}</p>
      <ul>
        {flagged.map((u) => (
          <li>
            <a href={unitHref(u.code)}>{u.name}</a> · {u.category}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function BottomThree({ t, doc, decimals }: { t: Translate; doc: ResultsDocument; decimals: Map<string, number> }) {
  const flagged = doc.units.filter((u) => u.bottom3);
  if (!flagged.length) return null;
  return (
    <section class="bottom-three" aria-labelledby="bottom3-h">
      <h2 id="bottom3-h">
        <span aria-hidden="true">▼ </span>
        {t('public.results.bottom3')}{' '}
        <span class="count">{t(doc.bottomScope === 'overall' ? 'public.results.bottom3Overall' : 'public.results.bottom3Category')}</span>
      </h2>
      <ul>
        {flagged.map((u) => (
          <li>
            <a href={unitHref(u.code)}>{u.name}</a> · {t('public.col.rank')} {u.rank} · {t('public.col.score')} {fmtNumber(u.score, decimals.get(u.code) ?? 2)}
            {doc.bottomScope === 'category' && ` · ${u.category}`}
            {u.bottom3TwoYears && (
              <span class="flag flag-two">
                <span aria-hidden="true">⚠ </span>
                {t('public.flag.twoYears')}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function RankingTable({ t, doc, decimals }: { t: Translate; doc: ResultsDocument; decimals: Map<string, number> }) {
  return (
    <div class="table-wrap">
      <table class="ranking" id="ranking-table">
        <caption>{t('public.results.caption', { year: doc.year, n: doc.units.length })}</caption>
        <thead>
          <tr>
            <th scope="col" class="num" data-sort="num">
              {t('public.col.rank')}
            </th>
            <th scope="col" data-sort="text">
              {t('public.col.unit')}
            </th>
            <th scope="col" data-sort="text">
              {t('public.col.category')}
            </th>
            <th scope="col" class="num" data-sort="num">
              {t('public.col.score')}
            </th>
            <th scope="col" class="num">
              {t('public.col.scoreInterval')}
            </th>
            <th scope="col" class="num">
              {t('public.col.rankInterval')}
            </th>
            <th scope="col" class="num" data-sort="num">
              {t('public.col.rate')}
            </th>
            <th scope="col" class="num" data-sort="num">
              {t('public.col.valid')}
            </th>
            <th scope="col" class="num" data-sort="num">
              {t('public.col.unknown')}
            </th>
          </tr>
        </thead>
        <tbody>
          {doc.units.map((u) => {
            const d = decimals.get(u.code) ?? 2;
            return (
              <tr class={u.bottom3TwoYears ? 'b3 two' : u.bottom3 ? 'b3' : !u.ranked ? 'unranked' : undefined} data-code={u.code}>
                <td class="num rank" data-v={u.rank ?? ''}>
                  {u.rank ?? '—'}
                </td>
                <th scope="row" class="unit" data-v={u.name}>
                  <a href={unitHref(u.code)}>{u.name}</a>
                  <Flags t={t} u={u} />
                </th>
                <td class="category" data-v={u.category}>
                  {u.category}
                </td>
                <td class="num score" data-v={u.score ?? ''}>
                  {fmtNumber(u.score, d)}
                </td>
                <td class="num interval">{fmtInterval(u.scoreInterval, d)}</td>
                <td class="num interval">{u.rankInterval ? `${u.rankInterval[0]}–${u.rankInterval[1]}` : '—'}</td>
                <td class="num" data-v={u.satisfactionRate ?? ''}>
                  {fmtPercent(u.satisfactionRate)}
                </td>
                <td class="num" data-v={u.valid}>
                  {u.valid}
                </td>
                <td class="num" data-v={u.unknown}>
                  {u.unknown}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function CategoryPanel({ t, doc, category, index, decimals }: { t: Translate; doc: ResultsDocument; category: string; index: number; decimals: Map<string, number> }) {
  const units = doc.units.filter((u) => u.category === category);
  const counts = doc.scale === 'satisfaction4';
  return (
    <section id={`cat-${index}`} class="tab-panel" aria-labelledby={`cat-${index}-h`}>
      <h3 id={`cat-${index}-h`}>{category}</h3>
      <div class="table-wrap">
        <table class="category-table">
          <caption class="visually-hidden">{t('public.categoryCaption', { category, n: units.length })}</caption>
          <thead>
            <tr>
              <th scope="col" class="num">
                {t('public.col.categoryRank')}
              </th>
              <th scope="col">{t('public.col.unit')}</th>
              <th scope="col" class="num">
                {t('public.col.score')}
              </th>
              <th scope="col" class="num">
                {t('public.col.rate')}
              </th>
              {counts && (
                <>
                  <th scope="col" class="num">
                    {t('public.col.satisfied')}
                  </th>
                  <th scope="col" class="num">
                    {t('public.col.basic')}
                  </th>
                  <th scope="col" class="num">
                    {t('public.col.dissatisfied')}
                  </th>
                </>
              )}
              {!counts && (
                <th scope="col" class="num">
                  {t('public.col.valid')}
                </th>
              )}
              <th scope="col" class="num">
                {t('public.col.unknown')}
              </th>
            </tr>
          </thead>
          <tbody>
            {units.map((u) => (
              <tr class={u.bottom3 ? 'b3' : undefined}>
                <td class="num">{u.categoryRank ?? '—'}</td>
                <th scope="row" class="unit">
                  <a href={unitHref(u.code)}>{u.name}</a>
                  <Flags t={t} u={u} />
                </th>
                <td class="num">{fmtNumber(u.score, decimals.get(u.code) ?? 2)}</td>
                <td class="num">{fmtPercent(u.satisfactionRate)}</td>
                {counts && (
                  <>
                    <td class="num">{u.counts?.satisfied ?? '—'}</td>
                    <td class="num">{u.counts?.basic ?? '—'}</td>
                    <td class="num">{u.counts?.dissatisfied ?? '—'}</td>
                  </>
                )}
                {!counts && <td class="num">{u.valid}</td>}
                <td class="num">{u.unknown}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {counts && (
        <>
          <h4 class="js-only" hidden>
            {t('public.chart.answers', { category })}
          </h4>
          <div class="chart-box chart-answers js-only" hidden>
            <canvas class="answers-chart" data-category={category} role="img" aria-label={t('public.chart.answersAlt', { category })}>
              {t('public.chart.answersAlt', { category })}
            </canvas>
          </div>
        </>
      )}
    </section>
  );
}

function Turnout({ t, doc }: { t: Translate; doc: ResultsDocument }) {
  return (
    <section id="turnout" aria-labelledby="turnout-h">
      <h2 id="turnout-h">{t('public.turnoutHeading')}</h2>
      <p>{t('public.turnoutText', { sample: doc.sampleSize, ballots: doc.ballots, rate: fmtPercent(doc.turnout) })}</p>
      {doc.turnoutByStratum.length > 0 && (
        <div class="table-wrap">
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

/** The round's rules in a few lines: its points (or scale), the threshold, the scope of the bottom three, intervals. */
export function MethodBox({ t, doc }: { t: Translate; doc: ResultsDocument }): Child {
  const [p1, p2, p3] = doc.points;
  return (
    <section id="method" class="method-box" aria-labelledby="method-h">
      <h2 id="method-h">{t('public.method')}</h2>
      {doc.scale === 'satisfaction4' ? (
        <>
          <p>{t('about.points', { year: doc.year, p1, p2, p3 })}</p>
          <p class="formula">{t('about.formula', { p1, p2, p3 })}</p>
          <p>{t('about.rate')}</p>
        </>
      ) : (
        <p>{t('about.score100', { year: doc.year })}</p>
      )}
      <p>{t('public.method.minValid', { n: doc.minValid })}</p>
      <p>
        {t('public.method.scope')}
        {t(doc.bottomScope === 'overall' ? 'public.method.scopeOverall' : 'public.method.scopeCategory')}
      </p>
      <p>{t('public.method.intervals', { resamples: doc.intervals.resamples, method: doc.intervals.method })}</p>
      <p class="row">
        <a href="/about">{t('public.method.more')}</a>
        <a href={`/draw/${doc.year}`}>{t('public.method.draw')}</a>
      </p>
    </section>
  );
}
