import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { MessageKey } from '../i18n/catalogue.js';
import type { AppEnv, Ctx } from './context.js';
import { DatabaseUnavailable } from '../db/postgres-pool.js';
import { AppError } from './errors.js';

/** When a client should try again after the database was unavailable: long enough for a restart to finish. */
const RETRY_AFTER_SECONDS = 5;
import { page } from './layout.js';

type Status = AppError['status'];

function wantsJson(c: Ctx): boolean {
  return (
    c.req.path.endsWith('.json') || c.req.path.endsWith('.csv') || c.req.path.endsWith('.xlsx') || (c.req.header('accept') ?? '').startsWith('application/json')
  );
}

/** A friendly page (or a small JSON object for data routes) in the reader's language. */
export function errorResponse(c: Ctx, status: Status, opts: { message?: MessageKey; params?: Record<string, string | number>; reference?: string } = {}) {
  const t = c.get('t');
  const title = t(`error.title.${status}` as MessageKey);
  const body = opts.message ? t(opts.message, opts.params) : t(`error.body.${status}` as MessageKey, opts.params ?? { minutes: 15 });
  if (wantsJson(c)) return c.json({ error: status, message: body }, status);
  return page(
    c,
    { title, status },
    <section class="narrow error-page">
      <h1>{title}</h1>
      <p>{body}</p>
      {opts.reference && <p class="hint">{t('error.reference', { id: opts.reference })}</p>}
      <p>
        <a href="/" class="button">
          {t('error.backHome')}
        </a>
      </p>
    </section>,
  );
}

/** Turns any thrown error into a page; unexpected ones are logged once with the request id and leak nothing. */
export function handleError(log: (line: string) => void) {
  return async (err: Error, c: Context<AppEnv>) => {
    if (err instanceof AppError) {
      const res = await errorResponse(c, err.status, { message: err.options.message, params: err.options.params });
      if (err.options.retryAfterSeconds) res.headers.set('Retry-After', String(err.options.retryAfterSeconds));
      return res;
    }
    if (err instanceof DatabaseUnavailable) {
      // Nothing was written; the database is down, restarting or saturated. Said once per request, without a stack.
      log(`${c.get('requestId') ?? '-'} ERROR ${err.message.split('\n')[0]}`);
      const res = await errorResponse(c, 503);
      res.headers.set('Retry-After', String(RETRY_AFTER_SECONDS));
      return res;
    }
    if (err instanceof HTTPException && err.status === 413) return errorResponse(c, 413);
    if (err instanceof HTTPException && err.status < 500) return errorResponse(c, 400);
    // A client that hung up in the middle of its body: nobody is there to read an answer, and it is not our fault.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNRESET' || code === 'ECONNABORTED' || err.message === 'aborted') return errorResponse(c, 400);
    // PostgreSQL refuses text holding a NUL character (SQLSTATE 22021), which a hostile address or form can carry;
    // the statement failed, so nothing was written, and the request was bad. (Checked here rather than on every
    // request: it costs nothing until it happens.)
    if (code === '22021') return errorResponse(c, 400);
    const id = c.get('requestId') ?? '-';
    log(`${id} ERROR ${err.name}: ${err.message.split('\n')[0]}\n${err.stack ?? ''}`);
    return errorResponse(c, 500, { reference: id });
  };
}
