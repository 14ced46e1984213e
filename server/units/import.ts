import { csvMessages } from '../csv/shape-messages.js';
import { parseFlag, readCsv, type CsvProblem, type CsvRead, type Encoding } from '../csv/read.js';
import type { Translate } from '../i18n/catalogue.js';
import { readTable } from '../sheets/read.js';
import { tableMessages } from '../sheets/shape-messages.js';
import { problemText } from '../validate.js';
import { unitProblems, type UnitInput } from './units.js';

const COLUMNS = {
  code: ['编号', '代码', '单位编号'],
  name: ['名称', '单位名称'],
  category: ['类别', '序列', '单位类别'],
  active: ['有效', '是否有效', '状态'],
} as const;

export type UnitsFile = { ok: true; encoding: Encoding; rows: UnitInput[] } | { ok: false; problems: CsvProblem[] };

/** Reads a units CSV (README, Command line: `code,name,category[,active]`), reporting every bad row with its line. */
export function parseUnitsCsv(bytes: Uint8Array, t: Translate): UnitsFile {
  return unitRows(readCsv(bytes, { columns: COLUMNS, required: REQUIRED, messages: csvMessages(t) }), t);
}

/** Reads a units file by its name: `.xlsx` as an Excel workbook, anything else as CSV; the same rules for both. */
export async function parseUnitsFile(bytes: Uint8Array, fileName: string, t: Translate): Promise<UnitsFile> {
  return unitRows(await readTable(bytes, fileName, { columns: COLUMNS, required: REQUIRED, messages: tableMessages(t) }), t);
}

const REQUIRED = ['code', 'name', 'category'] as const;

function unitRows(read: CsvRead<keyof typeof COLUMNS>, t: Translate): UnitsFile {
  if (!read.ok) return { ok: false, problems: read.problems };
  const problems: CsvProblem[] = [];
  const rows: UnitInput[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, values } of read.rows) {
    const active = parseFlag(values.active, true);
    const unit = { code: values.code ?? '', name: values.name ?? '', category: values.category ?? '', active: active ?? true };
    const found = unitProblems(unit);
    if (active === undefined) found.push({ key: 'units.error.active', params: { value: values.active ?? '' } });
    const seen = firstLine.get(unit.code);
    if (seen !== undefined) found.push({ key: 'units.error.duplicate', params: { value: unit.code, first: seen } });
    else firstLine.set(unit.code, line);
    for (const p of found) problems.push({ line, message: problemText(t, p) });
    if (!found.length) rows.push(unit);
  }
  return problems.length ? { ok: false, problems } : { ok: true, encoding: read.encoding, rows };
}
