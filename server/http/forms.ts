import { AppError } from './errors.js';
import type { Ctx } from './context.js';

const MiB = 1024 * 1024;
/** The largest body a form may send; CSV uploads may be larger (`UPLOAD_BODY_LIMIT`). */
export const FORM_BODY_LIMIT = 1 * MiB;
export const UPLOAD_BODY_LIMIT = 20 * MiB;

/** The content type of a plain HTML form's submission. */
export const FORM_TYPE = 'application/x-www-form-urlencoded';

export type FormFields = Record<string, string>;

/**
 * The submitted form as text fields only (files are read with `formFile`). Refuses content types other than
 * form encodings with 415, and repeated fields keep their last value.
 */
export async function formFields(c: Ctx): Promise<FormFields> {
  const body = await parse(c);
  const out: FormFields = {};
  for (const [k, v] of Object.entries(body)) {
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof last === 'string') out[k] = last;
  }
  return out;
}

/** What a table upload's file input accepts: CSV or an Excel workbook. */
export const UPLOAD_TYPES = '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An uploaded file's name (as the browser sends it, which says its type) and bytes, or undefined when the field holds no file. */
export async function formUpload(c: Ctx, name: string): Promise<{ name: string; bytes: Uint8Array } | undefined> {
  const body = await parse(c);
  const v = body[name];
  const f = Array.isArray(v) ? v[0] : v;
  if (!f || typeof f === 'string') return undefined;
  return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
}

async function parse(c: Ctx) {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) {
    throw new AppError('unsupported_media');
  }
  try {
    return await c.req.parseBody({ all: true });
  } catch {
    throw new AppError('bad_request');
  }
}
