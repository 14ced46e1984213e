import { Hono } from 'hono';
import type { AppEnv, Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { page } from '../http/layout.js';
import { OPEN_DATA_HEADERS } from '../http/middleware.js';
import type { Executor } from '../db/schema.js';
import { dateInZone } from '../time.js';
import { followUpOfYear, type FollowUpUnit } from './follow-up.js';
import { publishedYearList } from './published.js';
import { FollowUpPage } from './public-views.js';

/** `2025` (the page) or `2025.json` (the open data of README, Open data). */
const NAME = /^(\d{4})(\.json)?$/;

const today = (c: Ctx) => dateInZone(c.get('clock').now(), c.get('config').timeZone);

/**
 * The unit's follow-up in every published year it took part in, newest first (for `/units/{code}`). Computed as of
 * today on each request: overdue flags and pending days change with the date, not only with the data.
 */
export async function unitFollowUps(db: Executor, code: string, todayDate: string, timeZone: string): Promise<{ year: number; unit: FollowUpUnit }[]> {
  const out: { year: number; unit: FollowUpUnit }[] = [];
  for (const year of await publishedYearList(db)) {
    const unit = (await followUpOfYear(db, year, todayDate, timeZone, code))?.doc.units[0];
    if (unit) out.push({ year, unit });
  }
  return out;
}

/** `/rectification/{year}` and `/rectification/{year}.json`: what followed a published year's ranking. */
export const followUpPublicRoutes = new Hono<AppEnv>().get('/:name', async (c) => {
  const m = NAME.exec(c.req.param('name'));
  if (!m) throw new AppError('not_found');
  const year = Number(m[1]);
  const db = c.get('db');
  const follow = await followUpOfYear(db, year, today(c), c.get('config').timeZone);
  if (!follow) throw new AppError('not_found', { message: 'public.notPublished', params: { year } });
  if (m[2] === '.json') {
    // Overdue flags and pending days are as of today: caches ask again after a minute, like the latest results.
    return c.body(JSON.stringify(follow.doc), 200, {
      ...OPEN_DATA_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'public, max-age=60',
    });
  }
  const years = await publishedYearList(db);
  return page(
    c,
    { title: c.get('t')('public.followup.title', { year }) },
    <FollowUpPage c={c} follow={follow} years={years} replyDays={c.get('config').replyDays} />,
  );
});
