// Guards the follow-up's rules as pure functions of dates (server/rectification/rules.ts): what a date is, when a
// reply is due and overdue, an item's status and when it is overdue, how long a measure has been pending.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addDays, daysBetween, isDate, itemOverdue, itemStatus, measurePendingDays, replyOverdue } from '../server/rectification/rules.js';

const rules = suite('follow-up rules');

rules('a date is a real calendar day written YYYY-MM-DD', () => {
  for (const ok of ['2026-01-01', '2028-02-29', '2026-12-31']) assert.ok(isDate(ok), ok);
  for (const bad of ['2026-02-29', '2026-13-01', '2026-1-01', '2026-01-01T00:00:00Z', '26-01-01', '', '２０２６-01-01', '2026/01/01', ' 2026-01-01'])
    assert.not.ok(isDate(bad), bad);
});

rules('adding days and counting them crosses months, leap days and years', () => {
  const cases: [string, number, string][] = [
    ['2026-03-31', 30, '2026-04-30'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-12-15', 30, '2027-01-14'],
    ['2026-04-02', 0, '2026-04-02'],
  ];
  for (const [from, n, to] of cases) {
    assert.is(addDays(from, n), to, `${from} + ${n}`);
    assert.is(daysBetween(from, to), n, `${from} → ${to}`);
  }
  assert.is(daysBetween('2026-04-02', '2026-03-31'), -2);
});

rules("an item's status is its latest update's; without updates it is planned", () => {
  assert.is(itemStatus([]), 'planned');
  assert.is(itemStatus([{ status: 'in_progress' }, { status: 'done' }]), 'done');
  assert.is(itemStatus([{ status: 'done' }, { status: 'in_progress' }]), 'in_progress', 'reopened by a later update');
});

rules('an item is overdue once its deadline day has passed and it is not done', () => {
  const cases: [string, 'planned' | 'in_progress' | 'done', string, boolean][] = [
    ['2026-06-30', 'in_progress', '2026-06-30', false],
    ['2026-06-30', 'in_progress', '2026-07-01', true],
    ['2026-06-30', 'planned', '2027-01-01', true],
    ['2026-06-30', 'done', '2027-01-01', false],
  ];
  for (const [deadline, status, today, overdue] of cases) assert.is(itemOverdue(deadline, status, today), overdue, `${deadline} ${status} ${today}`);
});

rules('a reply is overdue after its due day, only for a released comment without a reply', () => {
  const c = (status: string, reply: string | null, dueOn: string | null) => ({ status, reply, dueOn });
  assert.is(replyOverdue(c('released', null, '2026-04-30'), '2026-04-30'), false);
  assert.is(replyOverdue(c('released', null, '2026-04-30'), '2026-05-01'), true);
  assert.is(replyOverdue(c('released', '已答复', '2026-04-30'), '2026-05-01'), false);
  assert.is(replyOverdue(c('withheld', null, null), '2026-05-01'), false);
  assert.is(replyOverdue(c('pending', null, null), '2026-05-01'), false);
});

rules('a measure is pending (with the days since publication) only for a unit two years running without one', () => {
  assert.is(measurePendingDays(true, false, '2026-04-02', '2026-06-10'), 69);
  assert.is(measurePendingDays(true, false, '2026-04-02', '2026-04-02'), 0);
  assert.is(measurePendingDays(true, true, '2026-04-02', '2026-06-10'), null);
  assert.is(measurePendingDays(false, false, '2026-04-02', '2026-06-10'), null);
});

rules.run();
