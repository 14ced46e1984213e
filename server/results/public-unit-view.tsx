// `/units/{code}`: one unit across the published years. The table is the source; web/js/unit-history.js draws
// score and rank as line charts from the embedded JSON (the unit's entries of each year's open data).
import type { Child } from 'hono/jsx';
import type { Ctx } from '../http/context.js';
import { JsonData } from '../http/layout.js';
import { fmtInterval, fmtNumber, fmtPercent, scoreDecimals, type PublishedUnit } from './public-data.js';
import { UnitItems } from './public-design.js';
import { browserWords, Flags } from './public-parts.js';
import type { ResultsDocument } from './snapshot.js';

export interface UnitYear {
  doc: ResultsDocument;
  /** The unit's published entry that year; null when it was not in that year's round. */
  unit: PublishedUnit | null;
}

export function UnitPage({
  c,
  code,
  name,
  category,
  history,
  children,
}: {
  c: Ctx;
  code: string;
  name: string;
  category: string;
  history: UnitYear[];
  /** What other capabilities add about the unit (its rectification and comments handled), after the figures. */
  children?: Child;
}) {
  const t = c.get('t');
  const rows = history.map(({ doc, unit }) => ({
    doc,
    unit,
    rankedUnits: doc.units.filter((u) => u.ranked).length,
    decimals: unit ? (scoreDecimals(doc.units).get(unit.code) ?? 2) : 2,
  }));
  const present = rows.filter((r) => r.unit);
  const flags = present.filter((r) => r.unit!.bottom3);
  const data = present.map((r) => ({ year: r.doc.year, rankedUnits: r.rankedUnits, ...r.unit! }));
  return (
    <article class="unit-page">
      <h1>{t('public.unit.title', { name })}</h1>
      <p class="lead">{t('public.unit.code', { code, category })}</p>
      {present.length === 0 ? (
        <p>{t('public.unit.none')}</p>
      ) : (
        <>
          <section aria-labelledby="unit-flags-h" class={flags.length ? 'callout unit-flags' : 'unit-flags'}>
            <h2 id="unit-flags-h">{t('public.unit.flags')}</h2>
            {flags.length ? (
              <ul>
                {flags.map((r) => (
                  <li>
                    {r.unit!.bottom3TwoYears ? (
                      <>
                        <span aria-hidden="true">⚠ </span>
                        {t('public.unit.flagTwoYears', { year: r.doc.year })}
                      </>
                    ) : (
                      <>
                        <span aria-hidden="true">▼ </span>
                        {t('public.unit.flagBottom3', { year: r.doc.year })}
                      </>
                    )}
                  </li>
                ))}
              </ul>
            ) : (
              <p>{t('public.unit.noFlags')}</p>
            )}
          </section>

          <section aria-labelledby="unit-table-h">
            <h2 id="unit-table-h">{t('public.unit.table')}</h2>
            <div class="table-wrap">
              <table class="unit-history">
                <thead>
                  <tr>
                    <th scope="col">{t('public.col.year')}</th>
                    <th scope="col" class="num">
                      {t('public.col.score')}
                    </th>
                    <th scope="col" class="num">
                      {t('public.col.scoreInterval')}
                    </th>
                    <th scope="col" class="num">
                      {t('public.col.rank')}
                    </th>
                    <th scope="col" class="num">
                      {t('public.col.rankInterval')}
                    </th>
                    <th scope="col" class="num">
                      {t('public.col.categoryRank')}
                    </th>
                    <th scope="col" class="num">
                      {t('public.col.rate')}
                    </th>
                    <th scope="col" class="num">
                      {t('public.col.valid')}
                    </th>
                    <th scope="col" class="num">
                      {t('public.col.unknown')}
                    </th>
                    <th scope="col">{t('public.col.flags')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map(({ doc, unit, rankedUnits, decimals }) => (
                    <tr class={unit?.bottom3 ? 'b3' : undefined}>
                      <th scope="row">
                        <a href={`/results/${doc.year}`}>{doc.year}</a>
                      </th>
                      {unit ? (
                        <>
                          <td class="num">{fmtNumber(unit.score, decimals)}</td>
                          <td class="num interval">{fmtInterval(unit.scoreInterval, decimals)}</td>
                          <td class="num">{unit.rank === null ? '—' : t('public.rankOf', { rank: unit.rank, n: rankedUnits })}</td>
                          <td class="num interval">{unit.rankInterval ? `${unit.rankInterval[0]}–${unit.rankInterval[1]}` : '—'}</td>
                          <td class="num">{unit.categoryRank ?? '—'}</td>
                          <td class="num">{fmtPercent(unit.satisfactionRate)}</td>
                          <td class="num">{unit.valid}</td>
                          <td class="num">{unit.unknown}</td>
                          <td class="flags">
                            <Flags t={t} u={unit} />
                          </td>
                        </>
                      ) : (
                        <td colspan={9}>{t('public.unit.notInRound')}</td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <UnitItems t={t} history={history} />

          <section aria-labelledby="unit-charts-h">
            <h2 id="unit-charts-h">{t('public.charts')}</h2>
            <noscript>
              <p class="hint">{t('public.chart.noScript')}</p>
            </noscript>
            <h3 class="js-only" hidden>
              {t('public.unit.scoreChart')}
            </h3>
            <div class="chart-box js-only" hidden>
              <canvas id="unit-score-chart" role="img" aria-label={t('public.unit.scoreAlt')}></canvas>
            </div>
            <h3 class="js-only" hidden>
              {t('public.unit.rankChart')}
            </h3>
            <div class="chart-box js-only" hidden>
              <canvas id="unit-rank-chart" role="img" aria-label={t('public.unit.rankAlt')}></canvas>
            </div>
          </section>
          <JsonData id="unit-data" data={data} />
          <JsonData id="unit-meta" data={{ words: browserWords(t) }} />
        </>
      )}
      {children}
    </article>
  );
}
