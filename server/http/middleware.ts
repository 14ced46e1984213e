import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { isLang, langFromAcceptLanguage, translator } from '../i18n/catalogue.js';
import type { AppEnv, Ctx } from './context.js';

const YEAR_SECONDS = 365 * 24 * 3600;

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The strict headers every answer carries, and `Cache-Control: no-store` (a handler may set its own). Referrer-Policy
 * same-origin keeps links out of other sites' logs (no-referrer would make browsers send `Origin: null` on the
 * console's forms, whose origin check relies on it); the survey's pages send none at all (`SURVEY_REFERRER_POLICY`).
 * Shared by the middleware and the ballot's fast path, so both answer with the same headers.
 */
export function securityHeaderList(httpsOnly: boolean, referrerPolicy = 'same-origin'): readonly (readonly [string, string])[] {
  return [
    ['Content-Security-Policy', CSP],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', referrerPolicy],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()'],
    ...(httpsOnly ? [['Strict-Transport-Security', 'max-age=31536000'] as const] : []),
    ['Cache-Control', 'no-store'],
  ];
}

/**
 * For the representative's pages (`/s/…`, `/k`, `/k/…`, `/thanks`): no Referer at all, not even to our own server, so that no
 * request line or log beyond the page's own carries its address.
 */
export const SURVEY_REFERRER_POLICY = 'no-referrer';

export const surveyReferrerPolicy: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.header('Referrer-Policy', SURVEY_REFERRER_POLICY);
  await next();
};

export function securityHeaders(httpsOnly: boolean): MiddlewareHandler<AppEnv> {
  const headers = securityHeaderList(httpsOnly);
  // Set on the context before the handler runs, so every response built through it (pages, errors, redirects,
  // assets, data) carries them without the Node adapter having to materialise a full Response afterwards.
  return async (c, next) => {
    for (const [k, v] of headers) c.header(k, v);
    await next();
  };
}

/** Open data may be read by anyone's scripts, from any site: it holds codes and figures only, never a secret. */
export const OPEN_DATA_HEADERS = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' } as const;

/** Paths that carry a secret in them; the log shows their shape only. */
export function redactPath(path: string): string {
  return path
    .replace(/^\/s\/[^/?#]+/, '/s/[token]')
    .replace(/^\/k\/[^/?#]+/, '/k/[code]')
    .replace(/^\/admin\/setup\/[^/?#]+/, '/admin/setup/[token]');
}

// Request ids: a random prefix per process and a counter (cheaper than random bytes per request, still unique).
const INSTANCE = randomBytes(3).toString('hex');
let requestCounter = 0;

export function nextRequestId(): string {
  return `${INSTANCE}-${(++requestCounter).toString(36)}`;
}

/**
 * The request log's line: id, method, path without query (queries can hold searched names), status, time, and which
 * entrance answered when it was not the app itself.
 */
export function requestLine(id: string, method: string, path: string, status: number, started: number, via?: string): string {
  return `${id} ${method} ${redactPath(path)} ${status} ${(performance.now() - started).toFixed(1)}ms${via ? ` (${via})` : ''}`;
}

/** One line per request (see `requestLine`). Never a token, never personal data. */
export function requestLog(log: (line: string) => void): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    c.set('requestId', nextRequestId());
    await next();
    log(requestLine(c.get('requestId'), c.req.method, c.req.path, c.res.status, started));
  };
}

/** Language from `?lang=` (then remembered in a cookie), the cookie, or Accept-Language; and the 大字 switch. */
export const languageAndTextSize: MiddlewareHandler<AppEnv> = async (c, next) => {
  const asked = c.req.query('lang');
  let lang = isLang(asked) ? asked : undefined;
  if (lang) setCookie(c, 'lang', lang, { path: '/', maxAge: YEAR_SECONDS, sameSite: 'Lax', httpOnly: true });
  if (!lang) {
    const fromCookie = getCookie(c, 'lang');
    lang = isLang(fromCookie) ? fromCookie : langFromAcceptLanguage(c.req.header('accept-language'));
  }
  c.set('lang', lang);
  c.set('t', translator(lang));

  const text = c.req.query('text');
  let large = getCookie(c, 'text') === 'large';
  if (text === 'large' || text === 'normal') {
    large = text === 'large';
    setCookie(c, 'text', text, { path: '/', maxAge: YEAR_SECONDS, sameSite: 'Lax', httpOnly: true });
  }
  c.set('largeText', large);
  await next();
};

/** The client's address: the socket's, or X-Forwarded-For's last hop when TRUST_PROXY says a proxy sets it. */
export function clientAddress(c: Ctx): string {
  let socketAddress: string | undefined;
  try {
    socketAddress = getConnInfo(c).remote.address;
  } catch {
    // in-process requests (tests) have no socket
  }
  return addressOf(c.get('config').trustProxy, c.req.header('x-forwarded-for'), socketAddress);
}

/** `clientAddress` from its parts, for code that answers before Hono (the ballot's fast path). */
export function addressOf(trustProxy: boolean, forwardedFor: string | undefined, socketAddress: string | undefined): string {
  if (trustProxy) {
    const hops = (forwardedFor ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const last = hops[hops.length - 1];
    if (last) return last.slice(0, 64);
  }
  return socketAddress ?? 'unknown';
}

/**
 * The current URL (or `path`, for a page that answers a POST) with one query parameter set: used by the language
 * and text-size switches, which must lead to an address a GET can open.
 */
export function withQuery(c: Ctx, key: string, value: string, path?: string): string {
  const url = new URL(path && c.req.method !== 'GET' && c.req.method !== 'HEAD' ? path : c.req.url, c.req.url);
  url.searchParams.set(key, value);
  return `${url.pathname}?${url.searchParams.toString()}`;
}
