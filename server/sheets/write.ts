import ExcelJS from 'exceljs';
import { toCsv } from '../csv/read.js';

export type TableCell = string | number | null | undefined;

/** A table the product writes: one header row of column names, then its rows. */
export interface Table {
  header: readonly string[];
  rows: readonly (readonly TableCell[])[];
  /** The worksheet's name in the .xlsx form (Excel allows 31 characters). */
  sheet: string;
}

export type TableFormat = 'csv' | 'xlsx';

export const TABLE_CONTENT_TYPES: Record<TableFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The format a command writes to a file of this name: `.xlsx` for a workbook, CSV for anything else. */
export function formatOf(fileName: string): TableFormat {
  return /\.xlsx$/i.test(fileName) ? 'xlsx' : 'csv';
}

/** The table as the file's bytes: CSV (UTF-8 with BOM, see csv/read.ts toCsv) or an Excel workbook. */
export async function encodeTable(table: Table, format: TableFormat, opts: { date?: Date } = {}): Promise<Uint8Array<ArrayBuffer>> {
  return format === 'xlsx' ? toXlsx(table, opts) : new TextEncoder().encode(toCsv(table.header, table.rows));
}

/** Characters XML 1.0 cannot carry; a workbook holding one does not open. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/**
 * The table as an Excel workbook of one worksheet, set up as a table: a bold, frozen header row with filters, and
 * columns as wide as their content. Every cell is text (number format `@`) holding exactly what the CSV holds
 * before its formula guard: a text cell is never calculated, and the text format keeps a cell starting with `=`,
 * `+`, `-` or `@` as text even when someone edits it in Excel, so no apostrophe is needed.
 */
export async function toXlsx(table: Table, opts: { date?: Date } = {}): Promise<Uint8Array<ArrayBuffer>> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Pingyi';
  // The workbook's own creation date, when it should say when the data was made rather than when it was written.
  if (opts.date) {
    book.created = opts.date;
    book.modified = opts.date;
  }
  const sheet = book.addWorksheet(table.sheet.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Sheet1', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  const text = (v: TableCell) => (v === null || v === undefined ? '' : String(v).replace(NOT_XML, '\uFFFD'));
  const widths = table.header.map((h) => displayWidth(h));
  sheet.addRow(table.header.map(text)).font = { bold: true };
  for (const row of table.rows) {
    const cells = table.header.map((_, i) => text(row[i]));
    for (const [i, c] of cells.entries()) widths[i] = Math.max(widths[i] ?? 0, displayWidth(c));
    sheet.addRow(cells);
  }
  for (const [i, w] of widths.entries()) {
    const column = sheet.getColumn(i + 1);
    column.width = Math.min(60, Math.max(8, w + 2));
    // Sets the text format on the column and on every cell already in it.
    column.numFmt = '@';
  }
  if (table.header.length) sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, table.rows.length + 1), column: table.header.length } };
  return new Uint8Array(await book.xlsx.writeBuffer());
}

/** Columns of Excel's width unit a text needs: Chinese and other wide characters take two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u.test(ch) ? 2 : 1;
  return w;
}

/** A table as a download: the body and the headers naming it `{name}.csv` or `{name}.xlsx`. */
export async function tableDownload(
  table: Table,
  format: TableFormat,
  name: string,
  opts: { date?: Date } = {},
): Promise<{ body: Uint8Array<ArrayBuffer>; headers: Record<string, string> }> {
  return {
    body: await encodeTable(table, format, opts),
    headers: { 'Content-Type': TABLE_CONTENT_TYPES[format], 'Content-Disposition': `attachment; filename="${name}.${format}"` },
  };
}
