import { OPEN_DATA_HEADERS } from '../http/middleware.js';
import { Hono } from 'hono';
import { acceptedEncoding, compress } from '../http/compress.js';
import { AppError } from '../http/errors.js';
import { formFields } from '../http/forms.js';
import { Layout, page } from '../http/layout.js';
import { unitFollowUps } from '../rectification/public-routes.js';
import { UnitFollowUpSection } from '../rectification/public-views.js';
import { dateInZone } from '../time.js';
import { findUnit } from '../units/units.js';
import { encodeTable, TABLE_CONTENT_TYPES } from '../sheets/write.js';
import { isCode } from '../validate.js';
import type { AppEnv, Ctx } from '../http/context.js';
import type { CachedPage } from './public-cache.js';
import {
  categoriesOf,
  publishedBody,
  publishedDoc,
  publishedVersions,
  publishedYears,
  resultsCsv,
  resultsTable,
  resultsHead,
  roundCategories,
  type ResultsHead,
} from './public-data.js';
import { ReceiptsPage } from './public-receipts.js';
import { UnitPage, type UnitYear } from './public-unit-view.js';
import { ResultsPage } from './public-views.js';

/** `2025` (the page), `2025.json`, `2025.csv` or `2025.xlsx` (the open data of README, Open data). */
const NAME = /^(\d{4})(\.json|\.csv|\.xlsx)?$/;

const notPublished = (year: number | string) => new AppError('not_found', { message: 'public.notPublished', params: { year } });

/** The year's published results and the version asked for by `?version=N` (the latest without it). */
async function resolve(c: Ctx, yearText: string): Promise<{ year: number; head: ResultsHead; version: number; explicit: boolean }> {
  if (!/^\d{4}$/.test(yearText)) throw notPublished(yearText.slice(0, 8));
  const year = Number(yearText);
  const head = await resultsHead(c.get('store'), c.get('results'), year);
  if (!head) throw notPublished(year);
  const asked = c.req.query('version');
  if (asked === undefined) return { year, head, version: head.latest, explicit: false };
  const version = /^\d{1,6}$/.test(asked) ? Number(asked) : 0;
  if (version < 1 || version > head.latest)
    throw new AppError('not_found', { message: 'public.versionNotFound', params: { year, version: asked.slice(0, 8) } });
  return { year, head, version, explicit: true };
}

/** A named version is immutable for ever; "the latest" may gain a correction, so caches ask again after a minute. */
const dataCaching = (explicit: boolean) => (explicit ? 'public, max-age=31536000, immutable' : 'public, max-age=60');

/** Path and query of the request: the language and text-size switches of the layout echo them into the page. */
function pathAndQuery(c: Ctx): string {
  const url = c.req.url;
  return url.slice(url.indexOf('/', url.indexOf('//') + 2));
}

function sendPage(c: Ctx, p: CachedPage) {
  const gzip = acceptedEncoding(c.req.header('accept-encoding'), ['gzip']) === 'gzip';
  const headers: Record<string, string> = { 'Content-Type': 'text/html; charset=UTF-8', Vary: 'Accept-Encoding' };
  if (gzip) headers['Content-Encoding'] = 'gzip';
  return c.body(gzip ? p.gzip : p.html, 200, headers);
}

/** `/results/{year}[.json|.csv|.xlsx]`, `/results/{year}/receipts` and `/units/{code}`: published snapshots only. */
export const resultsPublicRoutes = new Hono<AppEnv>()
  .get('/results/:name', async (c) => {
    const m = NAME.exec(c.req.param('name'));
    if (!m) throw new AppError('not_found');
    const db = c.get('db');
    const { year, head, version, explicit } = await resolve(c, m[1]!);

    if (m[2] === '.json') {
      // The stored bytes, as published: removing `,"sha256":"…"` leaves exactly the bytes whose SHA-256 it is.
      const bodies = c.get('results').bodies;
      let data = bodies.get(`${head.roundId}:${version}`);
      if (!data) {
        const row = await publishedBody(db, head.roundId, version);
        if (!row) throw notPublished(year);
        data = { bytes: new Uint8Array(Buffer.from(row.body, 'utf8')), sha256: row.sha256 };
        bodies.set(`${head.roundId}:${version}`, data);
      }
      return c.body(data.bytes, 200, {
        ...OPEN_DATA_HEADERS,
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': dataCaching(explicit),
        ETag: `"${data.sha256}"`,
      });
    }
    if (m[2] === '.csv') {
      const doc = await publishedDoc(db, c.get('results'), head.roundId, version);
      if (!doc) throw notPublished(year);
      return c.body(resultsCsv(doc), 200, {
        ...OPEN_DATA_HEADERS,
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="results-${year}-v${version}.csv"`,
        'Cache-Control': dataCaching(explicit),
      });
    }
    if (m[2] === '.xlsx') {
      const workbooks = c.get('results').workbooks;
      let body = workbooks.get(`${head.roundId}:${version}`);
      if (!body) {
        const doc = await publishedDoc(db, c.get('results'), head.roundId, version);
        if (!doc) throw notPublished(year);
        // Dated as published rather than as downloaded.
        body = await encodeTable(resultsTable(doc), 'xlsx', { date: new Date(doc.publishedAt) });
        workbooks.set(`${head.roundId}:${version}`, body);
      }
      return c.body(body, 200, {
        ...OPEN_DATA_HEADERS,
        'Content-Type': TABLE_CONTENT_TYPES.xlsx,
        'Content-Disposition': `attachment; filename="results-${year}-v${version}.xlsx"`,
        'Cache-Control': dataCaching(explicit),
      });
    }

    // The page: snapshots are immutable, so the rendered bytes are kept per key (see public-cache.ts).
    const caches = c.get('results');
    const key = [head.roundId, version, head.latest, head.stamp, c.get('lang'), c.get('largeText') ? 'L' : 'N', c.get('config').timeZone, pathAndQuery(c)].join(
      '\u0000',
    );
    let cached = caches.pages.get(key);
    if (!cached) {
      const [doc, versions, order, years] = await Promise.all([
        publishedDoc(db, c.get('results'), head.roundId, version),
        publishedVersions(db, head.roundId),
        roundCategories(db, head.roundId),
        publishedYears(db),
      ]);
      if (!doc) throw notPublished(year);
      const sha256 = versions.find((v) => v.version === version)?.sha256 ?? '';
      const t = c.get('t');
      const body = <ResultsPage c={c} doc={doc} sha256={sha256} versions={versions} latest={head.latest} categories={categoriesOf(doc, order)} years={years} />;
      const opts = { title: t('public.results.title', { year }), scripts: ['vendor/chart.js', 'js/chart-style.js', 'js/results.js', 'js/results-check.js'] };
      const html = Buffer.from(
        '<!doctype html>' +
          (await (
            <Layout c={c} opts={opts}>
              {body}
            </Layout>
          ).toString()),
        'utf8',
      );
      cached = { html: new Uint8Array(html), gzip: new Uint8Array(compress(html, 'gzip', 'best')) };
      caches.pages.set(key, cached);
    }
    return sendPage(c, cached);
  })
  .on(['GET', 'POST'], '/results/:year/receipts', async (c) => {
    const { year, head, version } = await resolve(c, c.req.param('year'));
    const doc = await publishedDoc(c.get('db'), c.get('results'), head.roundId, version);
    if (!doc) throw notPublished(year);
    const asked = c.req.method === 'POST' ? ((await formFields(c)).receipt ?? '').trim().toUpperCase().slice(0, 32) : '';
    return page(c, { title: c.get('t')('public.receipts.title', { year }) }, <ReceiptsPage c={c} doc={doc} latest={head.latest} asked={asked} />);
  })
  .get('/units/:code', async (c) => {
    const code = c.req.param('code');
    const t = c.get('t');
    if (!isCode(code)) throw new AppError('not_found', { message: 'public.unitNotFound', params: { code: code.slice(0, 32) } });
    const db = c.get('db');
    const years = await publishedYears(db);
    const history: UnitYear[] = [];
    for (const y of [...years].reverse()) {
      const doc = await publishedDoc(db, c.get('results'), y.roundId, y.version);
      if (!doc) continue;
      const u = doc.units.find((x) => x.code === code);
      history.push({ doc, unit: u ?? null });
    }
    const seen = history.filter((h) => h.unit);
    const known = seen.length ? undefined : await findUnit(db, code);
    if (!seen.length && !known) throw new AppError('not_found', { message: 'public.unitNotFound', params: { code } });
    const followUps = await unitFollowUps(db, code, dateInZone(c.get('clock').now(), c.get('config').timeZone), c.get('config').timeZone);
    const last = seen[seen.length - 1]?.unit;
    const name = last?.name ?? known?.name ?? code;
    const category = last?.category ?? known?.category ?? '';
    return page(
      c,
      { title: t('public.unit.title', { name }), scripts: seen.length ? ['vendor/chart.js', 'js/chart-style.js', 'js/unit-history.js'] : [] },
      <UnitPage c={c} code={code} name={name} category={category} history={history.filter((h) => h.unit || h.doc.year > (seen[0]?.doc.year ?? Infinity))}>
        {followUps.length > 0 && <UnitFollowUpSection c={c} entries={followUps} />}
      </UnitPage>,
    );
  });
