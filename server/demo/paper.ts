/*
 * Paper ballots in the demo's open round: a dozen rural representatives answer on paper, a batch is printed for
 * their stratum, and the returned sheets are typed in by two administrators: most agree and count, one waits for
 * its second entry and one is disputed, so every part of the console's paper pages has something to show.
 */
import seedrandom from 'seedrandom';
import { auditTrail } from '../audit/log.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Store } from '../db/store.js';
import { batchSerials, issueBatch } from '../paper/batches.js';
import { answerField, enterPaperBallot, KEYS, paperForm } from '../paper/entry.js';
import { setPaperSeat } from '../paper/seats.js';
import { findRound } from '../rounds/rounds.js';

function must<T>(o: { ok: true; value: T } | { ok: false; problems: unknown[] }): T {
  if (!o.ok) throw new Error(`demo: ${JSON.stringify(o.problems)}`);
  return o.value;
}

export const DEMO_PAPER_STRATUM = '农村代表';
const SEATS = 12;

/** Puts seats of the open round on paper and types their sheets in; resolves to the serials stored. */
export async function demoPaper(
  store: Store,
  config: Config,
  clock: Clock,
  year: number,
  typists: [{ id: string; username: string }, { id: string; username: string }],
) {
  const db = store.db;
  const audit = auditTrail(config.secret, clock);
  const round = await findRound(db, year);
  if (!round) throw new Error(`demo: no round ${year}`);
  const seats = await db
    .selectFrom('round_links')
    .innerJoin('round_pool', (j) => j.onRef('round_pool.round_id', '=', 'round_links.round_id').onRef('round_pool.code', '=', 'round_links.code'))
    .select('round_links.code')
    .where('round_links.round_id', '=', round.id)
    .where('round_links.active', '=', 1)
    .where('round_links.used_on', 'is', null)
    .where('round_pool.stratum', '=', DEMO_PAPER_STRATUM)
    .orderBy('round_links.code', 'desc')
    .limit(SEATS)
    .execute();
  for (const s of seats) must(await setPaperSeat(db, audit, { year, code: s.code, paper: true }, 'demo'));
  const batch = must(await issueBatch(db, audit, { year, stratum: DEMO_PAPER_STRATUM, count: String(seats.length + 2) }, 'demo'));
  const serials = (await batchSerials(db, round.id, batch.batch))?.serials ?? [];
  const form = await paperForm(db, round);
  const rng = seedrandom(`demo-paper-${year}`);
  const keys = Object.keys(KEYS);
  const returned = serials.slice(0, seats.length);
  const stored: string[] = [];
  for (const [i, serial] of returned.entries()) {
    const fields: Record<string, string> = {};
    for (const u of form.units)
      for (const ind of form.indicators) fields[answerField(form, u.code, ind.key)] = keys[rng() < 0.55 ? 0 : rng() < 0.7 ? 1 : rng() < 0.6 ? 2 : 3] as string;
    must(await enterPaperBallot(db, audit, { year, serial, fields }, typists[0]));
    // The last sheet waits for its second entry; the one before is typed differently in one place (disputed).
    if (i === returned.length - 1) continue;
    const second = { ...fields };
    if (i === returned.length - 2) {
      const f = answerField(form, form.units[3]?.code ?? '', form.indicators[0]?.key ?? '');
      second[f] = second[f] === '1' ? '2' : '1';
    }
    const r = must(await enterPaperBallot(db, audit, { year, serial, fields: second }, typists[1]));
    if (r.result === 'stored') stored.push(serial);
  }
  return stored;
}
