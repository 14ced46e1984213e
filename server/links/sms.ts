import type { Config } from '../config.js';
import type { Executor } from '../db/schema.js';
import { translator } from '../i18n/catalogue.js';
import type { Round } from '../rounds/rounds.js';
import type { Table } from '../sheets/write.js';
import { refused, type Outcome } from '../validate.js';
import { CODE_LENGTH, codeUrl } from './codes.js';
import { invitations } from './invitations.js';

/** One SMS segment holds 70 characters of Chinese (UCS-2); a longer text is sent, and billed, as several. */
export const SMS_MAX = 70;

const zh = translator('zh-CN');

/** The text sent to one seat: always Chinese, the code's address last so that no character is taken into the link. */
export function smsText(year: number, baseUrl: string, code: string): string {
  return zh('codes.sms.text', { year, url: codeUrl(baseUrl, code) });
}

/**
 * The SMS list (docs/SPEC.md, Channels): `code,name,phone,text` for every current seat holder with a phone, `unused`
 * for reminders. Every text has the same length (a code has 16 characters, a year 4), so a BASE_URL too long for one
 * segment is refused before anything is written, with the longest address that fits.
 */
export async function smsList(
  db: Executor,
  round: Round,
  config: Pick<Config, 'secret' | 'baseUrl'>,
  opts: { unusedOnly?: boolean } = {},
): Promise<Outcome<{ table: Table; count: number }>> {
  const length = smsText(round.year, config.baseUrl, '0'.repeat(CODE_LENGTH)).length;
  if (length > SMS_MAX) return refused('codes.sms.tooLong', { base: config.baseUrl, length, max: config.baseUrl.length - (length - SMS_MAX) }, 'baseUrl');
  const list = (await invitations(db, round, config, opts)).filter((i) => i.phone);
  const table: Table = {
    sheet: `sms ${round.year}`,
    header: ['code', 'name', 'phone', 'text'],
    rows: list.map((i) => [i.code, i.name, i.phone, smsText(round.year, config.baseUrl, i.shortCode)]),
  };
  return { ok: true, value: { table, count: list.length } };
}
