import { transaction } from '../db/transaction.js';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv, Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { formFields } from '../http/forms.js';
import { page } from '../http/layout.js';
import { clientAddress } from '../http/middleware.js';
import { countAdmins, createFirstAdmin, setupTokenUsable, sha256 } from './accounts.js';
import { ProblemList } from './console-view.js';
import { assertSameOrigin, currentUser, liaisonMayReach, safeNext } from './guard.js';
import { admitLogin, admitSetup, forgiveAttempt, forgiveLogin, type Admission } from './login-limit.js';
import { dummyHash, verifyPassword } from './passwords.js';
import { createSession, endSession, SESSION_COOKIE } from './sessions.js';

/** 429 with Retry-After for an attempt a limit refused. */
function refuse(refused: Extract<Admission, { ok: false }>): never {
  const seconds = refused.retryAfterSeconds;
  throw new AppError('rate_limited', { params: { minutes: Math.ceil(seconds / 60) }, retryAfterSeconds: seconds });
}

/**
 * Refuses a setup link that cannot be used (410), or an address that has tried too many (429), before anything
 * costly: a wrong link stays counted against its address, a usable one is forgiven.
 */
async function assertSetupLinkUsable(c: Ctx, token: string): Promise<void> {
  const db = c.get('db');
  const admitted = await admitSetup(db, c.get('clock'), clientAddress(c));
  if (!admitted.ok) refuse(admitted);
  if (!(await setupTokenUsable(db, c.get('clock'), token))) throw new AppError('gone', { message: 'admin.setup.gone' });
  await forgiveAttempt(db, admitted.id);
}

function startSession(c: Ctx, token: string) {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/admin',
    httpOnly: true,
    sameSite: 'Strict',
    secure: c.get('config').baseUrl.startsWith('https:'),
  });
}

async function LoginPage(c: Ctx, opts: { problems?: string[]; username?: string; status?: 200 | 422; notice?: string }) {
  const t = c.get('t');
  const next = safeNext(c.req.query('next'));
  const noAdmin = (await countAdmins(c.get('db'))) === 0;
  return page(
    c,
    { title: t('admin.login.title'), status: opts.status },
    <section class="narrow">
      <h1>{t('admin.login.title')}</h1>
      {opts.notice && (
        <p class="notice" role="status">
          {opts.notice}
        </p>
      )}
      {noAdmin && <p class="warning">{t('admin.login.noAdmin')}</p>}
      <ProblemList c={c} problems={opts.problems ?? []} />
      <form method="post" action={`/admin/login?next=${encodeURIComponent(next)}`} class="stack">
        <label for="username">{t('admin.login.username')}</label>
        <input id="username" name="username" autocomplete="username" required maxlength={64} value={opts.username ?? ''} />
        <label for="password">{t('admin.login.password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required maxlength={1024} />
        <button type="submit" class="primary">
          {t('admin.login.submit')}
        </button>
      </form>
    </section>,
  );
}

/** Login, logout and first-administrator setup: the only console routes reachable without a session. */
export const authRoutes = new Hono<AppEnv>()
  .get('/login', (c) => LoginPage(c, { notice: c.req.query('bye') === '1' ? c.get('t')('admin.login.loggedOut') : undefined }))
  .post('/login', async (c) => {
    assertSameOrigin(c);
    const db = c.get('db');
    const clock = c.get('clock');
    const form = await formFields(c);
    const username = (form.username ?? '').trim().slice(0, 64);
    const password = (form.password ?? '').slice(0, 1024);
    const address = clientAddress(c);
    // Counted before the password is checked, so a burst sent at once is held to the limit too.
    const admitted = await admitLogin(db, clock, username, address);
    if (!admitted.ok) refuse(admitted);

    const admin = await db.selectFrom('admins').select(['id', 'password_hash', 'role', 'active']).where('username', '=', username).executeTakeFirst();
    const ok = await verifyPassword(password, admin?.password_hash ?? (await dummyHash()));
    // A disabled account is told the same as a wrong password: the page says nothing about which accounts exist.
    if (!admin || !ok || admin.active !== 1) {
      return LoginPage(c, { problems: [c.get('t')('admin.login.failed')], username, status: 422 });
    }
    const token = await transaction(db, async (trx) => {
      // A session id planted before login is discarded: the session always starts anew.
      const old = getCookie(c, SESSION_COOKIE);
      if (old) await endSession(trx, sha256(old));
      await forgiveLogin(trx, username, address);
      await c.get('audit').record(trx, { actor: username, action: 'admin.login', detail: admin.role === 'admin' ? {} : { role: admin.role } });
      return createSession(trx, clock, admin.id);
    });
    startSession(c, token);
    const next = safeNext(c.req.query('next'));
    // A liaison reaches their unit's page only; any other place to go back to would answer 403.
    return c.redirect(admin.role === 'admin' || liaisonMayReach('GET', next.split('?')[0] ?? '') ? next : '/admin/unit', 303);
  })
  .post('/logout', async (c) => {
    const admin = currentUser(c);
    await endSession(c.get('db'), admin.sessionId);
    deleteCookie(c, SESSION_COOKIE, { path: '/admin' });
    return c.redirect('/admin/login?bye=1', 303);
  })
  .get('/setup/:token', async (c) => {
    await assertSetupLinkUsable(c, c.req.param('token'));
    return SetupPage(c, {});
  })
  .post('/setup/:token', async (c) => {
    assertSameOrigin(c);
    await assertSetupLinkUsable(c, c.req.param('token'));
    const t = c.get('t');
    const form = await formFields(c);
    const username = form.username ?? '';
    const password = form.password ?? '';
    if (password !== (form.confirm ?? '')) return SetupPage(c, { problems: [t('admin.error.passwordMismatch')], username, status: 422 });
    const result = await createFirstAdmin(c.get('db'), c.get('audit'), c.req.param('token'), { username, password });
    if (!result.ok && 'gone' in result) throw new AppError('gone', { message: 'admin.setup.gone' });
    if (!result.ok) return SetupPage(c, { problems: result.problems.map((k) => t(k)), username, status: 422 });
    startSession(c, await createSession(c.get('db'), c.get('clock'), result.id));
    return c.redirect('/admin', 303);
  });

function SetupPage(c: Ctx, opts: { problems?: string[]; username?: string; status?: 200 | 422 }) {
  const t = c.get('t');
  return page(
    c,
    { title: t('admin.setup.title'), status: opts.status },
    <section class="narrow">
      <h1>{t('admin.setup.title')}</h1>
      <p>{t('admin.setup.intro')}</p>
      <ProblemList c={c} problems={opts.problems ?? []} />
      <form method="post" class="stack">
        <label for="username">{t('admin.login.username')}</label>
        <input id="username" name="username" autocomplete="username" required maxlength={64} value={opts.username ?? ''} />
        <label for="password">{t('admin.login.password')}</label>
        <p class="hint" id="password-hint">
          {t('admin.setup.passwordHint')}
        </p>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength={10} aria-describedby="password-hint" />
        <label for="confirm">{t('admin.setup.confirm')}</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength={10} />
        <button type="submit" class="primary">
          {t('admin.setup.submit')}
        </button>
      </form>
    </section>,
  );
}
