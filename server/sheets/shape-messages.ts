import { csvMessages } from '../csv/shape-messages.js';
import type { Translate } from '../i18n/catalogue.js';
import type { SheetShape } from './read.js';

/** The structural problems of a CSV or .xlsx file in the reader's language. */
export function tableMessages(t: Translate): SheetShape<string>['messages'] {
  return {
    ...csvMessages(t),
    notXlsx: (detail) => t('sheets.notXlsx', { detail: detail ? `(${detail})` : '' }).trim(),
    oldExcel: t('sheets.oldExcel'),
    notCsv: t('sheets.notCsv'),
    otherFormat: (ext) => t('sheets.otherFormat', { ext }),
    tooLarge: t('sheets.tooLarge'),
  };
}
