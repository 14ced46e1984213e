import { Hono } from 'hono';
import { CsrfField, consolePage, DataTable, Notice, ProblemList } from '../admin/console-view.js';
import { currentAdmin } from '../admin/guard.js';
import type { AppEnv, Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { formFields, formUpload, UPLOAD_TYPES } from '../http/forms.js';
import { problemText, type Problem } from '../validate.js';
import { parseUnitsFile } from './import.js';
import { findUnit, listCategories, listUnits, setUnitActive, unitProblems, updateUnit, upsertUnits, type Unit, type UnitInput } from './units.js';

const DONE = {
  added: 'units.added',
  updated: 'units.updated',
  deactivated: 'units.deactivated',
  reactivated: 'units.reactivated',
} as const;

async function ListPage(c: Ctx, extra: { problems?: string[]; status?: 200 | 422; notice?: string } = {}) {
  const t = c.get('t');
  const units = await listUnits(c.get('db'));
  const categories = await listCategories(c.get('db'));
  const done = DONE[c.req.query('done') as keyof typeof DONE];
  const q = (k: string) => Number.parseInt(c.req.query(k) ?? '0', 10) || 0;
  const notice =
    extra.notice ??
    (c.req.query('done') === 'imported'
      ? t('units.importDone', { added: q('added'), updated: q('updated'), unchanged: q('unchanged') })
      : done
        ? t(done, { code: c.req.query('code') ?? '' })
        : undefined);
  const active = units.filter((u) => u.active).length;
  return consolePage(
    c,
    { title: t('units.title'), status: extra.status, path: '/admin/units' },
    <>
      <h1>{t('units.title')}</h1>
      <p>{t('units.intro')}</p>
      <Notice text={notice} />
      <p>
        <a class="button" href="/admin/units/new">
          {t('units.add')}
        </a>
      </p>
      {units.length === 0 ? (
        <p>{t('units.none')}</p>
      ) : (
        <>
          <p>{t('units.summary', { active, inactive: units.length - active })}</p>
          {categories.map((cat) => {
            const inCat = units.filter((u) => u.category === cat);
            if (!inCat.length) return null;
            return (
              <section>
                <h2>
                  {cat} <span class="count">({inCat.filter((u) => u.active).length})</span>
                </h2>
                <DataTable
                  columns={[
                    { head: t('units.code'), cell: (u: Unit) => <code>{u.code}</code> },
                    { head: t('units.name'), cell: (u: Unit) => u.name },
                    { head: t('common.status'), cell: (u: Unit) => (u.active ? t('common.active') : t('common.inactive')) },
                    {
                      head: t('common.actions'),
                      class: 'actions',
                      cell: (u: Unit) => (
                        <>
                          <a href={`/admin/units/${encodeURIComponent(u.code)}/edit`}>{t('common.edit')}</a>
                          <form method="post" action={`/admin/units/${encodeURIComponent(u.code)}/active`} class="inline">
                            <CsrfField c={c} />
                            <input type="hidden" name="active" value={u.active ? '0' : '1'} />
                            <button type="submit" class="link-button">
                              {u.active ? t('common.deactivate') : t('common.reactivate')}
                            </button>
                          </form>
                        </>
                      ),
                    },
                  ]}
                  rows={inCat}
                  rowClass={(u) => (u.active ? undefined : 'inactive')}
                />
              </section>
            );
          })}
        </>
      )}
      <section class="panel">
        <h2 id="import">{t('units.import')}</h2>
        <p class="hint">{t('units.importHint')}</p>
        <ProblemList c={c} problems={extra.problems ?? []} />
        <form method="post" action="/admin/units/import" enctype="multipart/form-data" class="stack">
          <CsrfField c={c} />
          <label for="file">{t('sheets.fileLabel')}</label>
          <input id="file" name="file" type="file" accept={UPLOAD_TYPES} required />
          <button type="submit">{t('pool.importSubmit')}</button>
        </form>
      </section>
    </>,
  );
}

async function UnitForm(c: Ctx, opts: { unit: Partial<UnitInput>; editing?: string; problems?: Problem[]; status?: 200 | 422 }) {
  const t = c.get('t');
  const categories = await listCategories(c.get('db'));
  const title = opts.editing ? t('units.edit') : t('units.add');
  const u = opts.unit;
  const action = opts.editing ? `/admin/units/${encodeURIComponent(opts.editing)}/edit` : '/admin/units';
  const invalid = (field: string) => (opts.problems?.some((p) => p.field === field) ? 'true' : undefined);
  return consolePage(
    c,
    { title, status: opts.status, path: opts.editing ? `/admin/units/${encodeURIComponent(opts.editing)}/edit` : '/admin/units/new' },
    <section class="narrow">
      <h1>{title}</h1>
      <ProblemList c={c} problems={(opts.problems ?? []).map((p) => problemText(t, p))} />
      <form method="post" action={action} class="stack">
        <CsrfField c={c} />
        <label for="code">{t('units.code')}</label>
        <input id="code" name="code" required maxlength={32} pattern="[A-Za-z0-9_\-]{1,32}" value={u.code ?? ''} aria-invalid={invalid('code')} />
        <label for="name">{t('units.name')}</label>
        <input id="name" name="name" required maxlength={100} value={u.name ?? ''} aria-invalid={invalid('name')} />
        <label for="category">{t('units.category')}</label>
        <p class="hint" id="category-hint">
          {t('units.categoryHint')}
        </p>
        <input
          id="category"
          name="category"
          required
          maxlength={50}
          list="categories"
          value={u.category ?? ''}
          aria-describedby="category-hint"
          aria-invalid={invalid('category')}
        />
        <datalist id="categories">
          {categories.map((cat) => (
            <option value={cat} />
          ))}
        </datalist>
        <label class="check">
          <input type="checkbox" name="active" value="1" checked={u.active !== false} /> {t('common.active')}
        </label>
        <div class="row">
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
          <a href="/admin/units">{t('common.cancel')}</a>
        </div>
      </form>
    </section>,
  );
}

function inputFrom(form: Record<string, string>): UnitInput {
  return { code: (form.code ?? '').trim(), name: (form.name ?? '').trim(), category: (form.category ?? '').trim(), active: form.active === '1' };
}

/** The console's units pages: list by category, add, edit, deactivate, import a CSV file. */
export const unitConsole = new Hono<AppEnv>()
  .get('/', (c) => ListPage(c))
  .get('/new', (c) => UnitForm(c, { unit: { active: true } }))
  .post('/', async (c) => {
    const unit = inputFrom(await formFields(c));
    const problems = unitProblems(unit);
    if (!problems.length && (await findUnit(c.get('db'), unit.code)))
      problems.push({ key: 'units.error.codeTaken', params: { value: unit.code }, field: 'code' });
    if (problems.length) return UnitForm(c, { unit, problems, status: 422 });
    await upsertUnits(c.get('db'), c.get('audit'), [unit], currentAdmin(c).username, 'units.add');
    return c.redirect(`/admin/units?done=added&code=${encodeURIComponent(unit.code)}`, 303);
  })
  .get('/import', (c) => c.redirect('/admin/units#import', 303))
  .post('/import', async (c) => {
    const t = c.get('t');
    const file = await formUpload(c, 'file');
    if (!file || file.bytes.length === 0) return ListPage(c, { problems: [t('units.error.noFile')], status: 422 });
    const parsed = await parseUnitsFile(file.bytes, file.name, t);
    if (!parsed.ok) return ListPage(c, { problems: parsed.problems.map((p) => t('csv.problem', { line: p.line, message: p.message })), status: 422 });
    const summary = await upsertUnits(c.get('db'), c.get('audit'), parsed.rows, currentAdmin(c).username);
    return c.redirect(`/admin/units?done=imported&added=${summary.added}&updated=${summary.updated}&unchanged=${summary.unchanged}`, 303);
  })
  .get('/:code/edit', async (c) => {
    const unit = await findUnit(c.get('db'), c.req.param('code'));
    if (!unit) throw new AppError('not_found', { message: 'units.error.notFound' });
    return UnitForm(c, { unit, editing: unit.code });
  })
  .post('/:code/edit', async (c) => {
    const code = c.req.param('code');
    const unit = inputFrom(await formFields(c));
    const problems = unitProblems(unit);
    if (problems.length) return UnitForm(c, { unit, editing: code, problems, status: 422 });
    const result = await updateUnit(c.get('db'), c.get('audit'), code, unit, currentAdmin(c).username);
    if (result === 'not_found') throw new AppError('not_found', { message: 'units.error.notFound' });
    if (result === 'code_taken')
      return UnitForm(c, { unit, editing: code, problems: [{ key: 'units.error.codeTaken', params: { value: unit.code }, field: 'code' }], status: 422 });
    return c.redirect(`/admin/units?done=updated&code=${encodeURIComponent(unit.code)}`, 303);
  })
  .post('/:code/active', async (c) => {
    const code = c.req.param('code');
    const active = (await formFields(c)).active === '1';
    if (!(await setUnitActive(c.get('db'), c.get('audit'), code, active, currentAdmin(c).username))) {
      throw new AppError('not_found', { message: 'units.error.notFound' });
    }
    return c.redirect(`/admin/units?done=${active ? 'reactivated' : 'deactivated'}&code=${encodeURIComponent(code)}`, 303);
  });
