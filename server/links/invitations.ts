import type { Config } from '../config.js';
import { compareBytes } from '../draw/algorithm.js';
import type { Executor } from '../db/schema.js';
import type { Round } from '../rounds/rounds.js';
import { linkCode } from './codes.js';
import type { Table } from '../sheets/write.js';
import { linkToken, linkUrl } from './tokens.js';

export interface Invitation {
  code: string;
  name: string;
  stratum: string;
  district: string | null;
  phone: string | null;
  email: string | null;
  url: string;
  /** The seat's 测评码 in canonical form (links/codes.ts), derived like the token. */
  shortCode: string;
  used: boolean;
}

/**
 * Every current seat holder with their link, re-derived from the secret (the database holds only hashes).
 * Contact details are today's, found through the representative the code stood for at the freeze.
 */
export async function invitations(
  db: Executor,
  round: Round,
  config: Pick<Config, 'secret' | 'baseUrl'>,
  opts: { unusedOnly?: boolean } = {},
): Promise<Invitation[]> {
  let q = db
    .selectFrom('round_links')
    .innerJoin('round_pool', (j) => j.onRef('round_pool.round_id', '=', 'round_links.round_id').onRef('round_pool.code', '=', 'round_links.code'))
    .innerJoin('representatives', 'representatives.id', 'round_pool.representative_id')
    .select([
      'round_links.code',
      'round_links.generation',
      'round_links.used_on',
      'round_pool.stratum',
      'round_pool.district',
      'representatives.name',
      'representatives.phone',
      'representatives.email',
    ])
    .where('round_links.round_id', '=', round.id)
    .where('round_links.active', '=', 1);
  // Reminders go to those who can still answer online: a seat on paper has no working link.
  if (opts.unusedOnly) q = q.where('round_links.used_on', 'is', null).where('round_links.paper', '=', 0);
  const rows = await q.execute();
  return rows
    .sort((a, b) => compareBytes(a.stratum, b.stratum) || compareBytes(a.code, b.code))
    .map((r) => ({
      code: r.code,
      name: r.name,
      stratum: r.stratum,
      district: r.district,
      phone: r.phone,
      email: r.email,
      url: linkUrl(config.baseUrl, linkToken(config.secret, round.year, r.code, r.generation)),
      shortCode: linkCode(config.secret, round.year, r.code, r.generation),
      used: r.used_on !== null,
    }));
}

/** Invitations as the links table (docs/SPEC.md, The path of a ballot), written as CSV or .xlsx. */
export function invitationTable(list: readonly Invitation[], sheet: string): Table {
  return {
    sheet,
    header: ['code', 'name', 'stratum', 'district', 'phone', 'email', 'url'],
    rows: list.map((i) => [i.code, i.name, i.stratum, i.district, i.phone, i.email, i.url]),
  };
}

/** Every current seat holder's link, as the links table. */
export async function linksTable(db: Executor, round: Round, config: Pick<Config, 'secret' | 'baseUrl'>): Promise<{ table: Table; count: number }> {
  const list = await invitations(db, round, config);
  return { table: invitationTable(list, `links ${round.year}`), count: list.length };
}
