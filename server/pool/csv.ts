import { csvMessages } from '../csv/shape-messages.js';
import { parseFlag, readCsv, toCsv, type CsvProblem, type CsvRead, type Encoding } from '../csv/read.js';
import { readTable } from '../sheets/read.js';
import { tableMessages } from '../sheets/shape-messages.js';
import type { Table } from '../sheets/write.js';
import type { Translate } from '../i18n/catalogue.js';
import { problemText } from '../validate.js';
import { optional, representativeProblems, type Representative, type RepresentativeInput } from './representatives.js';

const COLUMNS = {
  code: ['编号', '代码', '代表编号'],
  name: ['姓名', '名字'],
  stratum: ['界别', '类别', '分层'],
  district: ['区县', '地区', '所在区县'],
  phone: ['电话', '手机', '手机号', '联系电话'],
  email: ['邮箱', '电子邮箱', 'e-mail', 'mail'],
  active: ['有效', '是否有效', '状态'],
} as const;

export const EXPORT_HEADER = ['code', 'name', 'stratum', 'district', 'phone', 'email', 'active'] as const;

export type PoolFile = { ok: true; encoding: Encoding; rows: RepresentativeInput[] } | { ok: false; problems: CsvProblem[] };

/**
 * Reads a pool CSV (README, Command line). All or nothing: any bad row makes the whole file refused, and every bad row is
 * reported with its line number and reason.
 */
export function parsePoolCsv(bytes: Uint8Array, t: Translate): PoolFile {
  return poolRows(readCsv(bytes, { columns: COLUMNS, required: REQUIRED, messages: csvMessages(t) }), t);
}

/** Reads a pool file by its name: `.xlsx` as an Excel workbook, anything else as CSV; the same rules for both. */
export async function parsePoolFile(bytes: Uint8Array, fileName: string, t: Translate): Promise<PoolFile> {
  return poolRows(await readTable(bytes, fileName, { columns: COLUMNS, required: REQUIRED, messages: tableMessages(t) }), t);
}

const REQUIRED = ['code', 'name', 'stratum'] as const;

function poolRows(read: CsvRead<keyof typeof COLUMNS>, t: Translate): PoolFile {
  if (!read.ok) return { ok: false, problems: read.problems };
  const problems: CsvProblem[] = [];
  const rows: RepresentativeInput[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, values } of read.rows) {
    const active = parseFlag(values.active, true);
    const rep: RepresentativeInput = {
      code: values.code ?? '',
      name: values.name ?? '',
      stratum: values.stratum ?? '',
      district: optional(values.district),
      phone: optional(values.phone),
      email: optional(values.email),
      active: active ?? true,
    };
    const found = representativeProblems(rep);
    if (active === undefined) found.push({ key: 'pool.error.active', params: { value: values.active ?? '' } });
    const seen = firstLine.get(rep.code);
    if (seen !== undefined) found.push({ key: 'pool.error.duplicate', params: { value: rep.code, first: seen } });
    else firstLine.set(rep.code, line);
    for (const p of found) problems.push({ line, message: problemText(t, p) });
    if (!found.length) rows.push(rep);
  }
  return problems.length ? { ok: false, problems } : { ok: true, encoding: read.encoding, rows };
}

/** The whole pool as a table that `parsePoolFile` reads back unchanged, as CSV or as .xlsx. */
export function poolTable(reps: readonly Representative[]): Table {
  return { sheet: 'pool', header: EXPORT_HEADER, rows: reps.map((r) => [r.code, r.name, r.stratum, r.district, r.phone, r.email, r.active ? 1 : 0]) };
}

/** The whole pool as a CSV that `parsePoolCsv` reads back unchanged (UTF-8 with BOM, for Excel). */
export function poolCsv(reps: readonly Representative[]): string {
  const table = poolTable(reps);
  return toCsv(table.header, table.rows);
}
