import type { Translate } from '../i18n/catalogue.js';
import type { CsvShape } from './read.js';

/** The structural CSV problems in the reader's language. */
export function csvMessages(t: Translate): CsvShape<string>['messages'] {
  return {
    empty: t('csv.empty'),
    unreadable: (detail) => t('csv.unreadable', { detail }),
    unknownColumn: (name) => t('csv.unknownColumn', { name }),
    duplicateColumn: (name) => t('csv.duplicateColumn', { name }),
    missingColumn: (name) => t('csv.missingColumn', { name }),
    fieldCount: (got, want) => t('csv.fieldCount', { got, want }),
  };
}
