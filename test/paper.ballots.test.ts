// Guards docs/SPEC.md, Paper ballots: a seat put on paper takes no ballot online; serials catch typos; two
// administrators' agreeing entries store a ballot exactly like an online one, disagreeing ones are disputed until
// settled; the reconciliation adds up; paper ballots count in the tally like online ones and their serials are
// published receipts; nothing ties a paper ballot to a person.
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgs } from '../server/cli/command.js';
import { commands } from '../server/cli/commands.js';
import { translator } from '../server/i18n/catalogue.js';
import { invitations } from '../server/links/invitations.js';
import { tokenHash } from '../server/links/tokens.js';
import { batchSerials, issueBatch } from '../server/paper/batches.js';
import { discardEntries, disputes, enterPaperBallot, KEYS, reconcile, reconciliationTotal } from '../server/paper/entry.js';
import { setPaperSeat } from '../server/paper/seats.js';
import { checkCharacter, newSerial, readSerial, SERIAL_ALPHABET, SERIAL_PATTERN } from '../server/paper/serials.js';
import { publishResults } from '../server/results/publish.js';
import { computeResults } from '../server/results/snapshot.js';
import { closeRound, findRound, replaceMember } from '../server/rounds/rounds.js';
import { castBallot } from '../server/survey/cast.js';
import { loggedIn } from './helpers.js';
import { fullBallot, ok, openSurvey, post, SECRET, YEAR, type Survey } from './survey-fixture.js';

const KEY_OF = Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [v, k])) as Record<string, string>;
const A1 = { id: 'admin-one', username: 'one' };
const A2 = { id: 'admin-two', username: 'two' };
const A3 = { id: 'admin-three', username: 'three' };

/** The stratum of each drawn seat. */
async function seatStrata(t: Survey): Promise<Map<string, string>> {
  const rows = await t.db.selectFrom('round_pool').select(['code', 'stratum']).execute();
  const by = new Map(rows.map((r) => [r.code, r.stratum]));
  return new Map(t.seats.map((s) => [s.code, by.get(s.code) as string]));
}

/** Runs a CLI command in-process; resolves to what it printed, or rejects with its error. */
async function cli(t: Survey, argv: string[]): Promise<string> {
  const found = Object.entries(commands).find(([name]) => argv.join(' ').startsWith(`${name} `));
  if (!found) throw new Error(`no command ${argv.join(' ')}`);
  const [name, command] = found;
  const lines: string[] = [];
  const ctx = {
    store: t.store,
    db: t.db,
    config: t.config,
    clock: t.clock,
    audit: t.audit,
    t: translator('en'),
    env: {},
    out: (l: string) => lines.push(l),
    askSecret: async () => undefined,
  };
  await command.run(ctx, parseArgs(argv.slice(name.split(' ').length), command.switches ?? []));
  return lines.join('\n');
}

async function refusedWith(run: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  assert.ok(error, 'the command should have been refused');
  assert.match(error.message, message);
}

function entryFields(units: readonly { code: string }[], answers: readonly string[]): Record<string, string> {
  return Object.fromEntries(units.map((u, j) => [`u.${u.code}`, KEY_OF[answers[j] as string] as string]));
}

const Serials = suite('paper serials');

Serials('a serial is ten characters of the receipts alphabet with a check character, read without regard to case, spaces or hyphens', () => {
  const s = newSerial();
  assert.match(s, SERIAL_PATTERN);
  assert.equal(readSerial(` ${s.toLowerCase().replace(/-/g, ' ')} `), { ok: true, serial: s });
  assert.equal(readSerial('K7QM-2XDA'), { ok: false, reason: 'format' });
  assert.equal(readSerial('O7QM-2XDA-9P'), { ok: false, reason: 'format' });
});

Serials('any one mistyped character and any two neighbours swapped are caught by the check character', () => {
  for (let n = 0; n < 20; n++) {
    const chars = newSerial().replace(/-/g, '');
    for (let i = 0; i < chars.length; i++) {
      for (const ch of SERIAL_ALPHABET) {
        if (ch === chars[i]) continue;
        const typo = chars.slice(0, i) + ch + chars.slice(i + 1);
        assert.equal(readSerial(typo), { ok: false, reason: 'check' }, `${chars} → ${typo}`);
      }
      if (i + 1 < chars.length && chars[i] !== chars[i + 1]) {
        const swapped = chars.slice(0, i) + chars[i + 1] + chars[i] + chars.slice(i + 2);
        assert.not.ok(readSerial(swapped).ok, `${chars} → ${swapped}`);
      }
    }
    assert.is(checkCharacter(chars.slice(0, 9)), chars[9]);
  }
});

Serials.run();

const Marking = suite('a seat on paper');

Marking('the link of a seat on paper answers 410 saying so, takes no ballot, and the seat can go back online before any entry', async () => {
  const t = await openSurvey();
  try {
    const [seat, other] = t.seats as [Survey['seats'][number], Survey['seats'][number]];
    const marked = ok(await setPaperSeat(t.db, t.audit, { year: YEAR, code: seat.code, paper: true }, 'test'));
    assert.is(marked.paperSeats, 1);
    const page = await t.app.request(`/s/${seat.token}`, { headers: { 'accept-language': 'en' } });
    assert.is(page.status, 410);
    assert.match(await page.text(), 'answer on a paper ballot');
    const res = await post(t, seat.token, fullBallot(t.units));
    assert.is(res.status, 410);
    assert.is((await t.db.selectFrom('ballots').select('id').execute()).length, 0);
    // The store's own guard, for a ballot decided before the seat went on paper.
    const cast = await castBallot(t.store, t.clock, 'Asia/Shanghai', {
      token: seat.token,
      roundId: (await findRound(t.db, YEAR))!.id,
      answers: {},
      comments: {},
      comment: null,
    });
    assert.equal(cast, { ok: false, reason: 'used' });
    assert.is((await t.store.findLink(tokenHash(seat.token)))?.paper, 1);
    // Reminders (the missing list, SMS --unused) skip it: its link no longer works; the full list keeps it.
    const round = (await findRound(t.db, YEAR))!;
    const codesOf = async (unusedOnly: boolean) => (await invitations(t.db, round, t.config, { unusedOnly })).map((i) => i.code);
    assert.not.ok((await codesOf(true)).includes(seat.code));
    assert.ok((await codesOf(false)).includes(seat.code));

    // A seat used online cannot go on paper; nor twice; nor a code without a seat.
    assert.is((await post(t, other.token, fullBallot(t.units))).status, 303);
    const used = await setPaperSeat(t.db, t.audit, { year: YEAR, code: other.code, paper: true }, 'test');
    assert.equal(!used.ok && used.problems.map((p) => p.key), ['paper.error.usedOnline']);
    const twice = await setPaperSeat(t.db, t.audit, { year: YEAR, code: seat.code, paper: true }, 'test');
    assert.equal(!twice.ok && twice.problems.map((p) => p.key), ['paper.error.alreadyPaper']);
    const none = await setPaperSeat(t.db, t.audit, { year: YEAR, code: 'NOBODY', paper: true }, 'test');
    assert.equal(!none.ok && none.problems.map((p) => p.key), ['rounds.error.notSeated']);
    const replaced = await replaceMember(
      t.db,
      t.audit,
      { year: YEAR, code: seat.code, reason: 'moved away', secret: SECRET, timeZone: 'Asia/Shanghai' },
      'test',
    );
    assert.equal(!replaced.ok && replaced.problems.map((p) => p.key), ['paper.error.replacePaper']);

    ok(await setPaperSeat(t.db, t.audit, { year: YEAR, code: seat.code, paper: false }, 'test'));
    assert.is((await post(t, seat.token, fullBallot(t.units))).status, 303);
    const actions = (await t.db.selectFrom('audit_log').select(['action', 'detail']).where('action', 'like', 'paper.%').orderBy('seq').execute()).map(
      (r) => r.action,
    );
    assert.equal(actions, ['paper.mark', 'paper.unmark']);
  } finally {
    await t.store.destroy();
  }
});

Marking('`round paper` marks a seat, warns about a stratum with few paper seats, and `--undo` is refused once its stratum has an entry', async () => {
  const t = await openSurvey();
  try {
    const strata = await seatStrata(t);
    const seat = t.seats[0]!;
    const out = await cli(t, ['round', 'paper', '--year', String(YEAR), '--code', seat.code]);
    assert.match(out, `${seat.code} now answers on paper`);
    assert.match(out, 'fewer than 10 paper seats');
    await refusedWith(cli(t, ['round', 'paper', '--year', String(YEAR), '--code', seat.code]), /already answers on paper/);
    const batch = ok(await issueBatch(t.db, t.audit, { year: YEAR, stratum: strata.get(seat.code)!, count: '2' }, 'test'));
    const serial = (await batchSerials(t.db, (await findRound(t.db, YEAR))!.id, batch.batch))!.serials[0]!;
    ok(
      await enterPaperBallot(
        t.db,
        t.audit,
        {
          year: YEAR,
          serial,
          fields: entryFields(
            t.units,
            t.units.map(() => 'basic'),
          ),
        },
        A1,
      ),
    );
    await refusedWith(cli(t, ['round', 'paper', '--year', String(YEAR), '--code', seat.code, '--undo']), /being typed in already/);
    const status = await cli(t, ['round', 'status', '--year', String(YEAR)]);
    assert.match(status, '1 paper seats, 2 issued, 1 returned, 0 entered, 0 disputed');
  } finally {
    await t.store.destroy();
  }
});

Marking.run();

const Entry = suite('double entry');

Entry(
  'refusals change nothing: a typo in the serial, an unknown or stored serial, the same administrator twice, a missing key, a stratum with as many returned as paper seats',
  async () => {
    const t = await openSurvey();
    try {
      const strata = await seatStrata(t);
      const seat = t.seats[0]!;
      ok(await setPaperSeat(t.db, t.audit, { year: YEAR, code: seat.code, paper: true }, 'test'));
      const roundId = (await findRound(t.db, YEAR))!.id;
      const batch = ok(await issueBatch(t.db, t.audit, { year: YEAR, stratum: strata.get(seat.code)!, count: '2' }, 'test'));
      const over = await issueBatch(t.db, t.audit, { year: YEAR, stratum: strata.get(seat.code)!, count: '1' }, 'test');
      assert.equal(!over.ok && over.problems.map((p) => p.key), ['paper.error.tooManySerials']);
      const [s1, s2] = (await batchSerials(t.db, roundId, batch.batch))!.serials as [string, string];
      const fields = entryFields(
        t.units,
        t.units.map(() => 'satisfied'),
      );
      const keys = async (serial: string, f: Record<string, string>, who = A1) => {
        const r = await enterPaperBallot(t.db, t.audit, { year: YEAR, serial, fields: f }, who);
        return r.ok ? r.value.result : r.problems.map((p) => p.key);
      };
      const typo = s1.slice(0, -1) + (s1.endsWith('2') ? '3' : '2');
      assert.equal(await keys(typo, fields), ['paper.error.serialTypo']);
      assert.equal(await keys(newSerial(), fields), ['paper.error.serialUnknown']);
      const missing = { ...fields, [`u.${t.units[3]!.code}`]: '5' };
      assert.equal(await keys(s1, missing), ['paper.error.key4']);
      assert.is((await t.db.selectFrom('paper_entries').select('serial').execute()).length, 0);
      assert.is(await keys(s1, fields), 'first');
      assert.equal(await keys(s1, fields), ['paper.error.sameAdmin']);
      // One paper seat, one returned sheet: a second sheet of the stratum is refused.
      assert.equal(await keys(s2, fields, A2), ['paper.error.tooManyReturned']);
      assert.is(await keys(s1, fields, A2), 'stored');
      assert.equal(await keys(s1, fields, A3), ['paper.error.serialStored']);
      assert.is((await t.db.selectFrom('ballots').select('id').execute()).length, 1);
    } finally {
      await t.store.destroy();
    }
  },
);

Entry('a closed round with a sheet typed once or disputed is not published until both are settled', async () => {
  const t = await openSurvey();
  try {
    const strata = await seatStrata(t);
    const [a, b] = t.seats as [Survey['seats'][number], Survey['seats'][number]];
    ok(await setPaperSeat(t.db, t.audit, { year: YEAR, code: a.code, paper: true }, 'test'));
    ok(await setPaperSeat(t.db, t.audit, { year: YEAR, code: b.code, paper: true }, 'test'));
    const roundId = (await findRound(t.db, YEAR))!.id;
    const serialsOf = async (code: string) => {
      const batch = ok(await issueBatch(t.db, t.audit, { year: YEAR, stratum: strata.get(code)!, count: '1' }, 'test'));
      return (await batchSerials(t.db, roundId, batch.batch))!.serials[0] as string;
    };
    const [s1, s2] = [await serialsOf(a.code), await serialsOf(b.code)];
    const all = (answer: string) =>
      entryFields(
        t.units,
        t.units.map(() => answer),
      );
    ok(await enterPaperBallot(t.db, t.audit, { year: YEAR, serial: s1, fields: all('satisfied') }, A1));
    ok(await enterPaperBallot(t.db, t.audit, { year: YEAR, serial: s2, fields: all('satisfied') }, A1));
    ok(await enterPaperBallot(t.db, t.audit, { year: YEAR, serial: s2, fields: all('basic') }, A2));
    ok(await closeRound(t.store, t.audit, YEAR, 'test'));
    const auditRows = (await t.db.selectFrom('audit_log').select('seq').execute()).length;
    const publish = () => publishResults(t.db, t.audit, { year: YEAR, note: '' }, 'test');
    const first = await publish();
    assert.ok(!first.ok);
    assert.equal(
      first.problems.map((p) => [p.key, p.params?.count]),
      [['results.error.paperWaiting', 2]],
    );
    assert.is((await findRound(t.db, YEAR))!.status, 'closed', 'nothing changed');
    assert.is((await t.db.selectFrom('published_results').select('version').execute()).length, 0);
    assert.is((await t.db.selectFrom('audit_log').select('seq').execute()).length, auditRows);
    // The sheet typed once gets its second entry; the disputed one a third that settles it.
    ok(await enterPaperBallot(t.db, t.audit, { year: YEAR, serial: s1, fields: all('satisfied') }, A2));
    const second = await publish();
    assert.ok(!second.ok && second.problems[0]?.params?.count === 1, 'one sheet still disputed');
    ok(await enterPaperBallot(t.db, t.audit, { year: YEAR, serial: s2, fields: all('basic') }, A3));
    ok(await publish());
    const receipts = (await t.db.selectFrom('ballots').select('receipt').execute()).map((r) => r.receipt).sort();
    assert.equal(receipts, [s1, s2].sort(), 'both paper ballots counted');
  } finally {
    await t.store.destroy();
  }
});

Entry.run();

/**
 * Two identical rounds of 240 seats; in one, 200 seats answer on paper and the sheets are typed twice (five with a
 * typo), in the other the same 200 seats cast the same answers online.
 */
const Tally = suite('200 paper ballots');

function answersOf(i: number, units: readonly unknown[]): string[] {
  return units.map((_, j) => ['satisfied', 'basic', 'dissatisfied', 'unknown'][(i * 7 + j * 3 + ((i * j) % 5)) % 4] as string);
}

Tally('typed twice with 5 typos: 195 stored, 5 disputed until settled, totals reconcile, and the tally equals the same answers cast online', async () => {
  const paper = await openSurvey({ sample: 240, poolSize: 260 });
  const online = await openSurvey({ sample: 240, poolSize: 260 });
  try {
    assert.ok(paper.seats.length >= 200, `seats: ${paper.seats.length}`);
    const strata = await seatStrata(paper);
    const seats = paper.seats.slice(0, 200);
    const roundId = (await findRound(paper.db, YEAR))!.id;
    for (const s of seats) ok(await setPaperSeat(paper.db, paper.audit, { year: YEAR, code: s.code, paper: true }, 'test'));
    // Per stratum, the sheets handed out to its paper seats, in no order that says who got which.
    const sheets = new Map<string, string[]>();
    for (const [stratum, n] of countBy(seats.map((s) => strata.get(s.code)!))) {
      const b = ok(await issueBatch(paper.db, paper.audit, { year: YEAR, stratum, count: String(n + 3) }, 'test'));
      sheets.set(stratum, (await batchSerials(paper.db, roundId, b.batch))!.serials);
    }
    const typos = new Set([10, 50, 90, 130, 170]);
    const serialOf: string[] = [];
    for (const [i, s] of seats.entries()) {
      const serial = sheets.get(strata.get(s.code)!)!.pop()!;
      serialOf.push(serial);
      const answers = answersOf(i, paper.units);
      const first = ok(await enterPaperBallot(paper.db, paper.audit, { year: YEAR, serial, fields: entryFields(paper.units, answers) }, A1));
      assert.is(first.result, 'first');
      const typed = [...answers];
      if (typos.has(i)) typed[5] = typed[5] === 'basic' ? 'satisfied' : 'basic';
      const second = ok(await enterPaperBallot(paper.db, paper.audit, { year: YEAR, serial, fields: entryFields(paper.units, typed) }, A2));
      assert.is(second.result, typos.has(i) ? 'disputed' : 'stored');
      // The other round: the same answers, cast online on the same seat.
      const cast = await castBallot(online.store, online.clock, 'Asia/Shanghai', {
        token: online.tokenOf(s.code),
        roundId: (await findRound(online.db, YEAR))!.id,
        stratum: strata.get(s.code),
        answers: Object.fromEntries(online.units.map((u, j) => [u.code, answers[j] as never])),
        comments: {},
        comment: null,
      });
      assert.ok(cast.ok);
    }
    let total = reconciliationTotal(await reconcile(paper.db, roundId));
    assert.equal(total, { paperSeats: 200, issued: 200 + 3 * sheets.size, returned: 200, entered: 195, disputed: 5 });
    const open = await disputes(paper.db, roundId);
    assert.equal(
      open.map((d) => d.serial),
      [...typos].map((i) => serialOf[i]).sort(),
    );
    for (const d of open) assert.is(d.entries.length, 2);

    // A third administrator settles four; the fifth agrees with neither entry, is discarded and typed twice again.
    for (const i of [10, 50, 90, 130]) {
      const r = ok(
        await enterPaperBallot(paper.db, paper.audit, { year: YEAR, serial: serialOf[i]!, fields: entryFields(paper.units, answersOf(i, paper.units)) }, A3),
      );
      assert.is(r.result, 'stored');
    }
    const wrong = answersOf(170, paper.units).map(() => 'unknown');
    const neither = await enterPaperBallot(paper.db, paper.audit, { year: YEAR, serial: serialOf[170]!, fields: entryFields(paper.units, wrong) }, A3);
    assert.equal(!neither.ok && neither.problems.map((p) => p.key), ['paper.error.agreesWithNone']);
    assert.is(reconciliationTotal(await reconcile(paper.db, roundId)).disputed, 1);
    ok(await discardEntries(paper.db, paper.audit, { year: YEAR, serial: serialOf[170]! }, 'test'));
    for (const who of [A1, A3])
      ok(
        await enterPaperBallot(
          paper.db,
          paper.audit,
          { year: YEAR, serial: serialOf[170]!, fields: entryFields(paper.units, answersOf(170, paper.units)) },
          who,
        ),
      );
    total = reconciliationTotal(await reconcile(paper.db, roundId));
    assert.equal(total, { paperSeats: 200, issued: 200 + 3 * sheets.size, returned: 200, entered: 200, disputed: 0 });
    // Every seat of a stratum has returned its sheet: a spare is refused.
    const spare = await enterPaperBallot(
      paper.db,
      paper.audit,
      { year: YEAR, serial: [...sheets.values()][0]![0]!, fields: entryFields(paper.units, wrong) },
      A1,
    );
    assert.equal(!spare.ok && spare.problems.map((p) => p.key), ['paper.error.tooManyReturned']);

    // Pending entries are gone; the ballots are the same rows as online ones.
    assert.is((await paper.db.selectFrom('paper_entries').select('serial').execute()).length, 0);
    const [p] = await paper.db.selectFrom('ballots').selectAll().limit(1).execute();
    const [o] = await online.db.selectFrom('ballots').selectAll().limit(1).execute();
    assert.equal(Object.keys(p!).sort(), Object.keys(o!).sort());
    assert.is(p!.comments, o!.comments);
    assert.is(p!.comment, null);
    assert.is(p!.reasons, null);

    for (const t of [paper, online]) ok(await closeRound(t.store, t.audit, YEAR, 'test'));
    const meta = { version: 1, publishedAt: '2026-04-01T00:00:00.000Z', note: null };
    const a = await computeResults(paper.db, (await findRound(paper.db, YEAR))!, meta);
    const b = await computeResults(online.db, (await findRound(online.db, YEAR))!, meta);
    const { receipts: ra, ...restA } = a;
    const { receipts: rb, ...restB } = b;
    assert.equal(restA, restB);
    assert.is(ra.length, rb.length);
    for (const serial of serialOf) assert.ok(ra.includes(serial), `receipt ${serial} published`);
    // Mixing covers the paper ballots too: on SQLite a pass rewrites every ballot; on PostgreSQL the pass of closing
    // moved them all out of the inbox into the mixed table, written in id order by one transaction.
    if (paper.store.dialect === 'sqlite') assert.is(await paper.store.mix(), 200);
    else {
      const inbox = await sql<{ n: string }>`select count(*) as n from ballot_inbox where round_id = ${roundId}`.execute(paper.db);
      assert.is(Number(inbox.rows[0]?.n), 0);
      const { rows } = await sql<{ n: string }>`select count(distinct xmin::text) as n from ballots_mixed where round_id = ${roundId}`.execute(paper.db);
      assert.is(Number(rows[0]?.n), 1);
    }
  } finally {
    await paper.store.destroy();
    await online.store.destroy();
  }
});

function countBy(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

Tally.run();

const Anonymity = suite('paper ballots are anonymous');

Anonymity('nothing stored or logged ties a paper ballot to a seat, its typing time or its typists', async () => {
  const t = await openSurvey();
  try {
    const strata = await seatStrata(t);
    const seat = t.seats[0]!;
    ok(await setPaperSeat(t.db, t.audit, { year: YEAR, code: seat.code, paper: true }, 'test'));
    const roundId = (await findRound(t.db, YEAR))!.id;
    const b = ok(await issueBatch(t.db, t.audit, { year: YEAR, stratum: strata.get(seat.code)!, count: '1' }, 'test'));
    const [serial] = (await batchSerials(t.db, roundId, b.batch))!.serials as [string];
    const fields = entryFields(t.units, answersOf(3, t.units));
    ok(await enterPaperBallot(t.db, t.audit, { year: YEAR, serial, fields }, A1));
    ok(await enterPaperBallot(t.db, t.audit, { year: YEAR, serial, fields }, A2));
    // The serials' table knows stratum and batch, never a seat; the audit log never names a serial that was typed.
    const serialRow = await t.db.selectFrom('paper_serials').selectAll().where('serial', '=', serial).executeTakeFirstOrThrow();
    assert.equal(Object.keys(serialRow).sort(), ['batch', 'round_id', 'serial', 'stratum']);
    const log = (await t.db.selectFrom('audit_log').select(['action', 'detail']).execute()).filter((r) => r.action === 'paper.enter');
    assert.is(log.length, 2);
    for (const r of log) {
      assert.not.match(r.detail, serial);
      assert.not.match(r.detail, seat.code);
    }
    const ballot = await t.db.selectFrom('ballots').selectAll().executeTakeFirstOrThrow();
    const text = JSON.stringify(ballot);
    for (const s of [seat.code, A1.id, A2.id, SECRET]) assert.not.match(text, s);
    assert.is(ballot.receipt, serial);
    assert.is(ballot.stratum, strata.get(seat.code));
  } finally {
    await t.store.destroy();
  }
});

Anonymity.run();

const Console = suite('paper ballots in the console');

Console('mark, print, type twice by two administrators, see a dispute side by side', async () => {
  const t = await openSurvey();
  try {
    const one = await loggedIn(t, 'one');
    const two = await loggedIn(t, 'two');
    const seat = t.seats[0]!;
    const base = `/admin/rounds/${YEAR}/paper`;
    assert.is((await one.post(`${base}/seats`, { _csrf: one.token, code: seat.code, confirm: '1' })).status, 303);
    assert.is((await t.app.request(`/s/${seat.token}`)).status, 410);
    const page = await one.get(`${base}?lang=en`);
    assert.is(page.status, 200);
    assert.match(await page.text(), 'fewer than 10 paper seats');
    const bad = await one.post(`${base}/seats`, { _csrf: one.token, code: seat.code, confirm: '1' });
    assert.is(bad.status, 422);
    const stratum = (await seatStrata(t)).get(seat.code)!;
    const printed = await one.post(`${base}/batches`, { _csrf: one.token, stratum, count: '2' });
    assert.is(printed.status, 303);
    const sheets = await (await one.follow(printed)).text();
    const serials = [...new Set([...sheets.matchAll(/<code>([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2})<\/code>/g)].map((m) => m[1] as string))];
    assert.is(serials.length, 2);
    assert.is(sheets.split('class="letter paper-sheet"').length - 1, 2);
    assert.match(sheets, stratum);
    const entry = await one.get(`${base}/entry`);
    assert.match(await entry.text(), `name="u.${t.units[0]!.code}"`);
    const fields = entryFields(t.units, answersOf(1, t.units));
    const first = await one.post(`${base}/entry`, { _csrf: one.token, serial: serials[0]!, ...fields });
    assert.is(first.status, 303);
    assert.match(first.headers.get('location') ?? '', 'done=first');
    assert.is((await one.post(`${base}/entry`, { _csrf: one.token, serial: serials[0]!, ...fields })).status, 422);
    const differing = { ...fields, [`u.${t.units[2]!.code}`]: fields[`u.${t.units[2]!.code}`] === '1' ? '2' : '1' };
    const second = await two.post(`${base}/entry`, { _csrf: two.token, serial: serials[0]!, ...differing });
    assert.match(second.headers.get('location') ?? '', 'done=disputed');
    const side = await (await one.get(`${base}/disputes?lang=en`)).text();
    assert.match(side, serials[0]!);
    assert.is(side.split('class="paper-differs"').length - 1, 1);
    const round = await (await one.get(`/admin/rounds/${YEAR}?lang=en`)).text();
    assert.match(round, 'Paper ballots reconciled');

    // A third administrator settles it. The turnout counts the ballot in its stratum; the districts, which a paper
    // ballot does not record, say that it is not among theirs.
    const three = await loggedIn(t, 'three');
    const settled = await three.post(`${base}/entry`, { _csrf: three.token, serial: serials[0]!, ...fields });
    assert.match(settled.headers.get('location') ?? '', 'done=stored');
    const turnout = await (await one.get(`/admin/rounds/${YEAR}/turnout?lang=en`)).text();
    assert.match(turnout, new RegExp(`1 of ${t.seats.length} answered`));
    assert.match(turnout, 'Paper ballots not in this table: 1.');
  } finally {
    await t.store.destroy();
  }
});

Console.run();
