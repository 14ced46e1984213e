// Pieces the public pages share: the flags in words, the two-years callout, the bottom three, the method box and
// the words handed to the browser modules.
import type { Child } from 'hono/jsx';
import type { MessageKey, Translate } from '../i18n/catalogue.js';
import { publicMessages } from '../i18n/messages/public.js';
import { drawnTurnout, fmtNumber, fmtPercent, type PublishedUnit } from './public-data.js';
import type { ResultsDocument } from './snapshot.js';

export const unitHref = (code: string) => `/units/${encodeURIComponent(code)}`;

/** The words handed to the browser modules (`public.js.*` without the prefix). */
export function browserWords(t: Translate): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(publicMessages) as MessageKey[]).filter((k) => k.startsWith('public.js.')).map((k) => [k.slice('public.js.'.length), t(k)]),
  );
}

/**
 * The flags of a unit as words, so that colour is never the only signal (docs/SPEC.md, Decisions and their reasons); the stylesheet puts the symbol
 * (▼, ⚠) before each word, marked as decoration so screen readers read the word alone. Kept short: a table row
 * carries them, and rows are most of the page.
 */
export function Flags({ t, u }: { t: Translate; u: PublishedUnit }) {
  return (
    <>
      {u.bottom3 && <span class="flag b3">{t('public.flag.bottom3')}</span>}
      {u.bottom3TwoYears && <span class="flag two">{t('public.flag.twoYears')}</span>}
      {!u.ranked && <span class="flag unranked">{t('public.unranked')}</span>}
    </>
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
            {doc.bottomScope === 'category' && ` · ${u.category}`} {u.bottom3TwoYears && <span class="flag two">{t('public.flag.twoYears')}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The round's rules in a few lines: its points (or scale), the threshold, the scope of the bottom three, intervals. */
export function MethodBox({ t, doc, children }: { t: Translate; doc: ResultsDocument; children?: Child }): Child {
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
      {children}
      <p class="row">
        <a href="/about">{t('public.method.more')}</a>
        <a href={`/draw/${doc.year}`}>{t('public.method.draw')}</a>
      </p>
    </section>
  );
}

/** Ballots, turnout and ranked units: the three figures at the top of the results page and the home page. */
export function KeyFigures({ t, doc }: { t: Translate; doc: ResultsDocument }) {
  const ranked = doc.units.filter((u) => u.ranked).length;
  return (
    <dl class="figures">
      <div>
        <dt>{t('public.results.ballots')}</dt>
        <dd>{t('public.results.ballotsOf', { ballots: doc.ballots, sample: drawnTurnout(doc).drawn })}</dd>
      </div>
      <div>
        <dt>{t('public.results.turnout')}</dt>
        <dd>{fmtPercent(drawnTurnout(doc).turnout)}</dd>
      </div>
      <div>
        <dt>{t('public.results.rankedUnits')}</dt>
        <dd>{t('public.results.rankedOf', { ranked, units: doc.units.length })}</dd>
      </div>
    </dl>
  );
}
