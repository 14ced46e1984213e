import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { adminGuard } from './admin/guard.js';
import { liaisonAdmin } from './admin/liaison-routes.js';
import { authRoutes } from './admin/auth-routes.js';
import { auditTrail } from './audit/log.js';
import { dashboardRoutes } from './admin/dashboard-routes.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Store } from './db/store.js';
import { drawPublicRoutes } from './draw/public-routes.js';
import { loadAssets, type Assets } from './http/assets.js';
import type { AppEnv } from './http/context.js';
import { errorResponse, handleError } from './http/error-pages.js';
import { AppError } from './http/errors.js';
import { FORM_BODY_LIMIT, UPLOAD_BODY_LIMIT } from './http/forms.js';
import { languageAndTextSize, requestLog, securityHeaders, surveyReferrerPolicy } from './http/middleware.js';
import { poolConsole } from './pool/console-routes.js';
import { publicRoutes } from './public/routes.js';
import { followUpConsole } from './rectification/console-routes.js';
import { followUpPublicRoutes } from './rectification/public-routes.js';
import { screeningConsole } from './rectification/screening-routes.js';
import { liaisonConsole } from './rectification/unit-routes.js';
import { newPublicCaches } from './results/public-cache.js';
import { resultsPublicRoutes } from './results/public-routes.js';
import { paperConsole } from './paper/console-routes.js';
import { roundConsole } from './rounds/console-routes.js';
import { resultsConsole } from './results/console-routes.js';
import { surveyConsole } from './survey/console-routes.js';
import { ballotFastPath } from './survey/fast-path.js';
import { codeEntryRoutes } from './survey/code-page.js';
import { surveyRoutes } from './survey/routes.js';
import { newSurveyState, type SurveyState } from './survey/state.js';
import { unitConsole } from './units/console-routes.js';

export interface AppDeps {
  /** The opened database (db/store.ts): the hot path's methods and Kysely for the rest. */
  store: Store;
  config: Config;
  clock: Clock;
  /** Where request and error lines go; tests capture them, `main.ts` prints them. */
  log?: (line: string) => void;
  /** The survey's state in this server; a server shares one between the app and the ballot's fast path. */
  survey?: SurveyState;
}

/** CSV uploads may be large; everything else is a small form. */
const UPLOAD_PATHS = new Set(['/admin/units/import', '/admin/pool/import']);

let assetsOnce: Assets | undefined;

/** The whole web application, built from its dependencies; no module-level state besides the static files. */
export function createApp({ store, config, clock, log = () => {}, survey = newSurveyState() }: AppDeps) {
  assetsOnce ??= loadAssets();
  const assets = assetsOnce;
  const audit = auditTrail(config.secret, clock);
  const results = newPublicCaches();
  const db = store.db;
  const app = new Hono<AppEnv>();

  app.use('*', requestLog(log), securityHeaders(config.baseUrl.startsWith('https:')));
  app.use('*', async (c, next) => {
    c.set('store', store);
    c.set('db', db);
    c.set('config', config);
    c.set('clock', clock);
    c.set('audit', audit);
    c.set('assets', assets);
    c.set('admin', undefined);
    c.set('survey', survey);
    c.set('results', results);
    await next();
  });
  app.use('*', languageAndTextSize);
  app.use('/s/*', surveyReferrerPolicy);
  app.use('/k', surveyReferrerPolicy);
  app.use('/k/*', surveyReferrerPolicy);
  app.use('/thanks', surveyReferrerPolicy);
  // Only requests that carry a body are limited: touching the body of a GET makes the Node adapter build a full
  // Request object, which is costly on every request (docs/PERFORMANCE.md). A declared Content-Length is checked from the
  // header (as bodyLimit does, and Node reads no more than it declares) without touching the body either, so a
  // form post's body is read straight from the socket; only a chunked body goes through bodyLimit's counting.
  app.use('*', (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const maxSize = UPLOAD_PATHS.has(c.req.path) ? UPLOAD_BODY_LIMIT : FORM_BODY_LIMIT;
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
  app.route('/admin/rounds', paperConsole);
  app.route('/admin/rounds', surveyConsole);
  app.route('/admin/rounds', resultsConsole);
  app.route('/admin/rounds', screeningConsole);
  app.route('/admin', followUpConsole);
  app.route('/admin/unit', liaisonConsole);
  app.route('/admin/liaisons', liaisonAdmin);
  app.route('/', surveyRoutes);
  app.route('/', codeEntryRoutes);
  app.route('/draw', drawPublicRoutes);
  app.route('/', resultsPublicRoutes);
  app.route('/rectification', followUpPublicRoutes);
  app.route('/', publicRoutes);

  app.notFound((c) => errorResponse(c, 404));
  app.onError(handleError(log));
  return app;
}

export type App = ReturnType<typeof createApp>;

/**
 * What a server answers requests with: the app behind the ballot's fast path (`survey/fast-path.ts`), which
 * answers accepted ballots itself and hands every other request to the app.
 */
export function createRequestListener(deps: AppDeps): RequestListener {
  const log = deps.log ?? (() => {});
  const survey = deps.survey ?? newSurveyState();
  const app = createApp({ ...deps, log, survey });
  const fast = { store: deps.store, survey, clock: deps.clock, timeZone: deps.config.timeZone, config: deps.config, log };
  return ballotFastPath(fast, getRequestListener(app.fetch, { hostname: deps.config.host }));
}
