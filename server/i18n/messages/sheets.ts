import type { Pair } from '../catalogue.js';

/** Spreadsheet files: reading .xlsx beside CSV, and the Excel form of every download. */
export const sheetMessages = {
  'sheets.notXlsx': {
    zh: '文件名是 .xlsx，但内容不是 Excel 工作簿（可能是改了扩展名的 CSV 或已损坏的文件）。请在 Excel 中打开后“另存为” Excel 工作簿（.xlsx）或 CSV。{detail}',
    en: 'the file is named .xlsx but is not an Excel workbook (perhaps a renamed CSV, or a damaged file). Open it in Excel and save it again as an Excel workbook (.xlsx) or as CSV. {detail}',
  },
  'sheets.oldExcel': {
    zh: '这是旧版 Excel 97-2003 文件（.xls）或设了密码的工作簿，无法读取。请在 Excel 中“另存为” Excel 工作簿（.xlsx，不设密码）或 CSV。',
    en: 'this is an old Excel 97-2003 file (.xls) or a password-protected workbook, which cannot be read. Save it in Excel as an Excel workbook (.xlsx, without a password) or as CSV.',
  },
  'sheets.notCsv': {
    zh: '文件内容是 Excel 工作簿（或其他压缩文件），不是 CSV。如果是 Excel 工作簿，请把文件名改为以 .xlsx 结尾。',
    en: 'the file holds an Excel workbook (or another zipped file), not CSV. If it is a workbook, name it with .xlsx at the end.',
  },
  'sheets.otherFormat': {
    zh: '不支持 {ext} 格式。请另存为 Excel 工作簿（.xlsx）或 CSV。',
    en: 'the {ext} format is not supported. Save the file as an Excel workbook (.xlsx) or as CSV.',
  },
  'sheets.tooLarge': {
    zh: '工作簿解压后过大，不像是一份名单。请只保留名单所在的工作表后再试。',
    en: 'the workbook unpacks to far more than a list needs. Keep only the worksheet with the list and try again.',
  },
  'sheets.fileLabel': { zh: 'CSV 或 Excel（.xlsx）文件', en: 'CSV or Excel (.xlsx) file' },
  'sheets.xlsx': { zh: 'Excel 表格（.xlsx）', en: 'Excel (.xlsx)' },
  'sheets.xlsxVersion': { zh: 'Excel 表格（第 {version} 版，.xlsx）', en: 'Excel table (version {version}, .xlsx)' },
} satisfies Record<string, Pair>;
