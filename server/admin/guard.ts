import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AdminIdentity, AppEnv, Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { formFields } from '../http/forms.js';
import { findSession, sameSecret, SESSION_COOKIE } from './sessions.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Paths under /admin that an anonymous visitor may reach. */
export function isPublicAdminPath(path: string): boolean {
  return path === '/admin/login' || path.startsWith('/admin/setup/');
}

/**
 * Refuses a state-changing request that a browser says came from another site. Browsers send Origin on every
 * cross-site POST; its absence (scripts, old clients) is allowed here and the CSRF token decides.
 */
export function assertSameOrigin(c: Ctx): void {
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  if (site === 'cross-site') throw new AppError('csrf');
  if (!origin) return;
  const own = [new URL(c.req.url).origin, new URL(c.get('config').baseUrl).origin];
  if (!own.includes(origin)) throw new AppError('csrf');
}

/**
 * What a liaison may reach: their unit's page and its actions, progress updates of items (each checked to be of
 * their unit), and logging out. Every other console route answers 403 to a liaison, whatever it is.
 */
export function liaisonMayReach(method: string, path: string): boolean {
  if (path === '/admin/unit' || path.startsWith('/admin/unit/')) return true;
  if (method === 'POST' && (path === '/admin/logout' || /^\/admin\/rectification\/items\/[^/]+\/updates$/.test(path))) return true;
  return false;
}

/** A safe place to go back to after login: a path inside the console, never another site. */
export function safeNext(next: string | undefined): string {
  return next && /^\/admin(\/[A-Za-z0-9_\-./%?=&]*)?$/.test(next) && !next.includes('//') && !next.includes('\\') ? next : '/admin';
}

/**
 * Every /admin route passes here: an anonymous GET is sent to the login page, any other anonymous request is
 * refused; a liaison is refused everything outside `liaisonMayReach`; a state-changing request needs the session's
 * CSRF token (form field `_csrf` or header `X-CSRF-Token`) and a same-origin browser.
 */
export const adminGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (isPublicAdminPath(c.req.path)) return next();
  const token = getCookie(c, SESSION_COOKIE);
  const admin = token ? await findSession(c.get('db'), c.get('clock'), token, c.get('config').sessionIdleMinutes) : undefined;
  if (!admin) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      return c.redirect(`/admin/login?next=${encodeURIComponent(safeNext(c.req.path))}`, 302);
    }
    throw new AppError('forbidden');
  }
  c.set('admin', admin);
  if (admin.role !== 'admin' && !liaisonMayReach(c.req.method, c.req.path)) throw new AppError('forbidden', { message: 'liaisons.forbidden' });
  if (!SAFE.has(c.req.method)) {
    assertSameOrigin(c);
    const given = c.req.header('x-csrf-token') ?? (await formFields(c))._csrf;
    if (!sameSecret(given, admin.csrfToken)) throw new AppError('csrf');
  }
  await next();
};

/** Whoever is signed in (an administrator or a liaison); only inside routes behind `adminGuard`. */
export function currentUser(c: Ctx): AdminIdentity {
  const user = c.get('admin');
  if (!user) throw new AppError('forbidden');
  return user;
}

/** The signed-in administrator: a liaison is refused here too, behind the guard's own refusal. */
export function currentAdmin(c: Ctx): AdminIdentity {
  const admin = currentUser(c);
  if (admin.role !== 'admin') throw new AppError('forbidden', { message: 'liaisons.forbidden' });
  return admin;
}

/** The signed-in liaison and their unit; an administrator has no unit page. */
export function currentLiaison(c: Ctx): AdminIdentity & { unit: string } {
  const user = currentUser(c);
  if (user.role !== 'liaison' || !user.unit) throw new AppError('forbidden', { message: 'liaisons.notLiaison' });
  return user as AdminIdentity & { unit: string };
}
