import ExcelJS from 'exceljs';
import { readCsv, shapeRecords, type CsvRead, type CsvShape, type TableRecord } from '../csv/read.js';

/** The problems of a file that is not a table we read, in the reader's language (see shape-messages.ts). */
export interface SheetMessages {
  /** Named .xlsx but not an Excel workbook (a renamed CSV, a damaged file). */
  notXlsx: (detail: string) => string;
  /** An Excel 97-2003 .xls, or a workbook saved with a password (both are OLE compound files). */
  oldExcel: string;
  /** A workbook (or another zipped file) named as if it were a CSV. */
  notCsv: string;
  /** A spreadsheet format we do not read (.ods, .numbers, .xlsb, …). */
  otherFormat: (name: string) => string;
  /** A workbook that expands to more than we are willing to unpack. */
  tooLarge: string;
}

export type SheetShape<K extends string> = CsvShape<K> & { messages: CsvShape<K>['messages'] & SheetMessages };

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);
const OTHER_FORMATS = /\.(xls|xlsb|xlsm|xltx|xltm|ods|fods|numbers|et|ett|dbf|wps)$/i;

/** The most a workbook may expand to: the pool's 3,200 rows take a few MB; anything far beyond is not a pool. */
const MAX_UNPACKED = 200 * 1024 * 1024;

/**
 * Reads an uploaded or named table file: `.xlsx` as an Excel workbook (its first worksheet), anything else as CSV
 * (UTF-8 or GB18030, see csv/read.ts). The file's content must be what its name says, so a renamed file gets a
 * message that says what it really is instead of a screen of unknown columns. Problems carry the CSV's line or
 * the worksheet's row number, as the person sees them in their editor.
 */
export async function readTable<K extends string>(bytes: Uint8Array, fileName: string, shape: SheetShape<K>): Promise<CsvRead<K>> {
  const m = shape.messages;
  const refuse = (message: string): CsvRead<K> => ({ ok: false, encoding: undefined, problems: [{ line: 1, message }] });
  if (startsWith(bytes, OLE)) return refuse(m.oldExcel);
  if (/\.xlsx$/i.test(fileName)) {
    if (!startsWith(bytes, ZIP)) return refuse(m.notXlsx(''));
    return readXlsx(bytes, shape);
  }
  if (OTHER_FORMATS.test(fileName)) return refuse(m.otherFormat(fileName.slice(fileName.lastIndexOf('.'))));
  if (startsWith(bytes, ZIP)) return refuse(m.notCsv);
  return readCsv(bytes, shape);
}

async function readXlsx<K extends string>(bytes: Uint8Array, shape: SheetShape<K>): Promise<CsvRead<K>> {
  const refuse = (message: string): CsvRead<K> => ({ ok: false, encoding: undefined, problems: [{ line: 1, message }] });
  const unpacked = declaredUnpackedSize(bytes);
  if (unpacked === undefined) return refuse(shape.messages.notXlsx(''));
  if (unpacked > MAX_UNPACKED) return refuse(shape.messages.tooLarge);
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  } catch (e) {
    return refuse(shape.messages.notXlsx((e as Error).message ?? ''));
  }
  // exceljs lists the worksheets in the order of their tabs; a ZIP without any is some other zipped document.
  const sheet = book.worksheets[0];
  if (!sheet) return refuse(shape.messages.notXlsx(''));
  const records: TableRecord[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const fields: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      fields[col - 1] = cellText(cell.value, cell.numFmt);
    });
    records.push({ line: rowNumber, fields: Array.from(fields, (f) => f ?? '') });
  });
  // A worksheet has no field count of its own: blank cells after the header's last column are not extra fields,
  // and a row that stops early has blank cells to the end.
  const blank = (f: string | undefined) => (f ?? '').trim() === '';
  const header = records.find((r) => !r.fields.every(blank));
  if (header) while (header.fields.length && blank(header.fields[header.fields.length - 1])) header.fields.pop();
  const columns = header?.fields.length ?? 0;
  for (const r of records) {
    while (r.fields.length > columns && blank(r.fields[r.fields.length - 1])) r.fields.pop();
    while (r.fields.length < columns) r.fields.push('');
  }
  return shapeRecords(records, shape, 'xlsx');
}

/**
 * A cell as the text a person sees in it: numbers without a trailing ".0" (and with the leading zeros a "000000"
 * format shows), dates as YYYY-MM-DD (with the time when there is one), rich text and links as their text, and a
 * formula as its last computed result.
 */
export function cellText(value: ExcelJS.CellValue, numFmt?: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    const text = Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toFixed(0) : String(value);
    const zeros = numFmt && /^0+$/.test(numFmt) ? numFmt.length : 0;
    return value >= 0 && Number.isInteger(value) ? text.padStart(zeros, '0') : text;
  }
  if (value instanceof Date) {
    // Excel stores a wall-clock time with no zone; exceljs hands it over as that time in UTC.
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  }
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('hyperlink' in value) return cellText(value.text as ExcelJS.CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue, numFmt);
  if ('error' in value) return value.error;
  return '';
}

/**
 * The total size a ZIP archive's central directory says its entries unpack to, or undefined when the bytes are
 * not a readable ZIP; checked before unpacking so a small upload cannot unpack to gigabytes.
 */
export function declaredUnpackedSize(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record is in the last 22 + 65,535 bytes (its comment may be that long).
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return undefined;
  const entries = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return undefined;
    const size = view.getUint32(at + 24, true);
    // 0xFFFFFFFF means the size is in a ZIP64 field: far beyond anything a table of people needs.
    if (size === 0xffffffff) return Number.POSITIVE_INFINITY;
    total += size;
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return total;
}
