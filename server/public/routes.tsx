import { Hono } from 'hono';
import type { AppEnv } from '../http/context.js';
import { page } from '../http/layout.js';
import { poolComposition } from '../pool/representatives.js';
import { listUnits } from '../units/units.js';

/** The public pages: the home page and the method in plain words. */
export const publicRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const t = c.get('t');
    const db = c.get('db');
    const units = await listUnits(db, { activeOnly: true });
    const comp = await poolComposition(db);
    return page(
      c,
      { title: t('home.title') },
      <>
        <h1>{t('home.title')}</h1>
        <p class="lead">{t('home.intro')}</p>
        <ul class="facts">
          <li>{t('home.units', { n: units.length })}</li>
          <li>{t('home.poolSize', { n: comp.active })}</li>
        </ul>
        <p>{t('home.noResults')}</p>
        <p>
          <a class="button" href="/about">
            {t('home.readMethod')}
          </a>
        </p>
      </>,
    );
  })
  .get('/about', (c) => {
    const t = c.get('t');
    const section = (h: Parameters<typeof t>[0], p: Parameters<typeof t>[0]) => (
      <section>
        <h2>{t(h)}</h2>
        <p>{t(p)}</p>
      </section>
    );
    return page(
      c,
      { title: t('about.title') },
      <article class="prose">
        <h1>{t('about.title')}</h1>
        <blockquote>{t('about.source')}</blockquote>
        {section('about.poolHeading', 'about.pool')}
        {section('about.drawHeading', 'about.draw')}
        {section('about.ballotHeading', 'about.ballot')}
        {section('about.resultsHeading', 'about.results')}
      </article>,
    );
  });
