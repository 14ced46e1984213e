import { Hono } from 'hono';
import { CsrfField, consolePage, DataTable, Notice, ProblemList } from '../admin/console-view.js';
import { currentAdmin } from '../admin/guard.js';
import { recordExport } from '../audit/log.js';
import type { AppEnv, Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { formFields, formUpload, UPLOAD_TYPES } from '../http/forms.js';
import { problemText, type Problem } from '../validate.js';
import { tableDownload, type TableFormat } from '../sheets/write.js';
import { parsePoolFile, poolTable } from './csv.js';
import {
  allRepresentatives,
  findRepresentative,
  optional,
  poolComposition,
  poolFacets,
  representativeProblems,
  searchRepresentatives,
  setRepresentativeActive,
  updateRepresentative,
  upsertRepresentatives,
  type PoolFilter,
  type Representative,
  type RepresentativeInput,
} from './representatives.js';
import { CompositionTables, PoolSizeWarning } from './views.js';

const PER_PAGE = 50;
const DONE = { added: 'pool.added', saved: 'pool.saved', deactivated: 'pool.deactivated', reactivated: 'pool.reactivated' } as const;

function filterFrom(c: Ctx): PoolFilter {
  const active = c.req.query('active');
  return {
    q: (c.req.query('q') ?? '').slice(0, 100),
    stratum: c.req.query('stratum') || undefined,
    district: c.req.query('district') || undefined,
    active: active === 'all' || active === 'inactive' ? active : 'active',
  };
}

function pageLink(c: Ctx, page: number): string {
  const url = new URL(c.req.url);
  url.searchParams.set('page', String(page));
  return `${url.pathname}?${url.searchParams.toString()}`;
}

/** After an import the list says what happened (carried in the redirect's query, so a reload repeats nothing). */
function importNotice(c: Ctx): string | undefined {
  if (c.req.query('done') !== 'imported') return undefined;
  const n = (k: string) => Number.parseInt(c.req.query(k) ?? '0', 10) || 0;
  const encoding = ['utf-8', 'utf-8-bom', 'gb18030', 'xlsx'].includes(c.req.query('encoding') ?? '') ? (c.req.query('encoding') as string) : '';
  return c.get('t')('pool.importDone', { added: n('added'), updated: n('updated'), unchanged: n('unchanged'), deactivated: n('deactivated'), encoding });
}

async function exportPool(c: Ctx, format: TableFormat) {
  const reps = await allRepresentatives(c.get('db'));
  const file = await tableDownload(poolTable(reps), format, 'pool');
  return recordExport(c.get('db'), c.get('audit'), currentAdmin(c).username, 'pool', { rows: reps.length }, () => c.body(file.body, 200, file.headers));
}

async function ListPage(c: Ctx, extra: { problems?: string[]; notice?: string; status?: 200 | 422 } = {}) {
  const t = c.get('t');
  const db = c.get('db');
  const filter = filterFrom(c);
  const pageNo = Math.max(1, Math.min(100_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1));
  const { total, rows } = await searchRepresentatives(db, filter, pageNo, PER_PAGE);
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  const comp = await poolComposition(db);
  const facets = await poolFacets(db);
  const done = DONE[c.req.query('done') as keyof typeof DONE];
  return consolePage(
    c,
    { title: t('pool.title'), status: extra.status, path: '/admin/pool' },
    <>
      <h1>{t('pool.title')}</h1>
      <p>{t('pool.intro')}</p>
      <PoolSizeWarning c={c} active={comp.active} />
      <Notice text={extra.notice ?? importNotice(c) ?? (done ? t(done, { code: c.req.query('code') ?? '' }) : undefined)} />
      <p>
        {t('pool.activeCount', { active: comp.active, inactive: comp.inactive })} <a href="/admin/pool/composition">{t('pool.composition')}</a>
      </p>
      <p class="row">
        <a class="button" href="/admin/pool/new">
          {t('pool.add')}
        </a>
        <a class="button" href="/admin/pool/export.csv" download="pool.csv">
          {t('pool.export')}
        </a>
        <a class="button" href="/admin/pool/export.xlsx" download="pool.xlsx">
          {t('sheets.xlsx')}
        </a>
        <a class="button" href="#import">
          {t('pool.import')}
        </a>
      </p>
      {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for older browsers; the role is understood */}
      <form method="get" action="/admin/pool" class="filters" role="search">
        <label>
          {t('pool.query')}
          <input name="q" type="search" value={filter.q} maxlength={100} />
        </label>
        <label>
          {t('pool.stratum')}
          <select name="stratum">
            <option value="">{t('common.all')}</option>
            {facets.strata.map((s) => (
              <option value={s} selected={s === filter.stratum}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('pool.district')}
          <select name="district">
            <option value="">{t('common.all')}</option>
            {facets.districts.map((d) => (
              <option value={d} selected={d === filter.district}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('pool.activeFilter')}
          <select name="active">
            <option value="active" selected={filter.active === 'active'}>
              {t('common.active')}
            </option>
            <option value="inactive" selected={filter.active === 'inactive'}>
              {t('common.inactive')}
            </option>
            <option value="all" selected={filter.active === 'all'}>
              {t('common.all')}
            </option>
          </select>
        </label>
        <button type="submit">{t('common.search')}</button>
      </form>
      <p class="hint">{t('pool.personalData')}</p>
      {rows.length === 0 ? (
        <p>{t('pool.noMatch')}</p>
      ) : (
        <DataTable
          columns={[
            {
              head: t('pool.code'),
              cell: (r: Representative) => (
                <a href={`/admin/pool/r/${encodeURIComponent(r.code)}`}>
                  <code>{r.code}</code>
                </a>
              ),
            },
            { head: t('pool.name'), cell: (r: Representative) => r.name },
            { head: t('pool.stratum'), cell: (r: Representative) => r.stratum },
            { head: t('pool.district'), cell: (r: Representative) => r.district ?? '' },
            { head: t('common.status'), cell: (r: Representative) => (r.active ? t('common.active') : t('common.inactive')) },
          ]}
          rows={rows}
          rowClass={(r) => (r.active ? undefined : 'inactive')}
        />
      )}
      <nav class="pager" aria-label={t('common.pageOf', { page: pageNo, pages, total })}>
        {pageNo > 1 && <a href={pageLink(c, pageNo - 1)}>{t('common.previous')}</a>}
        <span>{t('common.pageOf', { page: pageNo, pages, total })}</span>
        {pageNo < pages && <a href={pageLink(c, pageNo + 1)}>{t('common.next')}</a>}
      </nav>
      <section class="panel">
        <h2 id="import">{t('pool.import')}</h2>
        <p class="hint">{t('pool.importHint')}</p>
        <ProblemList c={c} problems={extra.problems ?? []} />
        <form method="post" action="/admin/pool/import" enctype="multipart/form-data" class="stack">
          <CsrfField c={c} />
          <label for="file">{t('sheets.fileLabel')}</label>
          <input id="file" name="file" type="file" accept={UPLOAD_TYPES} required />
          <label class="check">
            <input type="checkbox" name="deactivateMissing" value="1" /> {t('pool.deactivateMissing')}
          </label>
          <button type="submit">{t('pool.importSubmit')}</button>
        </form>
      </section>
    </>,
  );
}

async function RepresentativeForm(
  c: Ctx,
  opts: { rep: Partial<RepresentativeInput>; editing?: string; problems?: Problem[]; status?: 200 | 422; notice?: string },
) {
  const t = c.get('t');
  const r = opts.rep;
  const title = opts.editing ? t('pool.edit') : t('pool.add');
  const invalid = (field: string) => (opts.problems?.some((p) => p.field === field) ? 'true' : undefined);
  const action = opts.editing ? `/admin/pool/r/${encodeURIComponent(opts.editing)}` : '/admin/pool';
  const field = (name: 'code' | 'name' | 'stratum' | 'district' | 'phone' | 'email', label: string, attrs: Record<string, string | number | boolean> = {}) => (
    <>
      <label for={name}>
        {label}
        {['district', 'phone', 'email'].includes(name) && <span class="hint"> {t('pool.optional')}</span>}
      </label>
      <input id={name} name={name} value={(r[name] as string | null | undefined) ?? ''} aria-invalid={invalid(name)} {...attrs} />
    </>
  );
  return consolePage(
    c,
    { title, status: opts.status, path: opts.editing ? `/admin/pool/r/${encodeURIComponent(opts.editing)}` : '/admin/pool/new' },
    <section class="narrow">
      <h1>
        {title} {opts.editing && <code>{opts.editing}</code>}
      </h1>
      <Notice text={opts.notice} />
      <p class="hint">{t('pool.personalData')}</p>
      <ProblemList c={c} problems={(opts.problems ?? []).map((p) => problemText(t, p))} />
      <form method="post" action={action} class="stack">
        <CsrfField c={c} />
        {field('code', t('pool.code'), { required: true, maxlength: 32, pattern: '[A-Za-z0-9_\\-]{1,32}' })}
        {field('name', t('pool.name'), { required: true, maxlength: 100 })}
        {field('stratum', t('pool.stratum'), { required: true, maxlength: 50 })}
        {field('district', t('pool.district'), { maxlength: 50 })}
        {field('phone', t('pool.phone'), { type: 'tel', maxlength: 24, autocomplete: 'off' })}
        {field('email', t('pool.email'), { type: 'email', maxlength: 254, autocomplete: 'off' })}
        <label class="check">
          <input type="checkbox" name="active" value="1" checked={r.active !== false} /> {t('common.active')}
        </label>
        <div class="row">
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
          <a href="/admin/pool">{t('common.back')}</a>
        </div>
      </form>
      {opts.editing && (
        <form method="post" action={`/admin/pool/r/${encodeURIComponent(opts.editing)}/active`} class="stack">
          <CsrfField c={c} />
          <input type="hidden" name="active" value={r.active === false ? '1' : '0'} />
          <button type="submit" class={r.active === false ? undefined : 'danger'}>
            {r.active === false ? t('common.reactivate') : t('common.deactivate')}
          </button>
        </form>
      )}
    </section>,
  );
}

function inputFrom(form: Record<string, string>): RepresentativeInput {
  return {
    code: (form.code ?? '').trim(),
    name: (form.name ?? '').trim(),
    stratum: (form.stratum ?? '').trim(),
    district: optional(form.district),
    phone: optional(form.phone),
    email: optional(form.email),
    active: form.active === '1',
  };
}

/** The console's pool pages: search and filter, composition, one representative, import and export. */
export const poolConsole = new Hono<AppEnv>()
  .get('/', (c) => ListPage(c))
  .get('/composition', async (c) => {
    const t = c.get('t');
    const comp = await poolComposition(c.get('db'));
    return consolePage(
      c,
      { title: t('pool.composition') },
      <>
        <h1>{t('pool.composition')}</h1>
        <PoolSizeWarning c={c} active={comp.active} />
        <p>{t('pool.activeCount', { active: comp.active, inactive: comp.inactive })}</p>
        <CompositionTables c={c} comp={comp} />
        <p>
          <a href="/admin/pool">{t('common.back')}</a>
        </p>
      </>,
    );
  })
  .get('/export.csv', (c) => exportPool(c, 'csv'))
  .get('/export.xlsx', (c) => exportPool(c, 'xlsx'))
  .get('/import', (c) => c.redirect('/admin/pool#import', 303))
  .post('/import', async (c) => {
    const t = c.get('t');
    const file = await formUpload(c, 'file');
    if (!file || file.bytes.length === 0) return ListPage(c, { problems: [t('units.error.noFile')], status: 422 });
    const parsed = await parsePoolFile(file.bytes, file.name, t);
    if (!parsed.ok) {
      const lines = parsed.problems.map((p) => t('csv.problem', { line: p.line, message: p.message }));
      return ListPage(c, { problems: [t('pool.importFailed', { n: lines.length }), ...lines], status: 422 });
    }
    const deactivateMissing = (await formFields(c)).deactivateMissing === '1';
    const summary = await upsertRepresentatives(c.get('db'), c.get('audit'), parsed.rows, { actor: currentAdmin(c).username, deactivateMissing });
    const q = new URLSearchParams({
      done: 'imported',
      encoding: parsed.encoding,
      ...Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, String(v)])),
    });
    return c.redirect(`/admin/pool?${q.toString()}`, 303);
  })
  .get('/new', (c) => RepresentativeForm(c, { rep: { active: true } }))
  .post('/', async (c) => {
    const rep = inputFrom(await formFields(c));
    const problems = representativeProblems(rep);
    if (!problems.length && (await findRepresentative(c.get('db'), rep.code)))
      problems.push({ key: 'pool.error.codeTaken', params: { value: rep.code }, field: 'code' });
    if (problems.length) return RepresentativeForm(c, { rep, problems, status: 422 });
    await upsertRepresentatives(c.get('db'), c.get('audit'), [rep], { actor: currentAdmin(c).username, action: 'pool.add' });
    return c.redirect(`/admin/pool?done=added&code=${encodeURIComponent(rep.code)}`, 303);
  })
  .get('/r/:code', async (c) => {
    const rep = await findRepresentative(c.get('db'), c.req.param('code'));
    if (!rep) throw new AppError('not_found', { message: 'pool.error.notFound' });
    return RepresentativeForm(c, {
      rep,
      editing: rep.code,
      notice: c.req.query('done') === 'saved' ? c.get('t')('pool.saved', { code: rep.code }) : undefined,
    });
  })
  .post('/r/:code', async (c) => {
    const code = c.req.param('code');
    const rep = inputFrom(await formFields(c));
    const problems = representativeProblems(rep);
    if (problems.length) return RepresentativeForm(c, { rep, editing: code, problems, status: 422 });
    const result = await updateRepresentative(c.get('db'), c.get('audit'), code, rep, currentAdmin(c).username);
    if (result === 'not_found') throw new AppError('not_found', { message: 'pool.error.notFound' });
    if (result === 'code_taken') {
      return RepresentativeForm(c, {
        rep,
        editing: code,
        problems: [{ key: 'pool.error.codeTaken', params: { value: rep.code }, field: 'code' }],
        status: 422,
      });
    }
    return c.redirect(`/admin/pool/r/${encodeURIComponent(rep.code)}?done=saved`, 303);
  })
  .post('/r/:code/active', async (c) => {
    const code = c.req.param('code');
    const active = (await formFields(c)).active === '1';
    if (!(await setRepresentativeActive(c.get('db'), c.get('audit'), code, active, currentAdmin(c).username))) {
      throw new AppError('not_found', { message: 'pool.error.notFound' });
    }
    return c.redirect(`/admin/pool?done=${active ? 'reactivated' : 'deactivated'}&code=${encodeURIComponent(code)}`, 303);
  });
