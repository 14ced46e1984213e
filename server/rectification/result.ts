import type { MessageKey, Params } from '../i18n/catalogue.js';
import type { Problem } from '../validate.js';

/**
 * The result of an action here: done, or refused with the status the page answers with — 404 for something that
 * does not exist, 403 for another unit's data, 422 for input a person can correct (nothing changed in each case).
 */
export type Result<T> = { ok: true; value: T } | { ok: false; status: 403 | 404 | 422; problems: Problem[] };

export function refuse(status: 403 | 404 | 422, key: MessageKey, params?: Params, field?: string): { ok: false; status: 403 | 404 | 422; problems: Problem[] } {
  return { ok: false, status, problems: [{ key, params, field }] };
}
