import type { AuditTrail } from '../audit/log.js';
import type { Database, Executor } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { compareBytes } from '../draw/algorithm.js';
import { designOf } from '../rounds/design.js';
import { findRound, type Round } from '../rounds/rounds.js';
import type { Answer, Choice } from '../survey/ballot.js';
import { ballotId } from '../survey/cast.js';
import { refused, type Outcome, type Problem } from '../validate.js';
import { paperSeatsByStratum } from './seats.js';
import { readSerial } from './serials.js';

/*
 * Double entry of returned paper ballots. Each administrator types a sheet on their own: the serial, then one key
 * per unit (and per indicator). The first entry waits; a second by another administrator that agrees stores the
 * ballot exactly as an online one (random id, the answers as the form stores them, the batch's stratum, the serial
 * as receipt, no comments) and deletes the entries, in one transaction. Two that disagree make the serial disputed:
 * a third administrator's entry that agrees with one of them settles it, or the entries are discarded and the
 * sheet typed twice again. Comments and reasons on a sheet are not entered.
 */

/** The key typed for each answer of the four-answer scale. */
export const KEYS: Record<string, Choice> = { '1': 'satisfied', '2': 'basic', '3': 'dissatisfied', '4': 'unknown' };
/** score100: the key typed for 不了解 (a score is typed as its digits). */
export const UNKNOWN_KEY = 'x';

/** A round's paper ballot: units in the round's fixed order (categories in order, then code), and its indicators. */
export interface PaperForm {
  scale: Round['scale'];
  units: { code: string; name: string; category: string }[];
  indicators: { key: string; label: string }[];
}

export async function paperForm(db: Executor, round: Round): Promise<PaperForm> {
  const units = (await db.selectFrom('round_units').select(['code', 'name', 'category', 'category_position']).where('round_id', '=', round.id).execute())
    .sort((a, b) => a.category_position - b.category_position || compareBytes(a.code, b.code))
    .map(({ code, name, category }) => ({ code, name, category }));
  const indicators = designOf(round).indicators.map(({ key, label }) => ({ key, label }));
  return { scale: round.scale, units, indicators };
}

/** The form field of one answer: `u.{code}`, or with several indicators `u.{code}.{key}` (as the online form). */
export function answerField(form: PaperForm, code: string, key: string): string {
  return form.indicators.length === 1 ? `u.${code}` : `u.${code}.${key}`;
}

/** Reads one typed key; undefined when it is not an answer of the scale. */
export function readKey(scale: Round['scale'], typed: string): Answer | undefined {
  const v = typed.trim().toLowerCase();
  if (scale === 'satisfaction4') return KEYS[v];
  if (v === UNKNOWN_KEY) return 'unknown';
  return /^(100|[1-9]?\d)$/.test(v) ? Number(v) : undefined;
}

export type ParsedEntry = { ok: true; answers: string } | { ok: false; problems: Problem[] };

/** A typed sheet's answers, as the JSON an online ballot stores; every unit and indicator must have one. */
export function parseEntry(form: PaperForm, fields: Readonly<Record<string, string | undefined>>): ParsedEntry {
  const problems: Problem[] = [];
  const answers: Record<string, Answer | Answer[]> = {};
  form.units.forEach((u, i) => {
    const row: Answer[] = [];
    for (const ind of form.indicators) {
      const field = answerField(form, u.code, ind.key);
      const a = readKey(form.scale, fields[field] ?? '');
      const params = { n: i + 1, unit: u.name, indicator: ind.label };
      if (a === undefined) problems.push({ key: form.scale === 'satisfaction4' ? 'paper.error.key4' : 'paper.error.key100', params, field });
      else row.push(a);
    }
    answers[u.code] = form.indicators.length === 1 ? (row[0] as Answer) : row;
  });
  return problems.length ? { ok: false, problems } : { ok: true, answers: JSON.stringify(answers) };
}

export type EntryResult =
  /** The first entry of this sheet: it waits for a second administrator's. */
  | 'first'
  /** Two entries agree: the ballot is stored. */
  | 'stored'
  /** The second entry differs from the first: the serial is disputed. */
  | 'disputed';

const ENTERING = new Set(['open', 'closed']);

/**
 * One administrator's entry of a returned sheet, all or nothing. Refused: a round not open or closed, a serial
 * mistyped (its check character) or not issued in this round, a serial already stored, a second entry by the same
 * administrator, a new sheet when its stratum already has as many returned as paper seats, and a third entry that
 * agrees with neither disputed one.
 */
export async function enterPaperBallot(
  db: Database,
  audit: AuditTrail,
  input: { year: number; serial: string; fields: Readonly<Record<string, string | undefined>> },
  admin: { id: string; username: string },
): Promise<Outcome<{ serial: string; result: EntryResult }>> {
  const { year } = input;
  return transaction(db, async (trx) => {
    const round = await findRound(trx, year);
    if (!round) return refused('rounds.error.notFound', { year });
    if (!ENTERING.has(round.status)) return refused('paper.error.notEntering', { year, status: round.status });
    const read = readSerial(input.serial);
    const problems: Problem[] = [];
    if (!read.ok)
      problems.push({
        key: read.reason === 'check' ? 'paper.error.serialTypo' : 'paper.error.serialFormat',
        params: { serial: input.serial.trim() },
        field: 'serial',
      });
    const parsed = parseEntry(await paperForm(trx, round), input.fields);
    if (!parsed.ok) problems.push(...parsed.problems);
    if (!read.ok || !parsed.ok) return { ok: false, problems };
    const serial = read.serial;
    const issued = await trx.selectFrom('paper_serials').select('stratum').where('round_id', '=', round.id).where('serial', '=', serial).executeTakeFirst();
    if (!issued) return refused('paper.error.serialUnknown', { serial }, 'serial');
    const stored = await trx.selectFrom('ballots').select('id').where('round_id', '=', round.id).where('receipt', '=', serial).executeTakeFirst();
    if (stored) return refused('paper.error.serialStored', { serial }, 'serial');
    const entries = await trx
      .selectFrom('paper_entries')
      .select(['admin_id', 'answers'])
      .where('round_id', '=', round.id)
      .where('serial', '=', serial)
      .execute();
    if (entries.some((e) => e.admin_id === admin.id)) return refused('paper.error.sameAdmin', { serial }, 'serial');

    let result: EntryResult;
    if (entries.length === 0) {
      const seats = (await paperSeatsByStratum(trx, round.id)).get(issued.stratum) ?? 0;
      const returned = (await reconcile(trx, round.id)).find((r) => r.stratum === issued.stratum)?.returned ?? 0;
      if (returned >= seats) return refused('paper.error.tooManyReturned', { stratum: issued.stratum, seats }, 'serial');
      await trx.insertInto('paper_entries').values({ round_id: round.id, serial, admin_id: admin.id, answers: parsed.answers }).execute();
      result = 'first';
    } else if (entries.some((e) => e.answers === parsed.answers)) {
      await trx
        .insertInto('ballots')
        .values({
          id: ballotId(),
          round_id: round.id,
          receipt: serial,
          answers: parsed.answers,
          comments: '{}',
          comment: null,
          stratum: issued.stratum,
          reasons: null,
        })
        .execute();
      await trx.deleteFrom('paper_entries').where('round_id', '=', round.id).where('serial', '=', serial).execute();
      result = 'stored';
    } else if (entries.length === 1) {
      await trx.insertInto('paper_entries').values({ round_id: round.id, serial, admin_id: admin.id, answers: parsed.answers }).execute();
      result = 'disputed';
    } else return refused('paper.error.agreesWithNone', { serial }, 'serial');
    // The serial stays out of the log: the log carries times, and a ballot carries none.
    await audit.record(trx, { actor: admin.username, action: 'paper.enter', detail: { year, result } });
    return { ok: true, value: { serial, result } };
  });
}

/** Discards every entry of a serial not yet stored (a dispute no third entry could settle), audited: type it twice again. */
export async function discardEntries(
  db: Database,
  audit: AuditTrail,
  input: { year: number; serial: string },
  actor: string,
): Promise<Outcome<{ serial: string; entries: number }>> {
  const { year } = input;
  return transaction(db, async (trx) => {
    const round = await findRound(trx, year);
    if (!round) return refused('rounds.error.notFound', { year });
    if (!ENTERING.has(round.status)) return refused('paper.error.notEntering', { year, status: round.status });
    const read = readSerial(input.serial);
    if (!read.ok) return refused('paper.error.serialFormat', { serial: input.serial.trim() }, 'serial');
    const gone = await trx.deleteFrom('paper_entries').where('round_id', '=', round.id).where('serial', '=', read.serial).executeTakeFirst();
    const entries = Number(gone.numDeletedRows);
    if (!entries) return refused('paper.error.nothingToDiscard', { serial: read.serial }, 'serial');
    await audit.record(trx, { actor, action: 'paper.discard', detail: { year, serial: read.serial, entries } });
    return { ok: true, value: { serial: read.serial, entries } };
  });
}

/** A disputed serial with its entries' answers (in no meaningful order), for the side-by-side look. */
export interface Dispute {
  serial: string;
  stratum: string;
  entries: Record<string, Answer | Answer[]>[];
}

export async function disputes(db: Executor, roundId: string): Promise<Dispute[]> {
  const rows = await db
    .selectFrom('paper_entries')
    .innerJoin('paper_serials', (j) =>
      j.onRef('paper_serials.round_id', '=', 'paper_entries.round_id').onRef('paper_serials.serial', '=', 'paper_entries.serial'),
    )
    .select(['paper_entries.serial', 'paper_serials.stratum', 'paper_entries.answers'])
    .where('paper_entries.round_id', '=', roundId)
    .orderBy('paper_entries.serial')
    .orderBy('paper_entries.admin_id')
    .execute();
  const by = new Map<string, Dispute>();
  for (const r of rows) {
    const d = by.get(r.serial) ?? { serial: r.serial, stratum: r.stratum, entries: [] };
    d.entries.push(JSON.parse(r.answers));
    by.set(r.serial, d);
  }
  return [...by.values()].filter((d) => d.entries.length > 1);
}

/** Issued, returned (typed at least once), entered (stored) and disputed paper ballots, with paper seats, per stratum. */
export interface Reconciliation {
  stratum: string;
  paperSeats: number;
  issued: number;
  returned: number;
  entered: number;
  disputed: number;
}

/** The reconciliation of a round's paper ballots, per stratum that has paper seats or serials, in stratum order. */
export async function reconcile(db: Executor, roundId: string): Promise<Reconciliation[]> {
  const seats = await paperSeatsByStratum(db, roundId);
  const issued = await db
    .selectFrom('paper_serials')
    .select(['stratum', (eb) => eb.fn.countAll<number>().as('n')])
    .where('round_id', '=', roundId)
    .groupBy('stratum')
    .execute();
  const entered = await db
    .selectFrom('ballots')
    .innerJoin('paper_serials', (j) => j.onRef('paper_serials.round_id', '=', 'ballots.round_id').onRef('paper_serials.serial', '=', 'ballots.receipt'))
    .select(['paper_serials.stratum', (eb) => eb.fn.countAll<number>().as('n')])
    .where('ballots.round_id', '=', roundId)
    .groupBy('paper_serials.stratum')
    .execute();
  const pending = await db
    .selectFrom('paper_entries')
    .innerJoin('paper_serials', (j) =>
      j.onRef('paper_serials.round_id', '=', 'paper_entries.round_id').onRef('paper_serials.serial', '=', 'paper_entries.serial'),
    )
    .select(['paper_serials.stratum', 'paper_entries.serial', (eb) => eb.fn.countAll<number>().as('n')])
    .where('paper_entries.round_id', '=', roundId)
    .groupBy(['paper_serials.stratum', 'paper_entries.serial'])
    .execute();
  const rows = new Map<string, Reconciliation>();
  const row = (stratum: string) => {
    let r = rows.get(stratum);
    if (!r) {
      r = { stratum, paperSeats: 0, issued: 0, returned: 0, entered: 0, disputed: 0 };
      rows.set(stratum, r);
    }
    return r;
  };
  for (const [stratum, n] of seats) row(stratum).paperSeats = n;
  for (const r of issued) row(r.stratum).issued = Number(r.n);
  for (const r of entered) {
    row(r.stratum).entered = Number(r.n);
    row(r.stratum).returned += Number(r.n);
  }
  for (const r of pending) {
    row(r.stratum).returned++;
    if (Number(r.n) > 1) row(r.stratum).disputed++;
  }
  return [...rows.values()].sort((a, b) => compareBytes(a.stratum, b.stratum));
}

/** The sum of every stratum's figures. */
export function reconciliationTotal(rows: readonly Reconciliation[]): Omit<Reconciliation, 'stratum'> {
  const t = { paperSeats: 0, issued: 0, returned: 0, entered: 0, disputed: 0 };
  for (const r of rows) for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += r[k];
  return t;
}
