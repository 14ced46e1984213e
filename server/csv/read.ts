import { parse } from 'csv-parse/sync';
import { isPhone } from '../validate.js';

/** How a file's bytes were read (a text encoding, or an Excel workbook): shown so a wrongly saved file is easy to spot. */
export type Encoding = 'utf-8-bom' | 'utf-8' | 'gb18030' | 'xlsx';

/**
 * Decodes a spreadsheet export without being told its encoding: a UTF-8 BOM means UTF-8; bytes that are valid
 * UTF-8 are UTF-8; anything else is read as GB18030 (what Excel saves on a Chinese Windows). GB18030 decodes
 * every byte sequence, so a file that is neither still decodes, and the row checks then catch the damage.
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: Encoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

export interface CsvProblem {
  line: number;
  message: string;
}

export interface CsvRow<K extends string> {
  line: number;
  values: Partial<Record<K, string>>;
}

export type CsvRead<K extends string> =
  | { ok: true; encoding: Encoding; columns: K[]; rows: CsvRow<K>[] }
  | { ok: false; encoding: Encoding | undefined; problems: CsvProblem[] };

export interface CsvShape<K extends string> {
  /** Canonical column names and the other header spellings accepted for each (matched case-insensitively). */
  columns: Record<K, readonly string[]>;
  required: readonly NoInfer<K>[];
  /** Problem texts, in the reader's language. */
  messages: {
    empty: string;
    unreadable: (detail: string) => string;
    unknownColumn: (name: string) => string;
    duplicateColumn: (name: string) => string;
    missingColumn: (name: string) => string;
    fieldCount: (got: number, want: number) => string;
  };
}

/**
 * Reads a CSV file whose columns are found by header name. Every structural problem (unknown, repeated or
 * missing columns, rows with the wrong number of fields) is reported with its line number; field values are
 * returned trimmed, for the caller to check.
 */
export function readCsv<K extends string>(bytes: Uint8Array, shape: CsvShape<K>): CsvRead<K> {
  const { text, encoding } = decodeText(bytes);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // One line ending throughout: csv-parse would count a lone CR beside CRLF as a line of its own.
    records = parse(text.replace(/\r\n?/g, '\n'), { info: true, relax_column_count: true, skip_empty_lines: true, bom: true }) as unknown as typeof records;
  } catch (e) {
    const err = e as { lines?: number; message?: string };
    return { ok: false, encoding, problems: [{ line: err.lines ?? 1, message: shape.messages.unreadable(err.message ?? '') }] };
  }
  const lines = records.map(({ record, info }) => ({
    // csv-parse reports the line a record ends on; a quoted line break inside makes it start earlier.
    line: info.lines - record.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0),
    fields: record,
  }));
  return shapeRecords(lines, shape, encoding);
}

/** One record of a table file: its fields as text and the line (or spreadsheet row) it starts on. */
export interface TableRecord {
  line: number;
  fields: string[];
}

/**
 * Finds the columns of a table's records by the header's names and checks every row's field count; shared by the
 * CSV and the spreadsheet readers so both report the same problems for the same content.
 */
export function shapeRecords<K extends string>(all: readonly TableRecord[], shape: CsvShape<K>, encoding: Encoding): CsvRead<K> {
  // Rows where every field is blank are what spreadsheets leave behind: ignore them.
  const records = all.filter((r) => r.fields.some((f) => f.trim() !== ''));
  const header = records[0];
  if (!header) return { ok: false, encoding, problems: [{ line: 1, message: shape.messages.empty }] };

  const problems: CsvProblem[] = [];
  const lookup = new Map<string, K>();
  for (const [key, names] of Object.entries(shape.columns) as [K, readonly string[]][]) {
    for (const n of [key, ...names]) lookup.set(n.toLowerCase(), key);
  }
  const order: K[] = [];
  for (const raw of header.fields) {
    const name = raw.trim();
    const key = lookup.get(name.toLowerCase());
    if (!key) problems.push({ line: header.line, message: shape.messages.unknownColumn(name) });
    else if (order.includes(key)) problems.push({ line: header.line, message: shape.messages.duplicateColumn(name) });
    if (key) order.push(key);
  }
  for (const req of shape.required) {
    if (!order.includes(req)) problems.push({ line: header.line, message: shape.messages.missingColumn(req) });
  }
  if (problems.length) return { ok: false, encoding, problems };

  const rows: CsvRow<K>[] = [];
  for (const { fields, line } of records.slice(1)) {
    if (fields.length !== order.length) {
      problems.push({ line, message: shape.messages.fieldCount(fields.length, order.length) });
      continue;
    }
    const values: Partial<Record<K, string>> = {};
    for (const [i, key] of order.entries()) values[key] = unguard((fields[i] ?? '').trim());
    rows.push({ line, values });
  }
  if (problems.length) return { ok: false, encoding, problems };
  return { ok: true, encoding, columns: order, rows };
}

/** Undoes `spreadsheetSafe`: an apostrophe before formula-like text was added on export, not typed by a person. */
function unguard(v: string): string {
  return v.startsWith("'") && FORMULA_START.test(v.slice(1)) ? v.slice(1) : v;
}

/** Quotes one CSV field when needed (RFC 4180). */
export function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** What a spreadsheet may take for the start of a formula, full-width forms included (OWASP's CSV injection rule). */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * Neutralises text a spreadsheet would run as a formula (CSV injection) by prefixing an apostrophe, which the
 * importers take off again. The one exception is a phone column's valid number (`+86 138…`), which is kept as it is.
 */
export function spreadsheetSafe(v: string, opts: { phone?: boolean } = {}): string {
  if (!FORMULA_START.test(v) || (opts.phone && isPhone(v))) return v;
  return `'${v}`;
}

/** A CSV file as Excel on a Chinese Windows opens it correctly: UTF-8 with a BOM, CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const phone = header.indexOf('phone');
  const cell = (v: string | number | null | undefined, i: number) => csvField(typeof v === 'string' ? spreadsheetSafe(v, { phone: i === phone }) : v);
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** Reads a yes/no cell; an empty cell means the default. Undefined when the text is not understood. */
export function parseFlag(text: string | undefined, fallback: boolean): boolean | undefined {
  const v = (text ?? '').trim().toLowerCase();
  if (v === '') return fallback;
  if (['1', 'true', 'yes', 'y', '是', '有效', '启用', 'active'].includes(v)) return true;
  if (['0', 'false', 'no', 'n', '否', '无效', '停用', 'inactive'].includes(v)) return false;
  return undefined;
}
