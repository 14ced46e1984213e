// A ballot cast straight (server/survey/accept.ts, Store.castStraight): the form names its round, and a ballot that
// is complete and valid for that round's form is cast before its link is looked up, the database checking that the
// link is of that round and takes a ballot now. Guards that this changes nothing but the number of trips to the
// database: every link a lookup would refuse is refused, nothing is stored then, the ballot records the seat's
// stratum, and a form naming the wrong round, or one the server has not read, is decided as before.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoUnits } from '../server/demo/city.js';
import type { BallotRow } from '../server/db/store.js';
import { tokenHash } from '../server/links/tokens.js';
import { onPostgres } from './db.js';
import { ballotCount, CHOICES, CLOSES, fullBallot, OPENS, openSurvey, post, usedOn, type Survey } from './survey-fixture.js';

const UNITS = demoUnits().slice(0, 6);
const DAY = '2026-03-10';
const AT = '2026-03-10T02:00:00.000Z';

/** Runs `body` on a fresh survey (with its round's id) and closes it however it ends. */
async function withSurvey(body: (s: Survey & { roundId: string }) => Promise<void>): Promise<void> {
  const s = await openSurvey({ units: UNITS });
  try {
    await body(Object.assign(s, { roundId: (await s.db.selectFrom('rounds').select('id').executeTakeFirstOrThrow()).id }));
  } finally {
    await s.store.destroy();
  }
}

let ids = 0;
function ballot(roundId: string): Omit<BallotRow, 'stratum'> {
  ids++;
  return {
    id: 1_000_000 + ids,
    roundId,
    receipt: `TEST-${String(ids).padStart(4, '0')}`,
    answers: JSON.stringify(Object.fromEntries(UNITS.map((u, i) => [u.code, CHOICES[i % 4]]))),
    comments: '{}',
    comment: null,
    reasons: null,
  };
}

/** The seat's stratum in the frozen pool. */
async function stratumOf(s: Survey, code: string): Promise<string> {
  const roundId = (await s.db.selectFrom('rounds').select('id').executeTakeFirstOrThrow()).id;
  return (await s.db.selectFrom('round_pool').select('stratum').where('round_id', '=', roundId).where('code', '=', code).executeTakeFirstOrThrow()).stratum;
}

const store = suite('Store.castStraight');

store('casts on a link of the round named, open now, with the seat’s stratum; once', () =>
  withSurvey(async (s) => {
    const seat = s.seats[0]!;
    const b = ballot(s.roundId);
    assert.is(await s.store.castStraight(tokenHash(seat.token), DAY, AT, b), 'cast');
    assert.is(await usedOn(s, seat.token), DAY, 'the link marked with the day');
    const rows = await s.db.selectFrom('ballots').select(['id', 'round_id', 'receipt', 'stratum']).execute();
    assert.equal(rows, [{ id: b.id, round_id: s.roundId, receipt: b.receipt, stratum: await stratumOf(s, seat.code) }]);
    assert.is(await s.store.castStraight(tokenHash(seat.token), DAY, AT, ballot(s.roundId)), 'refused', 'used now');
    assert.is(await ballotCount(s), 1);
  }),
);

store('refuses, storing nothing, every link a lookup would refuse', () =>
  withSurvey(async (s) => {
    const [wrongRound, paper, replaced, early, atClose, unknown] = s.seats;
    await s.db.updateTable('round_links').set({ paper: 1 }).where('code', '=', paper!.code).execute();
    await s.db.updateTable('round_links').set({ active: 0 }).where('code', '=', replaced!.code).execute();
    const cases: [string, string, string, Omit<BallotRow, 'stratum'>][] = [
      ['another round named', wrongRound!.token, AT, ballot('00000000-0000-0000-0000-000000000000')],
      ['a seat on paper', paper!.token, AT, ballot(s.roundId)],
      ['a link no longer active', replaced!.token, AT, ballot(s.roundId)],
      ['before the round opens', early!.token, new Date(Date.parse(OPENS) - 1).toISOString(), ballot(s.roundId)],
      ['at the moment it closes', atClose!.token, new Date(Date.parse(CLOSES)).toISOString(), ballot(s.roundId)],
      ['an unknown link', `${unknown!.token.slice(0, -1)}x`, AT, ballot(s.roundId)],
    ];
    for (const [what, token, at, b] of cases) assert.is(await s.store.castStraight(tokenHash(token), DAY, at, b), 'refused', what);
    assert.is(await ballotCount(s), 0, 'nothing stored');
    const used = await s.db.selectFrom('round_links').select('code').where('used_on', 'is not', null).execute();
    assert.equal(used, [], 'no link marked');
    // The last millisecond before closing still counts.
    const last = new Date(Date.parse(CLOSES) - 1).toISOString();
    assert.is(await s.store.castStraight(tokenHash(atClose!.token), DAY, last, ballot(s.roundId)), 'cast', 'a millisecond before closing');
    // A round that is no longer open takes no ballot, whatever the time.
    await s.db.updateTable('rounds').set({ status: 'closed' }).execute();
    assert.is(await s.store.castStraight(tokenHash(early!.token), DAY, AT, ballot(s.roundId)), 'refused', 'a closed round');
    assert.is(await ballotCount(s), 1);
  }),
);

store('ballots cast straight and after a lookup, together on the same links: one ballot per link', () =>
  withSurvey(async (s) => {
    const [a, b] = s.seats;
    const strata = [await stratumOf(s, a!.code), await stratumOf(s, b!.code)];
    const looked = (k: number) => ({ ...ballot(s.roundId), stratum: strata[k] as string });
    const [a1, b1, b2, a2] = await Promise.all([
      s.store.castStraight(tokenHash(a!.token), DAY, AT, ballot(s.roundId)),
      s.store.castBallot(tokenHash(b!.token), DAY, looked(1)),
      s.store.castStraight(tokenHash(b!.token), DAY, AT, ballot(s.roundId)),
      s.store.castBallot(tokenHash(a!.token), DAY, looked(0)),
    ]);
    // Which of a link's two ballots is stored depends on the store's order; that one of them is does not.
    assert.equal([a1 === 'cast', a2 === 'cast'].sort(), [false, true], 'link a: one ballot');
    assert.equal([b1 === 'cast', b2 === 'cast'].sort(), [false, true], 'link b: one ballot');
    const rows = await s.db.selectFrom('ballots').select('stratum').execute();
    assert.equal(rows.map((r) => r.stratum).sort(), [...strata].sort(), 'each with its seat’s stratum');
  }),
);

store.run();

const http = suite('a ballot whose form names its round');

/** The form's fields as a browser sends them: the hidden ones from the page, then an answer for every unit. */
async function formFields(s: Survey, token: string): Promise<Record<string, string>> {
  const page = await (await s.app.request(`/s/${token}`)).text();
  const hidden = Object.fromEntries([...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  return { ...hidden, ...fullBallot(UNITS) };
}

/** Counts the store's link lookups from now on. */
function countLookups(s: Survey): () => number {
  let n = 0;
  const find = s.store.findLink.bind(s.store);
  s.store.findLink = (hash) => {
    n++;
    return find(hash);
  };
  return () => n;
}

http('the form carries its round; its ballot is cast straight, with the seat’s stratum', () =>
  withSurvey(async (s) => {
    const seat = s.seats[0]!;
    const fields = await formFields(s, seat.token);
    assert.is(fields.round, s.roundId, 'the round in a hidden field');
    const lookups = countLookups(s);
    const res = await post(s, seat.token, fields);
    assert.is(res.status, 303);
    // On SQLite the store looks the link up itself (no round trip to save); on PostgreSQL nothing looks it up.
    assert.is(lookups(), onPostgres ? 0 : 1, 'one trip to the database');
    const rows = await s.db.selectFrom('ballots').select(['round_id', 'stratum']).execute();
    assert.equal(rows, [{ round_id: s.roundId, stratum: await stratumOf(s, seat.code) }]);
    assert.is((await post(s, seat.token, fields)).status, 409, 'sent again: used');
    assert.is(await ballotCount(s), 1);
  }),
);

http('a form naming another round, or one this server has not read, is decided as before', () =>
  withSurvey(async (s) => {
    const [a, b, c] = s.seats;
    const fields = await formFields(s, a!.token);
    const other = '00000000-0000-0000-0000-000000000000';
    assert.is((await post(s, b!.token, { ...fields, round: other })).status, 303, 'a round the server does not know');
    assert.is((await post(s, c!.token, `${new URLSearchParams(fields)}&round=${other}`)).status, 303, 'two rounds named');
    const rows = await s.db.selectFrom('ballots').select(['round_id', 'stratum']).execute();
    const strata = [await stratumOf(s, b!.code), await stratumOf(s, c!.code)].sort();
    assert.equal(
      rows.map((r) => r.round_id),
      [s.roundId, s.roundId],
    );
    assert.equal(rows.map((r) => r.stratum).sort(), strata);
  }),
);

http('refusals are the same: used, on paper, closed, unknown, invalid; nothing stored', () =>
  withSurvey(async (s) => {
    const [used, paper, invalid, late] = s.seats;
    const fields = await formFields(s, used!.token);
    assert.is((await post(s, used!.token, fields)).status, 303);
    assert.is((await post(s, used!.token, fields)).status, 409, 'used');
    await s.db.updateTable('round_links').set({ paper: 1 }).where('code', '=', paper!.code).execute();
    const onPaper = await post(s, paper!.token, fields);
    assert.is(onPaper.status, 410, 'on paper');
    const unknown = await post(s, `${used!.token.slice(0, -2)}zz`, fields);
    assert.is(unknown.status, 404, 'unknown');
    const { [`u.${UNITS[0]!.code}`]: _dropped, ...incomplete } = fields;
    const refused = await post(s, invalid!.token, incomplete);
    assert.is(refused.status, 422, 'incomplete');
    assert.match(await refused.text(), `name="round" value="${s.roundId}"`, 'shown again with its round');
    s.clock.set(CLOSES);
    assert.is((await post(s, late!.token, fields)).status, 410, 'closed');
    assert.is(await ballotCount(s), 1, 'only the first');
    for (const seat of [paper, invalid, late]) assert.is(await usedOn(s, seat!.token), null);
  }),
);

http.run();
