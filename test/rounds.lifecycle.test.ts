// Guards the round's lifecycle (README, A year's round) through its domain verbs: settings and their defaults, every refusal in
// plain words, the frozen snapshot, the audit trail, replacements (§2.3 replace), and the draw as two fresh
// instances and an independent implementation of §2.4 compute it.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import seedrandom from 'seedrandom';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoPool, demoUnits } from '../server/demo/city.js';
import { auditKey, verifyAudit } from '../server/audit/log.js';
import { drawRecord, type DrawRecord } from '../server/draw/record.js';
import { verifyDrawRecord } from '../server/draw/verify.js';
import { translator } from '../server/i18n/catalogue.js';
import { linkToken, tokenHash } from '../server/links/tokens.js';
import { setRepresentativeActive, updateRepresentative, upsertRepresentatives, type RepresentativeInput } from '../server/pool/representatives.js';
import {
  closeRound,
  createRound,
  drawRound,
  findRound,
  freezeRound,
  openRound,
  reissueLink,
  replaceMember,
  updateRoundSettings,
} from '../server/rounds/rounds.js';
import { defaultDesign } from '../server/rounds/design.js';
import { parseSettings, type RoundSettings, type SettingsInput } from '../server/rounds/settings.js';
import { setUnitActive, updateUnit, upsertUnits } from '../server/units/units.js';
import { problemText, type Outcome } from '../server/validate.js';
import { countRows, createTestApp, type TestApp } from './helpers.js';

const en = translator('en');
const TZ = 'Asia/Shanghai';

// ---- helpers ----

function settings(input: SettingsInput): RoundSettings {
  const parsed = parseSettings(input, TZ, (y) => `Round ${y}`);
  if (!parsed.ok) throw new Error(`settings refused: ${parsed.problems.map((p) => p.key).join(', ')}`);
  return parsed.settings;
}

/** The refusal's text in English, as the console and the CLI show it; fails when the outcome was not refused. */
function refusal(o: Outcome<unknown>): string {
  if (o.ok) throw new Error('expected a refusal, the action succeeded');
  return o.problems.map((p) => problemText(en, p)).join('\n');
}

function ok<T>(o: Outcome<T>, what = 'action'): T {
  if (!o.ok) throw new Error(`${what} refused: ${o.problems.map((p) => problemText(en, p)).join('; ')}`);
  return o.value;
}

function rep(code: string, stratum: string, over: Partial<RepresentativeInput> = {}): RepresentativeInput {
  return { code, name: `Person ${code}`, stratum, district: '东湖区', phone: null, email: null, active: true, ...over };
}

/** Representatives by stratum: `{ A: 10 }` gives A00..A09 in stratum A (prefix overridable). */
function people(sizes: Record<string, number>, prefix: (stratum: string, index: number) => string = (s) => s): RepresentativeInput[] {
  return Object.entries(sizes).flatMap(([stratum, n], s) =>
    Array.from({ length: n }, (_, i) => rep(`${prefix(stratum, s)}${String(i).padStart(2, '0')}`, stratum)),
  );
}

const UNITS = [
  { code: 'U1', name: '市财政局', category: '综合管理部门', active: true },
  { code: 'U2', name: '市公安局', category: '行政执法部门', active: true },
  { code: 'U3', name: '市供电公司', category: '公共服务部门', active: true },
];

/** A fresh app with units and the given pool, and a round of 2026 in draft. */
async function draftRound(pool: RepresentativeInput[], input: SettingsInput = {}, now?: string): Promise<TestApp> {
  const t = await createTestApp(now ? { now } : {});
  await upsertUnits(t.db, t.audit, UNITS, 'test');
  if (pool.length) await upsertRepresentatives(t.db, t.audit, pool, { actor: 'test' });
  ok(await createRound(t.db, t.audit, settings({ year: '2026', ...input }), 'test'), 'create');
  return t;
}

const freeze = (t: TestApp, minPool = 1) => freezeRound(t.db, t.audit, 2026, minPool, 'test');
const draw = (t: TestApp, publicRandom = '07 13 22 31 40 + 05') =>
  drawRound(t.db, t.audit, { year: 2026, publicRandom, source: 'lottery', secret: t.config.secret }, 'test');
const replace = (t: TestApp, code: string, reason = 'moved away') =>
  replaceMember(t.db, t.audit, { year: 2026, code, reason, secret: t.config.secret, timeZone: TZ }, 'test');

async function record(t: TestApp): Promise<DrawRecord> {
  const round = await findRound(t.db, 2026);
  const rec = round && (await drawRecord(t.db, round));
  if (!rec) throw new Error('no draw record');
  return rec;
}

async function publicJson(t: TestApp): Promise<DrawRecord> {
  const res = await t.app.request('/draw/2026.json');
  assert.is(res.status, 200);
  return (await res.json()) as DrawRecord;
}

async function lastAudit(t: TestApp) {
  return t.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
}

async function roundPool(t: TestApp) {
  return t.db.selectFrom('round_pool').select(['code', 'stratum', 'district', 'representative_id']).orderBy('code').execute();
}

async function roundUnits(t: TestApp) {
  return t.db.selectFrom('round_units').select(['code', 'name', 'category', 'category_position']).orderBy('code').execute();
}

async function activeLink(t: TestApp, hash: string) {
  return t.db.selectFrom('round_links').selectAll().where('token_hash', '=', hash).where('active', '=', 1).executeTakeFirst();
}

/** Every row of every table the rounds own, as text: to prove a refused step changed nothing. */
async function roundTables(t: TestApp): Promise<string> {
  const tables = ['rounds', 'round_pool', 'round_units', 'round_draw', 'round_allocation', 'round_replacements', 'round_links', 'audit_log'];
  const out: string[] = [];
  for (const name of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)} order by 1, 2`.execute(t.db);
    out.push(`${name}: ${JSON.stringify(rows.rows)}`);
  }
  return out.join('\n');
}

// ---- settings ----

const set = suite('rounds: settings');

set('parseSettings fills the defaults of a round (README, A year’s round)', () => {
  const parsed = parseSettings({ year: '2026' }, TZ, (y) => `Round ${y}`);
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  assert.equal(parsed.settings, {
    year: 2026,
    title: 'Round 2026',
    sampleSize: 1000,
    scale: 'satisfaction4',
    points: [100, 70, 30],
    stratify: true,
    bottomScope: 'overall',
    minValid: 30,
    opensAt: '2026-12-01T09:00:00+08:00',
    closesAt: '2026-12-20T18:00:00+08:00',
    design: defaultDesign(),
  });
  assert.match(parsed.settings.opensAt, /\+08:00$/, 'times carry the city offset');
});

set('given values are kept: score100, category scope, no stratification, own times', () => {
  const s = settings({
    year: '2027',
    title: '  Review  ',
    sample: '500',
    scale: 'score100',
    points: '90,60,0',
    stratify: false,
    bottomScope: 'category',
    minValid: '12',
    opens: '2027-11-01T08:00:00+08:00',
    closes: '2027-11-30T20:00:00Z',
  });
  assert.equal(s, {
    year: 2027,
    title: 'Review',
    sampleSize: 500,
    scale: 'score100',
    points: [90, 60, 0],
    stratify: false,
    bottomScope: 'category',
    minValid: 12,
    opensAt: '2027-11-01T08:00:00+08:00',
    closesAt: '2027-11-30T20:00:00Z',
    design: defaultDesign(),
  });
});

set('bad settings are listed all at once, each with its field and plain words', () => {
  const parsed = parseSettings(
    { year: '20x6', points: '100,110,30', scale: 'stars', opens: '2026-12-10T09:00:00+08:00', closes: '2026-12-01T09:00:00+08:00' },
    TZ,
    (y) => `Round ${y}`,
  );
  assert.not.ok(parsed.ok);
  if (parsed.ok) return;
  assert.equal(
    parsed.problems.map((p) => p.field),
    ['year', 'scale', 'points', 'closes'],
  );
  const text = parsed.problems.map((p) => problemText(en, p));
  assert.equal(text, [
    'the year must be a whole number from 2000 to 2100',
    'the scale must be satisfaction4 or score100',
    'points must be three numbers from 0 to 100, separated by commas, not increasing (like 100,70,30)',
    'the closing time must be ISO-8601 with an offset, and later than the opening time',
  ]);
});

set('more bad values: each is named', () => {
  const cases: [SettingsInput, string][] = [
    [{ year: '1999' }, 'year'],
    [{ year: '2101' }, 'year'],
    [{ year: '2026', sample: '0' }, 'sample'],
    [{ year: '2026', sample: '12.5' }, 'sample'],
    [{ year: '2026', points: '100,70' }, 'points'],
    [{ year: '2026', points: '101,70,30' }, 'points'],
    [{ year: '2026', points: 'a,b,c' }, 'points'],
    [{ year: '2026', bottomScope: 'district' }, 'bottomScope'],
    [{ year: '2026', minValid: '0' }, 'minValid'],
    [{ year: '2026', title: '' }, 'title'],
    [{ year: '2026', title: 'x'.repeat(201) }, 'title'],
    [{ year: '2026', opens: '2026-12-01 09:00' }, 'opens'],
    [{ year: '2026', opens: '2026-12-01T09:00:00' }, 'opens'],
    [{ year: '2026', closes: '2026-12-01T09:00:00+08:00' }, 'closes'],
  ];
  for (const [input, field] of cases) {
    const parsed = parseSettings(input, TZ, (y) => `Round ${y}`);
    assert.not.ok(parsed.ok, JSON.stringify(input));
    if (!parsed.ok)
      assert.equal(
        parsed.problems.map((p) => p.field),
        [field],
        JSON.stringify(input),
      );
  }
});

set("a draft round's settings change; a second round for the same year is refused", async () => {
  const t = await draftRound([]);
  const round = (await findRound(t.db, 2026))!;
  const before = await countRows(t.db, 'audit_log');
  const parsed = parseSettings({ sample: '10', points: '100,60,20' }, TZ, (y) => `Round ${y}`, {
    year: round.year,
    title: round.title,
    sampleSize: round.sample_size,
    scale: round.scale,
    points: [100, 70, 30],
    stratify: true,
    bottomScope: round.bottom_scope,
    minValid: round.min_valid,
    opensAt: round.opens_at,
    closesAt: round.closes_at,
  });
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  ok(await updateRoundSettings(t.db, t.audit, 2026, parsed.settings, 'test'));
  const after = (await findRound(t.db, 2026))!;
  assert.is(after.sample_size, 10);
  assert.is(after.points, '100,60,20');
  assert.is(after.title, 'Round 2026', 'what the edit does not name stays');
  assert.is(await countRows(t.db, 'audit_log'), before + 1);

  const again = await createRound(t.db, t.audit, settings({ year: '2026' }), 'test');
  assert.is(refusal(again), 'a round for 2026 already exists');
  assert.is(await countRows(t.db, 'audit_log'), before + 1, 'a refused step writes no audit row');
});

set.run();

// ---- refusals ----

const no = suite('rounds: each step checks its preconditions');

no('freezing with fewer than MIN_POOL active representatives names both numbers, and changes nothing', async () => {
  // 2,999 active plus some inactive ones, which do not count.
  const pool = Array.from({ length: 2999 }, (_, i) => rep(`R${String(i).padStart(5, '0')}`, i % 3 ? 'A' : 'B'));
  const inactive = people({ C: 5 }).map((r) => ({ ...r, active: false }));
  const t = await draftRound([...pool, ...inactive]);
  const before = await roundTables(t);
  const text = refusal(await freeze(t, 3000));
  assert.match(text, /only 2999 active/);
  assert.match(text, /at least 3000/);
  assert.is(text, 'There are only 2999 active representatives and at least 3000 are needed; the pool cannot be frozen yet.');
  assert.is(await roundTables(t), before, 'nothing written, no audit row');
  assert.is((await findRound(t.db, 2026))!.status, 'draft');

  await upsertRepresentatives(t.db, t.audit, [rep('R99999', 'B')], { actor: 'test' });
  const frozen = ok(await freeze(t, 3000));
  assert.is(
    Object.values(frozen.strata).reduce((a, b) => a + b, 0),
    3000,
  );
});

no('drawing before freezing, drawing twice, freezing twice', async () => {
  const t = await draftRound(people({ A: 6, B: 4 }), { sample: '5' });
  const draftState = await roundTables(t);
  assert.is(refusal(await draw(t)), 'Round 2026 is not frozen (status: draft). Freeze the pool and publish its fingerprint before drawing.');
  assert.is(await roundTables(t), draftState, 'drawing before freezing changes nothing');

  ok(await freeze(t));
  assert.is(refusal(await freeze(t)), 'The pool of round 2026 is already frozen (status: frozen); its settings can no longer change.');
  ok(await draw(t));
  const drawnState = await roundTables(t);
  const round = (await findRound(t.db, 2026))!;
  assert.is(refusal(await draw(t)), `Round 2026 was already drawn (${round.drawn_at}); a draw cannot be repeated.`);
  assert.is(refusal(await draw(t, 'another value')), `Round 2026 was already drawn (${round.drawn_at}); a draw cannot be repeated.`);
  assert.is(await roundTables(t), drawnState, 'a second draw changes nothing');

  // Still refused once the round is open or closed: a draw is never repeated.
  ok(await openRound(t.db, t.audit, 2026, 'test'));
  assert.match(refusal(await draw(t)), 'was already drawn');
  ok(await closeRound(t.store, t.audit, 2026, 'test'));
  assert.match(refusal(await draw(t)), 'was already drawn');
});

no('opening before the draw, closing a round that is not open', async () => {
  const t = await draftRound(people({ A: 6, B: 4 }), { sample: '5' });
  assert.is(refusal(await openRound(t.db, t.audit, 2026, 'test')), 'Round 2026 has not been drawn (status: draft); it cannot open before the draw.');
  assert.is(refusal(await closeRound(t.store, t.audit, 2026, 'test')), 'Round 2026 is draft; only an open round can be closed.');
  ok(await freeze(t));
  const frozenState = await roundTables(t);
  assert.is(refusal(await openRound(t.db, t.audit, 2026, 'test')), 'Round 2026 has not been drawn (status: frozen); it cannot open before the draw.');
  assert.is(await roundTables(t), frozenState);
  ok(await draw(t));
  assert.is(refusal(await closeRound(t.store, t.audit, 2026, 'test')), 'Round 2026 is drawn; only an open round can be closed.');
  ok(await openRound(t.db, t.audit, 2026, 'test'));
  assert.is(refusal(await openRound(t.db, t.audit, 2026, 'test')), 'Round 2026 is open; it cannot be opened.');
  ok(await closeRound(t.store, t.audit, 2026, 'test'));
  assert.is((await findRound(t.db, 2026))!.status, 'closed');
  ok(await openRound(t.db, t.audit, 2026, 'test'), 'a closed, unpublished round may open again');
});

no("a frozen round's settings never change", async () => {
  const t = await draftRound(people({ A: 6, B: 4 }), { sample: '5' });
  ok(await freeze(t));
  const before = await roundTables(t);
  const text = refusal(await updateRoundSettings(t.db, t.audit, 2026, settings({ year: '2026', sample: '3' }), 'test'));
  assert.is(text, 'The pool of round 2026 is already frozen (status: frozen); its settings can no longer change.');
  assert.is(await roundTables(t), before);
  assert.is((await findRound(t.db, 2026))!.sample_size, 5);
  ok(await draw(t));
  assert.match(refusal(await updateRoundSettings(t.db, t.audit, 2026, settings({ year: '2026', sample: '3' }), 'test')), '(status: drawn)');
});

no('no active units, an unknown year, an empty or overlong public value, an overlong source', async () => {
  const t = await createTestApp();
  await upsertRepresentatives(t.db, t.audit, people({ A: 5 }), { actor: 'test' });
  ok(await createRound(t.db, t.audit, settings({ year: '2026', sample: '2' }), 'test'));
  assert.is(refusal(await freeze(t)), 'There are no active units; the round cannot be frozen.');
  assert.is(refusal(await freezeRound(t.db, t.audit, 2031, 1, 'test')), 'There is no round for 2031.');
  assert.is(
    refusal(await drawRound(t.db, t.audit, { year: 2031, publicRandom: 'x', source: '', secret: t.config.secret }, 'test')),
    'There is no round for 2031.',
  );
  assert.is(refusal(await openRound(t.db, t.audit, 2031, 'test')), 'There is no round for 2031.');
  await upsertUnits(t.db, t.audit, UNITS, 'test');
  ok(await freeze(t));
  const before = await roundTables(t);
  assert.is(refusal(await draw(t, '')), 'enter the public random value (1–500 characters)');
  assert.is(refusal(await draw(t, '   ')), 'enter the public random value (1–500 characters)');
  assert.is(refusal(await draw(t, '9'.repeat(501))), 'enter the public random value (1–500 characters)');
  assert.is(
    refusal(await drawRound(t.db, t.audit, { year: 2026, publicRandom: '1', source: 's'.repeat(201), secret: t.config.secret }, 'test')),
    'the source may have at most 200 characters',
  );
  assert.is(await roundTables(t), before);
});

no.run();

// ---- audit ----

const audit = suite('rounds: every step is one audit row, and the chain holds');

audit('create, settings, freeze, draw, replace, reissue, open, close: one row each, in order; refusals none', async () => {
  const t = await createTestApp();
  await upsertUnits(t.db, t.audit, UNITS, 'test');
  await upsertRepresentatives(t.db, t.audit, people({ A: 8, B: 6 }), { actor: 'test' });
  const steps: [string, () => Promise<Outcome<unknown>>][] = [
    ['round.create', () => createRound(t.db, t.audit, settings({ year: '2026', sample: '6' }), 'alice')],
    ['round.settings', () => updateRoundSettings(t.db, t.audit, 2026, settings({ year: '2026', sample: '7' }), 'alice')],
    ['round.freeze', () => freezeRound(t.db, t.audit, 2026, 10, 'alice')],
    ['round.draw', () => drawRound(t.db, t.audit, { year: 2026, publicRandom: '42', source: '', secret: t.config.secret }, 'alice')],
    [
      'round.replace',
      async () =>
        replaceMember(t.db, t.audit, { year: 2026, code: (await record(t)).sample![0]!, reason: 'ill', secret: t.config.secret, timeZone: TZ }, 'alice'),
    ],
    ['round.reissue', async () => reissueLink(t.db, t.audit, { year: 2026, code: (await record(t)).sample![1]!, secret: t.config.secret }, 'alice')],
    ['round.open', () => openRound(t.db, t.audit, 2026, 'alice')],
    ['round.close', () => closeRound(t.store, t.audit, 2026, 'alice')],
  ];
  // Refused at every stage, so each is tried after each step.
  const refusals: (() => Promise<Outcome<unknown>>)[] = [
    () => drawRound(t.db, t.audit, { year: 2026, publicRandom: ' ', source: '', secret: t.config.secret }, 'alice'),
    () => freezeRound(t.db, t.audit, 2026, 1000, 'alice'),
    () => openRound(t.db, t.audit, 2031, 'alice'),
    () => replaceMember(t.db, t.audit, { year: 2026, code: 'NOBODY', reason: 'x', secret: t.config.secret, timeZone: TZ }, 'alice'),
  ];
  for (const [action, step] of steps) {
    const before = await countRows(t.db, 'audit_log');
    const outcome = await step();
    assert.ok(outcome.ok, action);
    assert.is(await countRows(t.db, 'audit_log'), before + 1, action);
    const row = await lastAudit(t);
    assert.is(row.action, action);
    assert.is(row.actor, 'alice');
    for (const refuse of refusals) {
      const n = await countRows(t.db, 'audit_log');
      assert.not.ok((await refuse()).ok, `still refused after ${action}`);
      assert.is(await countRows(t.db, 'audit_log'), n, `a refusal after ${action} writes nothing`);
    }
  }
  const verdict = await verifyAudit(t.db, auditKey(t.config.secret));
  assert.ok(verdict.ok);
  const freezeRow = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'round.freeze').executeTakeFirstOrThrow();
  assert.equal(JSON.parse(freezeRow.detail), { year: 2026, poolHash: (await findRound(t.db, 2026))!.pool_hash, pool: 14, units: 3 });
  const drawRow = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'round.draw').executeTakeFirstOrThrow();
  assert.is(JSON.parse(drawRow.detail).seed, (await findRound(t.db, 2026))!.seed);
});

audit.run();

// ---- the frozen snapshot ----

const snap = suite('rounds: pool and unit edits after the freeze never touch the snapshot');

snap('deactivating, adding, re-stratifying and re-coding representatives, and editing units, change nothing frozen', async () => {
  const pool = people({ 企业代表: 9, 社区居民: 7, 人大代表: 4 }, (_s, i) => `P${i}`);
  const t = await draftRound(pool, { sample: '8' });
  const twin = await draftRound(pool, { sample: '8' });
  ok(await freeze(t));
  ok(await freeze(twin));
  const poolBefore = await roundPool(t);
  const unitsBefore = await roundUnits(t);
  const published = await publicJson(t);

  assert.ok(await setRepresentativeActive(t.db, t.audit, 'P000', false, 'test'));
  await upsertRepresentatives(t.db, t.audit, [rep('P999', '企业代表'), { ...pool[10]!, stratum: '媒体代表' }], { actor: 'test' });
  assert.is(await updateRepresentative(t.db, t.audit, 'P101', { ...pool[11]!, code: 'P101X', stratum: '农村代表' }, 'test'), 'ok');
  assert.ok(await setUnitActive(t.db, t.audit, 'U1', false, 'test'));
  await upsertUnits(t.db, t.audit, [{ code: 'U9', name: '市水利局', category: '行政执法部门', active: true }], 'test');
  assert.is(await updateUnit(t.db, t.audit, 'U2', { code: 'U2', name: '市公安局（新）', category: '公共服务部门', active: true }, 'test'), 'ok');

  assert.equal(await roundPool(t), poolBefore, 'round_pool unchanged');
  assert.equal(await roundUnits(t), unitsBefore, 'round_units unchanged');
  const after = await publicJson(t);
  assert.is(after.poolHash, published.poolHash);
  assert.equal(after.pool, published.pool);
  assert.equal(after.strata, published.strata);

  // The draw reads the snapshot: the edited instance draws exactly what an untouched twin draws.
  ok(await draw(t));
  ok(await draw(twin));
  const a = await record(t);
  const b = await record(twin);
  assert.equal(a.sample, b.sample);
  assert.equal(a.reserves, b.reserves);
  assert.is(a.poolHash, published.poolHash);
  assert.ok(verifyDrawRecord(await publicJson(t)).ok);

  // Edits after the draw do not touch it either.
  assert.ok(await setRepresentativeActive(t.db, t.audit, a.sample![0]!, false, 'test'));
  assert.equal((await record(t)).sample, a.sample);
  assert.equal(await roundPool(t), poolBefore);
});

snap.run();

// ---- two instances and an independent implementation ----

const sha = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** docs/SPEC.md, The draw written out plainly, from the text alone (never server/draw/algorithm.ts). */
function referenceDraw(year: number, pool: { code: string; stratum: string }[], N: number, stratify: boolean, publicRandom: string) {
  const entries = pool.map((p) => ({ code: p.code, stratum: stratify ? p.stratum : '*' })).sort((p, q) => byBytes(p.code, q.code));
  const file = `code,stratum\n${entries.map((e) => `${e.code},${e.stratum}\n`).join('')}`;
  const poolHash = sha(file);
  const seed = sha(`pingyi-draw-v1\n${year}\n${poolHash}\n${publicRandom}\n`);
  const strataNames = [...new Set(entries.map((e) => e.stratum))].sort(byBytes);
  const members = new Map(strataNames.map((s) => [s, entries.filter((e) => e.stratum === s).map((e) => e.code)]));
  const P = entries.length;
  const seats = new Map<string, number>();
  if (N >= P) for (const s of strataNames) seats.set(s, members.get(s)!.length);
  else {
    const rows = strataNames.map((s) => {
      const n = members.get(s)!.length;
      return { s, floor: Math.floor((N * n) / P), rem: (N * n) % P, tie: sha(`${seed}|tie|${s}`) };
    });
    let left = N - rows.reduce((sum, r) => sum + r.floor, 0);
    for (const r of rows) seats.set(r.s, r.floor);
    const order = [...rows].sort((x, y) => y.rem - x.rem || (x.tie < y.tie ? -1 : x.tie > y.tie ? 1 : 0));
    for (const r of order) if (left-- > 0) seats.set(r.s, seats.get(r.s)! + 1);
  }
  const sample: string[] = [];
  const reserves: Record<string, string[]> = {};
  const strata: Record<string, number> = {};
  const allocation: Record<string, number> = {};
  for (const s of strataNames) {
    const a = [...members.get(s)!];
    const rng = seedrandom(sha(`${seed}|${s}`));
    for (let i = a.length - 1; i >= 1; i--) {
      const j = Math.floor(rng() * (i + 1));
      const held = a[i]!;
      a[i] = a[j]!;
      a[j] = held;
    }
    sample.push(...a.slice(0, seats.get(s)));
    reserves[s] = a.slice(seats.get(s));
    strata[s] = a.length;
    allocation[s] = seats.get(s)!;
  }
  return { poolHash, seed, strata, allocation, sample, reserves };
}

function withoutTimes(rec: DrawRecord) {
  const { frozenAt: _f, drawnAt: _d, ...rest } = rec;
  return rest;
}

/** Shuffles a copy deterministically (so that the second instance stores its rows in another order). */
function shuffled<T>(list: readonly T[], seed: string): T[] {
  const rng = seedrandom(seed);
  const a = [...list];
  for (let i = a.length - 1; i >= 1; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function instance(pool: RepresentativeInput[], input: SettingsInput, now: string, publicRandom: string): Promise<TestApp> {
  const t = await createTestApp({ now });
  await upsertUnits(t.db, t.audit, demoUnits(), 'test');
  // In batches, so the rows land in the table in the given order across several statements.
  for (let i = 0; i < pool.length; i += 700) await upsertRepresentatives(t.db, t.audit, pool.slice(i, i + 700), { actor: 'test' });
  ok(await createRound(t.db, t.audit, settings({ year: '2026', ...input }), 'test'));
  ok(await freezeRound(t.db, t.audit, 2026, 3000, 'test'), 'freeze');
  ok(await draw(t, publicRandom), 'draw');
  return t;
}

const twins = suite('draw: two fresh instances and an independent implementation agree');

twins('the demo pool (~3,200) in two row orders: identical records, equal to the reference', async () => {
  const pool = demoPool();
  const publicRandom = '2026335期 福彩3D 7 4 1';
  const a = await instance(pool, {}, '2026-03-01T02:00:00Z', publicRandom);
  const b = await instance(shuffled(pool, 'other order'), {}, '2026-05-09T11:30:00Z', publicRandom);
  const ra = await record(a);
  const rb = await record(b);
  assert.is.not(ra.frozenAt, rb.frozenAt, 'the instances really ran at other times');
  assert.equal(withoutTimes(ra), withoutTimes(rb));
  assert.is(ra.sample!.length, 1000);

  const active = pool.filter((p) => p.active);
  const ref = referenceDraw(2026, active, 1000, true, publicRandom);
  assert.is(ra.poolHash, ref.poolHash);
  assert.is(ra.seed, ref.seed);
  assert.equal(ra.strata, ref.strata);
  assert.equal(ra.allocation, ref.allocation);
  assert.equal(ra.sample, ref.sample);
  assert.equal(ra.reserves, ref.reserves);
  assert.is((await findRound(a.db, 2026))!.seed, ref.seed);

  // The links of both instances are the same hashes (same secret), one per drawn code.
  const links = async (t: TestApp) =>
    (await t.db.selectFrom('round_links').select(['code', 'token_hash']).orderBy('code').execute()).map((r) => `${r.code}:${r.token_hash}`);
  assert.equal(await links(a), await links(b));
  assert.is((await links(a)).length, 1000);
});

twins('tied remainders, an unstratified round and a sample as large as the pool agree with the reference', async () => {
  const cases: { pool: RepresentativeInput[]; input: SettingsInput; note: string }[] = [
    { pool: people({ 甲: 10, 乙: 10, 丙: 10, Z: 10 }, (_s, i) => `T${i}`), input: { sample: '10' }, note: 'four equal strata, every remainder tied' },
    { pool: people({ A: 7, B: 13, C: 20 }), input: { sample: '9', stratify: false }, note: 'not stratified' },
    { pool: people({ A: 3, B: 4 }), input: { sample: '7' }, note: 'N = P' },
    { pool: people({ A: 3, B: 4 }), input: { sample: '50' }, note: 'N > P' },
  ];
  for (const { pool, input, note } of cases) {
    const build = async (rows: RepresentativeInput[]) => {
      const t = await draftRound(rows, input);
      ok(await freeze(t), note);
      ok(await draw(t, 'tie'), note);
      return t;
    };
    const ra = await record(await build(pool));
    const rb = await record(await build([...pool].reverse()));
    assert.equal(withoutTimes(ra), withoutTimes(rb), note);
    const ref = referenceDraw(2026, pool, Number(input.sample), input.stratify !== false, 'tie');
    assert.equal({ poolHash: ra.poolHash, seed: ra.seed, strata: ra.strata, allocation: ra.allocation, sample: ra.sample, reserves: ra.reserves }, ref, note);
    assert.ok(verifyDrawRecord(ra).ok, note);
  }
});

twins.run();

// ---- replacement ----

/** Strata A (10), B (6), C (4), sample 10: seats A 5, B 3, C 2; reserves A 5, B 3, C 2. */
async function drawnSmall(input: SettingsInput = {}, now?: string): Promise<{ t: TestApp; rec: DrawRecord; seats: (s: string) => string[] }> {
  const t = await draftRound(people({ A: 10, B: 6, C: 4 }), { sample: '10', ...input }, now);
  ok(await freeze(t));
  ok(await draw(t));
  const rec = await record(t);
  const stratumOf = new Map(rec.pool.map((p) => [p.code, p.stratum]));
  return { t, rec, seats: (s) => rec.sample!.filter((c) => stratumOf.get(c) === s) };
}

const swap = suite('rounds: replacing a drawn representative');

swap('the next reserve of the same stratum takes the seat; successive replacements walk down the list', async () => {
  const { t, rec, seats } = await drawnSmall();
  assert.equal(rec.allocation, { A: 5, B: 3, C: 2 });
  const [a0, a1] = seats('A');
  const reservesA = rec.reserves!.A!;
  assert.equal(ok(await replace(t, a0!)), { in: reservesA[0]!, stratum: 'A' });
  assert.equal(ok(await replace(t, a1!)), { in: reservesA[1]!, stratum: 'A' });
  // Replacing a replacement: the seat goes on down the same list.
  assert.equal(ok(await replace(t, reservesA[0]!)), { in: reservesA[2]!, stratum: 'A' });
  // Another stratum starts at its own first reserve.
  assert.equal(ok(await replace(t, seats('B')[2]!)), { in: rec.reserves!.B![0]!, stratum: 'B' });

  const holders = (await t.db.selectFrom('round_links').select('code').where('active', '=', 1).execute()).map((r) => r.code).sort();
  const expected = [...rec.sample!.filter((c) => c !== a0 && c !== a1 && c !== seats('B')[2]), reservesA[1]!, reservesA[2]!, rec.reserves!.B![0]!].sort();
  assert.equal(holders, expected, 'the seat holders are the active links');
  assert.is(holders.length, 10, 'the number of seats never changes');
  const after = await record(t);
  assert.equal(after.sample, rec.sample, 'the drawn sample stays as drawn; replacements are listed apart');
  assert.equal(
    after.replacements.map((r) => [r.out, r.in]),
    [
      [a0, reservesA[0]],
      [a1, reservesA[1]],
      [reservesA[0], reservesA[2]],
      [seats('B')[2], rec.reserves!.B![0]],
    ],
  );
  assert.equal(verifyDrawRecord(await publicJson(t)), {
    ok: true,
    checked: ['poolHash', 'strata', 'seed', 'allocation', 'sample', 'reserves', 'replacements'],
  });
});

swap('no reserve left: refused naming the stratum, nothing changed', async () => {
  const { t, rec, seats } = await drawnSmall();
  const [c0, c1] = seats('C');
  assert.is(ok(await replace(t, c0!)).in, rec.reserves!.C![0]!);
  assert.is(ok(await replace(t, c1!)).in, rec.reserves!.C![1]!);
  const before = await roundTables(t);
  assert.is(refusal(await replace(t, rec.reserves!.C![0]!)), 'the stratum "C" has no reserve left');
  assert.is(await roundTables(t), before);
});

swap('an already-voted representative, a replaced one, a reserve, an unknown code, a bad reason: refused', async () => {
  const { t, rec, seats } = await drawnSmall();
  const [a0, a1] = seats('A');
  await t.db.updateTable('round_links').set({ used_on: '2026-12-02' }).where('code', '=', a0!).execute();
  const before = await roundTables(t);
  assert.is(refusal(await replace(t, a0!)), `${a0} has already voted and cannot be replaced or get a new link`);
  assert.is(
    refusal(await reissueLink(t.db, t.audit, { year: 2026, code: a0!, secret: t.config.secret }, 'test')),
    `${a0} has already voted and cannot be replaced or get a new link`,
  );
  assert.is(refusal(await replace(t, rec.reserves!.A![3]!)), `${rec.reserves!.A![3]} does not hold a seat in round 2026`);
  assert.is(refusal(await replace(t, 'NOBODY')), 'NOBODY does not hold a seat in round 2026');
  assert.is(refusal(await replace(t, a1!, '')), 'give a reason (1–200 characters)');
  assert.is(refusal(await replace(t, a1!, 'two\nlines')), 'give a reason (1–200 characters)');
  assert.is(refusal(await replace(t, a1!, 'r'.repeat(201))), 'give a reason (1–200 characters)');
  assert.is(await roundTables(t), before);
  ok(await replace(t, a1!));
  assert.is(refusal(await replace(t, a1!)), `${a1} does not hold a seat in round 2026`, 'a replaced representative holds no seat');
});

swap('only a drawn or open round has seats to replace', async () => {
  const t = await draftRound(people({ A: 6, B: 4 }), { sample: '5' });
  assert.is(
    refusal(await replace(t, 'A00')),
    'Round 2026 is draft; representatives can be replaced and links re-issued only after the draw and before the close.',
  );
  ok(await freeze(t));
  assert.match(refusal(await replace(t, 'A00')), 'Round 2026 is frozen;');
  ok(await draw(t));
  ok(await openRound(t.db, t.audit, 2026, 'test'));
  const rec = await record(t);
  ok(await replace(t, rec.sample![0]!), 'an open round');
  ok(await closeRound(t.store, t.audit, 2026, 'test'));
  assert.match(refusal(await replace(t, rec.sample![1]!)), 'Round 2026 is closed;');
  assert.match(refusal(await reissueLink(t.db, t.audit, { year: 2026, code: rec.sample![1]!, secret: t.config.secret }, 'test')), 'Round 2026 is closed;');
});

swap('an unstratified round takes the next reserve of the single * list, whatever the stratum', async () => {
  const { t, rec } = await drawnSmall({ stratify: false });
  assert.equal(Object.keys(rec.reserves!), ['*']);
  assert.equal(rec.allocation, { '*': 10 });
  const star = rec.reserves!['*']!;
  assert.equal(ok(await replace(t, rec.sample![0]!)), { in: star[0]!, stratum: '*' });
  assert.equal(ok(await replace(t, rec.sample![9]!)), { in: star[1]!, stratum: '*' });
  assert.equal(ok(await replace(t, star[0]!)), { in: star[2]!, stratum: '*' });
  assert.ok(verifyDrawRecord(await publicJson(t)).ok);
});

swap("the replaced link stops working, the newcomer's derived link works", async () => {
  const { t, rec } = await drawnSmall();
  const out = rec.sample![0]!;
  const oldHash = tokenHash(linkToken(t.config.secret, 2026, out, 1));
  assert.ok(await activeLink(t, oldHash), 'the link works before');
  const { in: newcomer } = ok(await replace(t, out));
  assert.is(await activeLink(t, oldHash), undefined, 'the old link is gone');
  const newHash = tokenHash(linkToken(t.config.secret, 2026, newcomer, 1));
  const link = await activeLink(t, newHash);
  assert.ok(link, "the newcomer's link works");
  assert.is(link!.code, newcomer);
  assert.is(link!.generation, 1);
  assert.is(link!.used_on, null);
  const audit = await lastAudit(t);
  assert.is(audit.action, 'round.replace');
  assert.equal(JSON.parse(audit.detail), { year: 2026, out, in: newcomer, reason: 'moved away' });
});

swap('the public record lists each replacement with its reason and the date in the city zone, codes only', async () => {
  // 17:30 UTC is already the next day in Shanghai.
  const { t, rec } = await drawnSmall({}, '2026-03-01T17:30:00Z');
  const out = rec.sample![3]!;
  const { in: newcomer } = ok(await replace(t, out, '因病无法参加'));
  const json = await publicJson(t);
  assert.equal(json.replacements, [{ out, in: newcomer, reason: '因病无法参加', date: '2026-03-02' }]);
  assert.ok(verifyDrawRecord(json).ok);
  const text = JSON.stringify(json);
  for (const code of [out, newcomer]) assert.not.ok(text.includes(`Person ${code}`), 'no names in the record');
  const page = await (await t.app.request('/draw/2026', { headers: { cookie: 'lang=en' } })).text();
  assert.ok(page.includes('因病无法参加'), 'the reason is on the public page');
});

swap.run();
