import { Hono } from 'hono';
import type { AppEnv } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { page } from '../http/layout.js';
import { OPEN_DATA_HEADERS } from '../http/middleware.js';
import { findRound } from '../rounds/rounds.js';
import { DrawPage } from './page-view.js';
import { drawRecord } from './record.js';

/** `2026` (the page) or `2026.json` (the open data); anything else is not a draw. */
const NAME = /^(\d{4})(\.json)?$/;

/** `/draw/{year}` and `/draw/{year}.json` (README, Web pages and routes; README, Open data): public from the freeze on, codes only. */
export const drawPublicRoutes = new Hono<AppEnv>().get('/:name', async (c) => {
  const m = NAME.exec(c.req.param('name'));
  if (!m) throw new AppError('not_found');
  const year = Number(m[1]);
  const db = c.get('db');
  const round = await findRound(db, year);
  const record = round && (await drawRecord(db, round));
  if (!record) throw new AppError('not_found', { message: 'draw.notFound', params: { year } });
  if (m[2]) {
    return c.body(JSON.stringify(record), 200, {
      ...OPEN_DATA_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'public, max-age=60',
    });
  }
  const code = (c.req.query('code') ?? '').trim().slice(0, 64);
  return page(c, { title: c.get('t')('draw.title', { year }), scripts: ['js/draw-check.js'] }, <DrawPage c={c} rec={record} title={round.title} code={code} />);
});
