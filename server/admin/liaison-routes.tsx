import { Hono } from 'hono';
import type { AppEnv, Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { formFields, type FormFields } from '../http/forms.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { listUnits } from '../units/units.js';
import { consolePage, CsrfField, DataTable, Notice, ProblemList } from './console-view.js';
import { currentAdmin } from './guard.js';
import { createLiaison, findLiaison, listLiaisons, resetLiaisonPassword, setLiaisonActive, type Liaison } from './liaisons.js';

const DONE = { added: 'liaisons.added', disabled: 'liaisons.disabled', enabled: 'liaisons.enabled', password: 'liaisons.passwordReset' } as const;

/** A refused form shown again: which one (`add`, or `password-{id}`), what was entered, and the problems. */
interface Refused {
  form: string;
  values: FormFields;
  problems: { key: MessageKey; field?: string }[];
}

async function LiaisonsPage(c: Ctx, refused?: Refused) {
  const t = c.get('t');
  const db = c.get('db');
  const liaisons = await listLiaisons(db);
  const units = await listUnits(db);
  const done = DONE[c.req.query('done') as keyof typeof DONE];
  const add = refused?.form === 'add' ? refused : undefined;
  const bad = (f: string) => (add?.problems.some((p) => p.field === f) ? 'true' : undefined);
  return consolePage(
    c,
    { title: t('liaisons.title'), status: refused ? 422 : undefined, path: '/admin/liaisons' },
    <>
      <h1>{t('liaisons.title')}</h1>
      <p>{t('liaisons.intro')}</p>
      <Notice text={done && t(done, { name: c.req.query('name') ?? '' })} />
      {liaisons.length === 0 ? (
        <p>{t('liaisons.none')}</p>
      ) : (
        <DataTable
          columns={[
            { head: t('admin.login.username'), cell: (l: Liaison) => l.username, names: true },
            {
              head: t('followup.unit'),
              cell: (l: Liaison) => (
                <>
                  <code>{l.unitCode}</code> {l.unitName ?? t('liaisons.unitGone')}
                </>
              ),
            },
            { head: t('common.status'), cell: (l: Liaison) => (l.active ? t('common.active') : t('common.inactive')) },
            {
              head: t('common.actions'),
              cell: (l: Liaison) => {
                const mine = refused?.form === `password-${l.id}` ? refused : undefined;
                return (
                  <div class="actions">
                    <form method="post" action={`/admin/liaisons/${l.id}/active`} class="inline">
                      <CsrfField c={c} />
                      <input type="hidden" name="active" value={l.active ? '0' : '1'} />
                      <button type="submit" class="link-button">
                        {l.active ? t('liaisons.disable') : t('liaisons.enable')}
                      </button>
                    </form>
                    <details class="reset-password" open={mine ? true : undefined}>
                      <summary>{t('liaisons.reset')}</summary>
                      <form method="post" action={`/admin/liaisons/${l.id}/password`} class="stack">
                        <ProblemList c={c} problems={(mine?.problems ?? []).map((p) => t(p.key))} />
                        <CsrfField c={c} />
                        <label for={`pw-${l.id}`}>{t('liaisons.passwordFor', { name: l.username })}</label>
                        <input
                          id={`pw-${l.id}`}
                          name="password"
                          type="password"
                          autocomplete="new-password"
                          required
                          minlength={10}
                          aria-describedby="password-hint"
                          aria-invalid={mine ? 'true' : undefined}
                        />
                        <button type="submit">{t('liaisons.reset')}</button>
                      </form>
                    </details>
                  </div>
                );
              },
            },
          ]}
          rows={liaisons}
          class="liaisons"
          rowClass={(l) => (l.active ? undefined : 'inactive')}
        />
      )}
      <section class="panel narrow">
        <h2 id="add">{t('liaisons.add')}</h2>
        <ProblemList c={c} problems={(add?.problems ?? []).map((p) => t(p.key))} />
        <form method="post" action="/admin/liaisons" class="stack">
          <CsrfField c={c} />
          <label for="username">{t('admin.login.username')}</label>
          <input id="username" name="username" required maxlength={64} autocomplete="off" value={add?.values.username ?? ''} aria-invalid={bad('username')} />
          <label for="password">{t('admin.login.password')}</label>
          <p class="hint" id="password-hint">
            {t('admin.setup.passwordHint')}
          </p>
          <input
            id="password"
            name="password"
            type="password"
            required
            minlength={10}
            autocomplete="new-password"
            aria-describedby="password-hint"
            aria-invalid={bad('password')}
          />
          <label for="unit">{t('liaisons.unit')}</label>
          <select id="unit" name="unit" required aria-invalid={bad('unit')}>
            {units.map((u) => (
              <option value={u.code} selected={add?.values.unit === u.code}>
                {u.code} · {u.name}
              </option>
            ))}
          </select>
          <button type="submit" class="primary">
            {t('liaisons.add')}
          </button>
        </form>
      </section>
    </>,
  );
}

/** The console's liaisons: list, add, disable or enable, reset a password. Administrators only (the guard). */
export const liaisonAdmin = new Hono<AppEnv>()
  .get('/', (c) => LiaisonsPage(c))
  .post('/', async (c) => {
    const form = await formFields(c);
    const r = await createLiaison(c.get('db'), c.get('audit'), {
      username: form.username ?? '',
      password: form.password ?? '',
      unit: form.unit ?? '',
      actor: currentAdmin(c).username,
    });
    if (!r.ok) return LiaisonsPage(c, { form: 'add', values: { username: form.username ?? '', unit: form.unit ?? '' }, problems: r.problems });
    return c.redirect(`/admin/liaisons?done=added&name=${encodeURIComponent((form.username ?? '').trim())}`, 303);
  })
  .post('/:id/active', async (c) => {
    const id = c.req.param('id');
    const active = (await formFields(c)).active === '1';
    const liaison = await findLiaison(c.get('db'), id);
    if (!liaison || !(await setLiaisonActive(c.get('db'), c.get('audit'), id, active, currentAdmin(c).username))) {
      throw new AppError('not_found', { message: 'liaisons.notFound' });
    }
    return c.redirect(`/admin/liaisons?done=${active ? 'enabled' : 'disabled'}&name=${encodeURIComponent(liaison.username)}`, 303);
  })
  .post('/:id/password', async (c) => {
    const id = c.req.param('id');
    const password = (await formFields(c)).password ?? '';
    const liaison = await findLiaison(c.get('db'), id);
    if (!liaison) throw new AppError('not_found', { message: 'liaisons.notFound' });
    const r = await resetLiaisonPassword(c.get('db'), c.get('audit'), id, password, currentAdmin(c).username);
    if (r === 'not_found') throw new AppError('not_found', { message: 'liaisons.notFound' });
    if (r !== 'ok') return LiaisonsPage(c, { form: `password-${id}`, values: {}, problems: r.problems.map((key) => ({ key })) });
    return c.redirect(`/admin/liaisons?done=password&name=${encodeURIComponent(liaison.username)}`, 303);
  });
