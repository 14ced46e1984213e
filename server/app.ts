import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { adminGuard } from './admin/guard.js';
import { authRoutes } from './admin/auth-routes.js';
import { dashboardRoutes } from './admin/dashboard-routes.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/schema.js';
import { drawPublicRoutes } from './draw/public-routes.js';
import { loadAssets, type Assets } from './http/assets.js';
import type { AppEnv } from './http/context.js';
import { errorResponse, handleError } from './http/error-pages.js';
import { AppError } from './http/errors.js';
import { languageAndTextSize, requestLog, securityHeaders } from './http/middleware.js';
import { poolConsole } from './pool/console-routes.js';
import { publicRoutes } from './public/routes.js';
import { resultsPublicRoutes } from './results/public-routes.js';
import { roundConsole } from './rounds/console-routes.js';
import { FragmentCache } from './survey/form-view.js';
import { GuessLimiter } from './survey/guess-limit.js';
import { resultsConsole } from './results/console-routes.js';
import { surveyConsole } from './survey/console-routes.js';
import { surveyRoutes } from './survey/routes.js';
import { unitConsole } from './units/console-routes.js';

export interface AppDeps {
  db: Database;
  config: Config;
  clock: Clock;
  /** Where request and error lines go; tests capture them, `main.ts` prints them. */
  log?: (line: string) => void;
}

const MiB = 1024 * 1024;
/** CSV uploads may be large; everything else is a small form. */
const UPLOAD_PATHS = new Set(['/admin/units/import', '/admin/pool/import']);

let assetsOnce: Assets | undefined;

/** The whole web application, built from its dependencies; no module-level state besides the static files. */
export function createApp({ db, config, clock, log = () => {} }: AppDeps) {
  const assets = (assetsOnce ??= loadAssets());
  const app = new Hono<AppEnv>();
  const survey = { fragments: new FragmentCache(), guesses: new GuessLimiter() };

  app.use('*', requestLog(log), securityHeaders(config.baseUrl.startsWith('https:')));
  app.use('*', async (c, next) => {
    c.set('db', db);
    c.set('config', config);
    c.set('clock', clock);
    c.set('assets', assets);
    c.set('admin', undefined);
    c.set('survey', survey);
    await next();
  });
  app.use('*', languageAndTextSize);
  // Only requests that carry a body are limited: touching the body of a GET makes the Node adapter build a full
  // Request object, which cost healthz three quarters of its speed. A declared Content-Length is checked from the
  // header (as bodyLimit does, and Node reads no more than it declares) without touching the body either, so a
  // form post's body is read straight from the socket; only a chunked body goes through bodyLimit's counting.
  app.use('*', (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const maxSize = UPLOAD_PATHS.has(c.req.path) ? 20 * MiB : 1 * MiB;
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (parseInt(declared, 10) > maxSize) throw new AppError('too_large');
      return next();
    }
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('too_large');
      },
    })(c, next);
  });

  app.get('/healthz', (c) => c.text('ok'));
  app.get('/assets/*', (c) => {
    const asset = assets.byPath(c.req.path.slice('/assets/'.length));
    if (!asset) throw new AppError('not_found');
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': asset.type,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });

  app.use('/admin', adminGuard);
  app.use('/admin/*', adminGuard);
  app.route('/admin', authRoutes);
  app.route('/admin', dashboardRoutes);
  app.route('/admin/units', unitConsole);
  app.route('/admin/pool', poolConsole);
  app.route('/admin/rounds', roundConsole);
  app.route('/admin/rounds', surveyConsole);
  app.route('/admin/rounds', resultsConsole);
  app.route('/', surveyRoutes);
  app.route('/draw', drawPublicRoutes);
  app.route('/', resultsPublicRoutes);
  app.route('/', publicRoutes);

  app.notFound((c) => errorResponse(c, 404));
  app.onError(handleError(log));
  return app;
}

export type App = ReturnType<typeof createApp>;
