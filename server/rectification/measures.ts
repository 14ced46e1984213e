import type { AuditTrail } from '../audit/log.js';
import { isoTime } from '../db/ids.js';
import type { Database, Executor } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { dateInZone } from '../time.js';
import { charLength, isCode, isLine, type Problem } from '../validate.js';
import { publishedFlags } from './published.js';
import { refuse, type Result } from './result.js';
import { isDate, LIMITS } from './rules.js';

/*
 * Measures taken (组织措施): for each unit in the bottom three two years running, the office records what was
 * decided (诫勉谈话, 领导班子调整, or another measure in words), when, and a note — once. Until then the public pages
 * show the decision as pending, with the days since publication.
 */

/** The measures commonly taken, offered as suggestions; any other measure is written in words. */
export const COMMON_MEASURES = ['诫勉谈话', '领导班子调整'] as const;

export interface Measure {
  unitCode: string;
  measure: string;
  decidedOn: string;
  note: string;
}

/** The measures recorded for a round, by unit code. */
export async function measuresOfRound(db: Executor, roundId: string): Promise<Map<string, Measure>> {
  const rows = await db.selectFrom('measures').selectAll().where('round_id', '=', roundId).execute();
  return new Map(rows.map((r) => [r.unit_code, { unitCode: r.unit_code, measure: r.measure, decidedOn: r.decided_on, note: r.note }]));
}

export interface MeasureInput {
  year: number;
  unit: string;
  measure: string;
  decidedOn: string;
  note: string;
  timeZone: string;
}

/**
 * Records the measure taken for a unit in the bottom three two years running in the year's latest published
 * results. Refused (422, nothing written) for any other unit, a second record, a date before publication or in the
 * future, or texts out of bounds.
 */
export async function recordMeasure(db: Database, audit: AuditTrail, input: MeasureInput, actor: string): Promise<Result<Measure>> {
  const measure = input.measure.trim();
  const note = input.note.trim().replace(/\r\n/g, '\n');
  const decidedOn = input.decidedOn.trim();
  const problems: Problem[] = [];
  if (!isLine(measure, 1, LIMITS.measure)) problems.push({ key: 'measures.error.measure', params: { max: LIMITS.measure }, field: 'measure' });
  if (charLength(note) > LIMITS.measureNote) problems.push({ key: 'measures.error.note', params: { max: LIMITS.measureNote }, field: 'note' });
  if (!isDate(decidedOn)) problems.push({ key: 'measures.error.date', field: 'decidedOn' });
  return transaction(db, async (trx) => {
    const flags = await publishedFlags(trx, input.year, input.timeZone);
    if (!flags) return refuse(422, 'items.error.notPublished', { year: input.year });
    const unit = isCode(input.unit) ? flags.units.find((u) => u.code === input.unit) : undefined;
    if (!unit?.bottom3TwoYears) problems.push({ key: 'measures.error.notFlagged', params: { unit: input.unit.slice(0, 32), year: input.year }, field: 'unit' });
    const today = dateInZone(audit.clock.now(), input.timeZone);
    if (isDate(decidedOn) && (decidedOn < flags.publishedOn || decidedOn > today))
      problems.push({ key: 'measures.error.dateRange', params: { from: flags.publishedOn, to: today }, field: 'decidedOn' });
    if (
      unit &&
      (await trx.selectFrom('measures').select('unit_code').where('round_id', '=', flags.round.id).where('unit_code', '=', unit.code).executeTakeFirst())
    )
      problems.push({ key: 'measures.error.recorded', params: { unit: unit.name }, field: 'unit' });
    if (problems.length || !unit) return { ok: false as const, status: 422 as const, problems };
    await trx
      .insertInto('measures')
      .values({ round_id: flags.round.id, unit_code: unit.code, measure, decided_on: decidedOn, note, recorded_at: isoTime(audit.clock.now()) })
      .execute();
    await audit.record(trx, { actor, action: 'measure.record', detail: { year: input.year, unit: unit.code, measure, decidedOn, note } });
    return { ok: true as const, value: { unitCode: unit.code, measure, decidedOn, note } };
  });
}
