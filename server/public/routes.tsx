import { Hono } from 'hono';
import type { AppEnv, Ctx } from '../http/context.js';
import { page } from '../http/layout.js';
import type { Translate } from '../i18n/catalogue.js';
import { poolComposition } from '../pool/representatives.js';
import { DEFAULT_RESAMPLES, BOOTSTRAP_METHOD } from '../results/bootstrap.js';
import { categoriesOf, fmtNumber, publishedDoc, publishedYears, roundCategories, scoreDecimals, type PublishedYear } from '../results/public-data.js';
import { DesignFacts, type DesignShown } from '../results/public-design.js';
import { BottomThree, Flags, KeyFigures, TwoYears } from '../results/public-parts.js';
import type { ResultsDocument } from '../results/snapshot.js';
import { designOf, isDefaultDesign } from '../rounds/design.js';
import { listRounds } from '../rounds/rounds.js';
import { formatDateTime } from '../time.js';
import { listUnits } from '../units/units.js';

/** The public pages: the home page (the latest year at a glance) and the method in plain words. */
export const publicRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const t = c.get('t');
    const db = c.get('db');
    const units = await listUnits(db, { activeOnly: true });
    const comp = await poolComposition(db);
    const years = await publishedYears(db);
    const latest = years[0];
    const doc = latest && (await publishedDoc(db, c.get('results'), latest.roundId, latest.version));
    const order = latest ? await roundCategories(db, latest.roundId) : [];
    // A representative who comes to the site's front page with a letter or an SMS finds where the code goes.
    const open = (await listRounds(db)).some((r) => r.status === 'open');
    return page(
      c,
      { title: t('home.title') },
      <>
        <h1>{t('home.title')}</h1>
        <p class="lead">{t('home.intro')}</p>
        {open && (
          <p>
            <a class="button primary" href="/k">
              {t('home.enterCode')}
            </a>
          </p>
        )}
        <ul class="facts">
          <li>{t('home.units', { n: units.length })}</li>
          <li>{t('home.poolSize', { n: comp.active })}</li>
        </ul>
        {doc ? <Glance c={c} doc={doc} categories={categoriesOf(doc, order)} /> : <p>{t('home.noResults')}</p>}
        {years.length > 0 && <YearList t={t} years={years} />}
        <p>
          <a class="button" href="/about">
            {t('home.readMethod')}
          </a>
        </p>
      </>,
    );
  })
  .get('/about', async (c) => {
    const t = c.get('t');
    const db = c.get('db');
    // The figures of the latest published round; before any, those of the latest round; before any, the defaults.
    const years = await publishedYears(db);
    const doc = years[0] && (await publishedDoc(db, c.get('results'), years[0].roundId, years[0].version));
    const round = doc ? undefined : (await listRounds(db))[0];
    const rules = doc
      ? {
          year: doc.year,
          scale: doc.scale,
          points: doc.points,
          minValid: doc.minValid,
          bottomScope: doc.bottomScope,
          resamples: doc.intervals.resamples,
          method: doc.intervals.method,
          published: true,
        }
      : round
        ? {
            year: round.year,
            scale: round.scale,
            points: round.points.split(',').map(Number) as [number, number, number],
            minValid: round.min_valid,
            bottomScope: round.bottom_scope,
            resamples: DEFAULT_RESAMPLES,
            method: BOOTSTRAP_METHOD,
            published: false,
          }
        : undefined;
    // The ballot design of the same round, when it has one.
    const roundDesign = round && designOf(round);
    const design: DesignShown | undefined = doc?.indicators
      ? { indicators: doc.indicators, strataWeights: doc.strataWeights ?? null, reasons: doc.reasons ?? [] }
      : roundDesign && !isDefaultDesign(roundDesign)
        ? roundDesign
        : undefined;
    const [p1, p2, p3] = rules?.points ?? [100, 70, 30];
    const example = fmtNumber((p1 * 60 + p2 * 30 + p3 * 10) / 100, 2);
    const resamples = rules?.resamples ?? DEFAULT_RESAMPLES;
    return page(
      c,
      { title: t('about.title') },
      <article class="prose about">
        <h1>{t('about.title')}</h1>
        <blockquote>{t('about.source')}</blockquote>
        <section>
          <h2>{t('about.poolHeading')}</h2>
          <p>{t('about.pool')}</p>
        </section>
        <section>
          <h2>{t('about.drawHeading')}</h2>
          <p>{t('about.draw')}</p>
          {rules && (
            <p>
              <a href={`/draw/${rules.year}`}>{t('about.drawLink', { year: rules.year })}</a>
            </p>
          )}
        </section>
        <section>
          <h2>{t('about.ballotHeading')}</h2>
          <p>{t('about.ballot')}</p>
        </section>
        <section id="score">
          <h2>{t('about.scoreHeading')}</h2>
          {rules?.scale === 'score100' ? (
            <p>{t('about.score100', { year: rules.year })}</p>
          ) : (
            <>
              <p>{t('about.answers')}</p>
              <p>{rules ? t('about.points', { year: rules.year, p1, p2, p3 }) : t('about.pointsDefault', { p1, p2, p3 })}</p>
              <p class="formula">{t('about.formula', { p1, p2, p3 })}</p>
              <p>{t('about.example', { p1, p2, p3, score: example })}</p>
              <p class="formula">{t('about.rate')}</p>
            </>
          )}
          <p>{t('about.minValid', { n: rules?.minValid ?? 30 })}</p>
        </section>
        <section id="design">
          <h2>{t('about.designHeading')}</h2>
          <p>{t('about.design')}</p>
          <p>{t('about.designWeights')}</p>
          <p>{t('about.designStrata')}</p>
          <p>{t('about.designReasons')}</p>
          {design && rules && (
            <>
              <h3>{t('about.designYear', { year: rules.year })}</h3>
              <DesignFacts t={t} design={design} />
            </>
          )}
        </section>
        <section id="ranking">
          <h2>{t('about.rankHeading')}</h2>
          <p>{t('about.rank')}</p>
        </section>
        <section id="flags">
          <h2>{t('about.flagsHeading')}</h2>
          <p>{rules?.bottomScope === 'category' ? t('about.flagsCategory', { year: rules.year }) : t('about.flagsOverall')}</p>
          <p>{t('about.twoYears')}</p>
        </section>
        <section id="intervals">
          <h2>{t('about.intervalHeading')}</h2>
          <p>{t('about.interval')}</p>
          <p>{t('about.bootstrap', { resamples, lo: Math.ceil(0.025 * resamples), hi: Math.ceil(0.975 * resamples) })}</p>
          <p>{t('about.bootstrapIndependent')}</p>
          <p>{t('about.bootstrapSeed', { method: rules?.method ?? BOOTSTRAP_METHOD })}</p>
          <p>{t('about.bootstrapExact', { method: rules?.method ?? BOOTSTRAP_METHOD })}</p>
          <p>{t('about.bootstrapCells')}</p>
          <p>{t('about.verify')}</p>
        </section>
        <section id="publication">
          <h2>{t('about.publishHeading')}</h2>
          <p>{t('about.publish')}</p>
          {rules?.published && (
            <p>
              <a href={`/results/${rules.year}`}>{t('about.resultsLink', { year: rules.year })}</a>
            </p>
          )}
        </section>
      </article>,
    );
  });

/** The latest year at a glance: turnout, the flags, the top and bottom of each category. */
function Glance({ c, doc, categories }: { c: Ctx; doc: ResultsDocument; categories: string[] }) {
  const t = c.get('t');
  const decimals = scoreDecimals(doc.units);
  const ranked = doc.units.filter((u) => u.ranked);
  const score = (u: ResultsDocument['units'][number]) => fmtNumber(u.score, decimals.get(u.code) ?? 2);
  return (
    <section class="glance" aria-labelledby="glance-h">
      <h2 id="glance-h">{t('home.latest', { year: doc.year })}</h2>
      <p>
        {doc.title} · {t('public.results.version', { version: doc.version, date: formatDateTime(doc.publishedAt, c.get('config').timeZone) })}
      </p>
      <KeyFigures t={t} doc={doc} />
      <TwoYears t={t} doc={doc} />
      <BottomThree t={t} doc={doc} decimals={decimals} />
      <h3>{t('home.byCategory')}</h3>
      <div class="extremes">
        {categories.map((cat) => {
          const inCat = ranked.filter((u) => u.category === cat);
          const lowest = Math.max(0, ...inCat.map((u) => u.categoryRank ?? 0));
          const top = inCat.filter((u) => u.categoryRank === 1);
          const bottom = lowest > 1 ? inCat.filter((u) => u.categoryRank === lowest) : [];
          return (
            <section class="extreme" aria-label={cat}>
              <h4>{cat}</h4>
              <dl>
                <dt>{t('home.top')}</dt>
                {top.map((u) => (
                  <dd>
                    <a href={`/units/${encodeURIComponent(u.code)}`}>{u.name}</a> <span class="score">{score(u)}</span>
                  </dd>
                ))}
                {bottom.length > 0 && <dt>{t('home.bottom')}</dt>}
                {bottom.map((u) => (
                  <dd>
                    <a href={`/units/${encodeURIComponent(u.code)}`}>{u.name}</a> <span class="score">{score(u)}</span> <Flags t={t} u={u} />
                  </dd>
                ))}
              </dl>
            </section>
          );
        })}
      </div>
      <p>
        <a class="button primary" href={`/results/${doc.year}`}>
          {t('home.fullResults', { year: doc.year })}
        </a>
      </p>
    </section>
  );
}

function YearList({ t, years }: { t: Translate; years: PublishedYear[] }) {
  return (
    <section class="year-list" aria-labelledby="years-h">
      <h2 id="years-h">{t('home.years')}</h2>
      <ul>
        {years.map((y) => (
          <li>
            <a href={`/results/${y.year}`}>{t('home.yearResults', { year: y.year })}</a>
            <a href={`/draw/${y.year}`} class="secondary">
              {t('home.yearDraw')}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
