import type { Ctx } from '../http/context.js';
import { AppError } from '../http/errors.js';
import type { Problem } from '../validate.js';
import type { Result } from './result.js';

/** The year in the path, or 404. */
export function yearParam(c: Ctx): number {
  const y = c.req.param('year') ?? '';
  if (!/^\d{4}$/.test(y)) throw new AppError('not_found');
  return Number(y);
}

/** A comment's id in the path (a random integer below 2^53), or 404. */
export function commentIdParam(c: Ctx): number {
  const id = c.req.param('id') ?? '';
  if (!/^[1-9]\d{0,15}$/.test(id) || !Number.isSafeInteger(Number(id))) throw new AppError('not_found', { message: 'comments.error.notFound' });
  return Number(id);
}

/**
 * The answer to a refused action: 404 and 403 as error pages, 422 as the page the form came from, shown again with
 * its values and problems (`render`).
 */
export function refusedPage(
  r: Extract<Result<unknown>, { ok: false }>,
  render: (problems: Problem[]) => Promise<Response> | Response,
): Promise<Response> | Response {
  const first = r.problems[0];
  if (r.status === 404) throw new AppError('not_found', { message: first?.key, params: first?.params });
  if (r.status === 403) throw new AppError('forbidden', { message: first?.key, params: first?.params });
  return render(r.problems);
}
