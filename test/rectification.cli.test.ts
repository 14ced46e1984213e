// Guards issue 16's "a whole cycle runs from the CLI": `liaison add`, then close → screen → release → answer →
// publish → plan → updates → measure with `npm run cli -- …` on a real DATA_DIR (a child process each, as a user
// runs it), each step checked in the year's follow-up; and bad input exits 1 with a clear message, changing nothing.
// The years are the two before the current one, so every date the commands check lies in the past.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { auditTrail } from '../server/audit/log.js';
import { fixedClock } from '../server/clock.js';
import { loadConfig } from '../server/config.js';
import { followUpOfYear } from '../server/rectification/follow-up.js';
import { dateInZone } from '../server/time.js';
import { newPlace, openPlace, runCli, type CliRun, type Place } from './child-server.js';
import { buildFollowUp } from './followup-fixture.js';

const cli = suite('the follow-up from the command line');

const TZ = 'Asia/Shanghai';
const second = Number(dateInZone(new Date(), TZ).slice(0, 4)) - 1;
let root = '';
let place: Place;

function succeeded(r: CliRun, what: string): string {
  assert.is(r.code, 0, `${what} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function failed(r: CliRun, message: string, what: string): void {
  assert.is(r.code, 1, `${what} should exit 1, exited ${r.code}; stdout: ${r.stdout}`);
  assert.ok(r.stderr.includes(message), `${what}: stderr was ${r.stderr}`);
}

/** The follow-up tables, the liaisons and the audit log's length, read in-process: to prove a refusal changed nothing. */
async function state(): Promise<string> {
  const store = await openPlace(place);
  try {
    const out: string[] = [];
    for (const table of ['unit_comments', 'rectification_items', 'rectification_updates', 'measures', 'admins'] as const) {
      const rows = await store.db.selectFrom(table).selectAll().execute();
      out.push(table, ...rows.map((r) => JSON.stringify(r)).sort());
    }
    out.push(String((await store.db.selectFrom('audit_log').select('seq').execute()).length));
    return out.join('\n');
  } finally {
    await store.destroy();
  }
}

async function followUp() {
  const store = await openPlace(place);
  try {
    const doc = (await followUpOfYear(store.db, second, dateInZone(new Date(), TZ), TZ))?.doc;
    return { doc, audit: await store.db.selectFrom('audit_log').select(['actor', 'action']).orderBy('seq').execute() };
  } finally {
    await store.destroy();
  }
}

/** Runs the refusals side by side (each starts a process) and checks that together they changed nothing. */
async function refusals(cases: [string[], string][], env: Record<string, string> = {}) {
  const before = await state();
  const runs = await Promise.all(cases.map(([args]) => runCli(place, args, env)));
  for (const [i, [args, message]] of cases.entries()) failed(runs[i]!, message, args.join(' '));
  assert.is(await state(), before, 'nothing changed');
}

cli.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'pingyi-followup-cli-'));
  place = await newPlace(join(root, 'data'));
  const store = await openPlace(place);
  try {
    const clock = fixedClock(`${second - 1}-02-01T00:00:00Z`);
    const audit = auditTrail(loadConfig(place.env).secret, clock);
    await buildFollowUp({ db: store.db, store, audit, clock }, second - 1, { openSecond: true });
  } finally {
    await store.destroy();
  }
});
cli.after(() => rmSync(root, { recursive: true, force: true }));

const ids: Record<string, string> = {};

cli('liaison add: a liaison for an existing unit, with the password from PASSWORD; bad ones refused', async () => {
  await refusals(
    [
      [['liaison', 'add', 'jt', '--unit', 'NOPE'], 'Give the code of an existing unit'],
      [['liaison', 'add', 'jt'], '--unit CODE is required'],
    ],
    { PASSWORD: 'a long enough password' },
  );
  await refusals([[['liaison', 'add', 'jt', '--unit', 'U05'], 'at least 10 characters']], { PASSWORD: 'short' });
  const out = succeeded(await runCli(place, ['liaison', 'add', 'jt', '--unit', 'U05'], { PASSWORD: 'a long enough password' }), 'liaison add');
  assert.match(out, 'liaison jt of unit U05 created');
});

cli('close, then list the comments handed over: ids, units, state, text', async () => {
  succeeded(await runCli(place, ['round', 'close', '--year', String(second)]), 'round close');
  const out = succeeded(await runCli(place, ['comments', 'list', '--year', String(second), '--unit', 'U05']), 'comments list');
  const lines = out.trim().split('\n');
  assert.is(lines.at(-1), '6 comments');
  for (const line of lines.slice(0, -1)) {
    const m = /^(\d+) U05 pending "(.+)"$/.exec(line);
    assert.ok(m, line);
    ids[m![2]!] = m![1]!;
  }
  assert.is(Object.keys(ids).length, 6);
});

cli('screen: release with a due date, withhold with a reason; refusals change nothing', async () => {
  const y = String(second);
  const [a, b, c] = Object.values(ids) as [string, string, string];
  await refusals([
    [['comments', 'withhold', '--year', y, '--id', b, '--reason', ' '], 'Give the reason for withholding'],
    [['comments', 'release', '--year', y, '--id', '12345'], 'There is no such comment'],
    [['comments', 'release', '--year', y, '--id', 'x1'], "--id must be a comment's number"],
    [['comments', 'public', '--year', y, '--id', a], 'Only a released comment that has been answered'],
  ]);
  const released = succeeded(await runCli(place, ['comments', 'release', '--year', y, '--id', a]), 'release');
  assert.match(released, new RegExp(`comment ${a} released to U05; reply due \\d{4}-\\d\\d-\\d\\d`));
  succeeded(await runCli(place, ['comments', 'release', '--year', y, '--id', c]), 'release');
  succeeded(await runCli(place, ['comments', 'withhold', '--year', y, '--id', b, '--reason', '点名了商户']), 'withhold');
});

cli('answer (a reply received from the unit), then publish it with its comment', async () => {
  const [a, b] = Object.values(ids) as [string, string];
  await refusals([
    [['comments', 'reply', '--id', b, '--reply', '答复'], 'was not released to your unit'],
    [['comments', 'reply', '--id', a, '--reply', ''], 'Write the reply'],
  ]);
  succeeded(await runCli(place, ['comments', 'reply', '--id', a, '--reply', '已安排专人整改。']), 'reply');
  succeeded(await runCli(place, ['comments', 'public', '--year', String(second), '--id', a]), 'public');
});

cli('publish the results; then plan, update and record the measure; the follow-up shows every step', async () => {
  const y = String(second);
  succeeded(await runCli(place, ['round', 'publish', '--year', y]), 'round publish');
  const today = dateInZone(new Date(), TZ);
  await refusals([
    [
      ['rectification', 'add', '--year', y, '--unit', 'U05', '--problem', '问题', '--measure', '措施', '--deadline', `${second}-01-01`],
      'cannot be before the results were published',
    ],
    [['rectification', 'add', '--year', y, '--unit', 'U05', '--problem', '', '--measure', '措施', '--deadline', '2099-01-01'], 'Describe the problem'],
    [['rectification', 'add', '--year', y, '--unit', 'NOPE', '--problem', '问题', '--measure', '措施', '--deadline', '2099-01-01'], 'was not in the'],
    [['measures', 'record', '--year', y, '--unit', 'U03', '--measure', '诫勉谈话', '--decided-on', today], 'is not in the bottom three two years running'],
    [['measures', 'record', '--year', y, '--unit', 'U05', '--measure', '诫勉谈话', '--decided-on', '2099-01-01'], 'The decision date must be between'],
  ]);
  const added = succeeded(
    await runCli(place, ['rectification', 'add', '--year', y, '--unit', 'U05', '--problem', '占道经营', '--measure', '网格巡查', '--deadline', '2099-06-30']),
    'rectification add',
  );
  const item = /^item ([0-9a-f-]{36}) added to U05/.exec(added)?.[1];
  assert.ok(item, added);
  await refusals([[['rectification', 'update', '--id', item!, '--status', 'finished'], 'The status must be planned, in progress or done']]);
  succeeded(await runCli(place, ['rectification', 'update', '--id', item!, '--status', 'in_progress', '--note', '已开始']), 'rectification update');
  succeeded(
    await runCli(place, ['measures', 'record', '--year', y, '--unit', 'U05', '--measure', '领导班子调整', '--decided-on', today, '--note', '调整主要负责人']),
    'measures record',
  );
  const list = succeeded(await runCli(place, ['rectification', 'list', '--year', y, '--unit', 'U05']), 'rectification list');
  assert.match(list, 'U05 bottom3,two-years items 1 comments 1/2 answered');
  assert.match(list, `${item} in_progress due 2099-06-30 "占道经营"`);

  const { doc, audit } = await followUp();
  const u05 = doc!.units.find((u) => u.code === 'U05')!;
  assert.equal(u05.measure, { measure: '领导班子调整', decidedOn: today, note: '调整主要负责人' });
  assert.equal(u05.items[0]?.updates, [{ date: today, status: 'in_progress', note: '已开始' }]);
  assert.equal([u05.comments.released, u05.comments.replied, u05.comments.public.map((p) => p.reply)], [2, 1, ['已安排专人整改。']]);
  const cliActions = audit.filter((r) => r.actor === 'cli').map((r) => r.action);
  assert.equal(cliActions, [
    'liaison.add',
    'round.close',
    'comment.release',
    'comment.release',
    'comment.withhold',
    'comment.reply',
    'comment.public',
    'round.publish',
    'rectification.add',
    'rectification.update',
    'measure.record',
  ]);
});

cli.run();
