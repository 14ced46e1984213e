// The parts of the public pages that show a ballot design (docs/SPEC.md, The ballot; The method: indicators and
// weights): the design in words, each unit's items (which one pulls it down), the reasons ticked and the figures of
// each stratum. Rounds with the default ballot publish none of these figures, so their pages show none of this.
import type { Translate } from '../i18n/catalogue.js';
import { fmtNumber, type PublishedUnit } from './public-data.js';
import type { ResultsDocument } from './snapshot.js';
import { MIN_STRATUM_BALLOTS } from './tally.js';

export interface DesignShown {
  indicators: { key: string; label: string; weight: number }[];
  strataWeights: Record<string, number> | null;
  reasons: string[];
}

const list = (t: Translate, items: string[]) => items.join(t('public.list.separator'));

/** The ballot's design in a few lines: the items and their weights, the strata's weights, the reasons offered. */
export function DesignFacts({ t, design }: { t: Translate; design: DesignShown }) {
  const weights = design.strataWeights;
  return (
    <>
      <p>
        {t('public.design.indicators', {
          items: list(
            t,
            design.indicators.map((d) => t('public.design.indicator', { label: d.label, weight: d.weight })),
          ),
        })}
      </p>
      <p>
        {weights
          ? t('public.design.strataWeights', {
              items: list(
                t,
                Object.entries(weights).map(([s, w]) => t('public.design.indicator', { label: s, weight: w })),
              ),
            })
          : t('public.design.equal')}
      </p>
      {design.reasons.length > 0 && <p>{t('public.design.reasons', { items: list(t, design.reasons) })}</p>}
    </>
  );
}

/** The design and how it enters the score, for the method box of a round that has one. */
export function DesignMethod({ t, doc }: { t: Translate; doc: ResultsDocument }) {
  if (!doc.indicators) return null;
  const design = { indicators: doc.indicators, strataWeights: doc.strataWeights ?? null, reasons: doc.reasons ?? [] };
  return (
    <>
      <h3>{t('public.design.heading')}</h3>
      <DesignFacts t={t} design={design} />
      <p>{t('public.design.formula', { weighted: t(design.strataWeights ? 'public.design.formulaWeighted' : 'public.design.formulaEqual') })}</p>
      <p>{t('public.design.valid')}</p>
    </>
  );
}

/** The key of a unit's lowest-scoring item, when it has several with scores. */
function lowestItem(u: PublishedUnit): string | undefined {
  const scored = (u.indicators ?? []).filter((d) => d.score !== null);
  if (scored.length < 2) return undefined;
  return scored.reduce((low, d) => ((d.score as number) < (low.score as number) ? d : low)).key;
}

const unitLink = (u: PublishedUnit) => <a href={`/units/${encodeURIComponent(u.code)}`}>{u.name}</a>;

/** Every unit's score and rank on each item, its lowest item marked; a grouped chart of the same for the script. */
export function IndicatorsSection({ t, doc }: { t: Translate; doc: ResultsDocument }) {
  const items = doc.indicators ?? [];
  if (items.length < 2) return null;
  return (
    <section id="indicators" aria-labelledby="indicators-h">
      <h2 id="indicators-h">{t('public.indicators.heading')}</h2>
      <p class="hint">{t('public.indicators.hint')}</p>
      {/* biome-ignore lint/a11y/useSemanticElements: a scrolling box inside the section it belongs to, not a section */}
      <div class="table-wrap" role="region" tabindex={0} aria-labelledby="indicators-h">
        <table class="by-item" id="indicators-table">
          <caption>{t('public.indicators.caption', { year: doc.year })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('public.col.unit')}</th>
              {items.map((d) => (
                <th scope="col" class="num">
                  {d.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {doc.units.map((u) => {
              const lowest = lowestItem(u);
              return (
                <tr>
                  <th scope="row">{unitLink(u)}</th>
                  {items.map((d) => {
                    const x = u.indicators?.find((i) => i.key === d.key);
                    return (
                      <td class={d.key === lowest ? 'num lowest' : 'num'}>
                        {fmtNumber(x?.score, 2)}
                        {x?.rank ? ` (${x.rank})` : ''}
                        {d.key === lowest && <span class="flag low">{t('public.indicators.lowest')}</span>}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h3 class="js-only" hidden>
        {t('public.chart.indicators')}
      </h3>
      <div class="chart-box chart-indicators js-only" hidden>
        <canvas id="indicators-chart" role="img" aria-label={t('public.chart.indicatorsAlt')}></canvas>
      </div>
    </section>
  );
}

/** How many ballots ticked each reason, per unit (units with any only). */
export function ReasonsSection({ t, doc }: { t: Translate; doc: ResultsDocument }) {
  const reasons = doc.reasons ?? [];
  if (!reasons.length) return null;
  const rows = doc.units.filter((u) => u.reasons?.some((r) => r.count > 0));
  return (
    <section id="reasons" aria-labelledby="reasons-h">
      <h2 id="reasons-h">{t('public.reasons.heading')}</h2>
      <p class="hint">{t('public.reasons.hint')}</p>
      {rows.length === 0 ? (
        <p>{t('public.reasons.none')}</p>
      ) : (
        // biome-ignore lint/a11y/useSemanticElements: a scrolling box inside the section it belongs to, not a section
        <div class="table-wrap" role="region" tabindex={0} aria-labelledby="reasons-h">
          <table class="by-item" id="reasons-table">
            <caption>{t('public.reasons.caption', { year: doc.year })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('public.col.unit')}</th>
                {reasons.map((r) => (
                  <th scope="col" class="num">
                    {r}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <tr>
                  <th scope="row">{unitLink(u)}</th>
                  {reasons.map((r) => (
                    <td class="num">{u.reasons?.find((x) => x.reason === r)?.count ?? 0}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Each unit's score from each stratum's ballots, for the strata with enough ballots to show. */
export function StrataSection({ t, doc }: { t: Translate; doc: ResultsDocument }) {
  if (!doc.indicators) return null;
  const strata = doc.units[0]?.byStratum ?? [];
  const how = t(doc.strataWeights ? 'public.strata.weighted' : 'public.strata.equal');
  return (
    <section id="strata" aria-labelledby="strata-h">
      <h2 id="strata-h">{t('public.strata.heading')}</h2>
      <p class="hint">{t('public.strata.hint', { min: MIN_STRATUM_BALLOTS, how })}</p>
      {strata.length === 0 ? (
        <p>{t('public.strata.none', { min: MIN_STRATUM_BALLOTS })}</p>
      ) : (
        // biome-ignore lint/a11y/useSemanticElements: a scrolling box inside the section it belongs to, not a section
        <div class="table-wrap" role="region" tabindex={0} aria-labelledby="strata-h">
          <table class="by-item" id="strata-table">
            <caption>{t('public.strata.caption', { year: doc.year })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('public.col.unit')}</th>
                <th scope="col" class="num">
                  {t('public.col.score')}
                </th>
                {strata.map((s) => (
                  <th scope="col" class="num">
                    {t('public.strata.col', { stratum: s.stratum, n: s.ballots })}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {doc.units.map((u) => (
                <tr>
                  <th scope="row">{unitLink(u)}</th>
                  <td class="num">{fmtNumber(u.score, 2)}</td>
                  {strata.map((s) => (
                    <td class="num">{fmtNumber(u.byStratum?.find((x) => x.stratum === s.stratum)?.score, 2)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** `/units/{code}`: the unit's score (and rank) on each item, year by year, and the reasons ticked each year. */
export function UnitItems({ t, history }: { t: Translate; history: { doc: ResultsDocument; unit: PublishedUnit | null }[] }) {
  const years = history.filter((h) => h.unit && (h.doc.indicators?.length ?? 0) > 1);
  const withReasons = history.filter((h) => h.unit?.reasons?.some((r) => r.count > 0));
  if (!years.length && !withReasons.length) return null;
  // Items by key across the years, each with its latest label.
  const items = new Map<string, string>();
  for (const h of years) for (const d of h.doc.indicators ?? []) items.set(d.key, d.label);
  return (
    <>
      {years.length > 0 && (
        <section aria-labelledby="unit-items-h">
          <h2 id="unit-items-h">{t('public.unit.indicators')}</h2>
          <p class="hint">{t('public.unit.indicatorsHint')}</p>
          {/* biome-ignore lint/a11y/useSemanticElements: a scrolling box inside the section it belongs to, not a section */}
          <div class="table-wrap" role="region" tabindex={0} aria-labelledby="unit-items-h">
            <table class="by-item" id="unit-items-table">
              <thead>
                <tr>
                  <th scope="col">{t('public.col.year')}</th>
                  {[...items.values()].map((label) => (
                    <th scope="col" class="num">
                      {label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {years.map(({ doc, unit }) => (
                  <tr>
                    <th scope="row">
                      <a href={`/results/${doc.year}`}>{doc.year}</a>
                    </th>
                    {[...items.keys()].map((key) => {
                      const x = unit?.indicators?.find((i) => i.key === key);
                      return (
                        <td class="num">
                          {fmtNumber(x?.score, 2)}
                          {x?.rank ? ` (${x.rank})` : ''}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {withReasons.length > 0 && (
        <section aria-labelledby="unit-reasons-h">
          <h2 id="unit-reasons-h">{t('public.unit.reasons')}</h2>
          <ul>
            {withReasons.map(({ doc, unit }) => (
              <li>
                <a href={`/results/${doc.year}#reasons`}>{doc.year}</a>:{' '}
                {list(
                  t,
                  (unit?.reasons ?? []).filter((r) => r.count > 0).map((r) => `${r.reason} ${r.count}`),
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
