// Guards docs/SPEC.md, Decisions and their reasons Security "every administrator action in an append-only, hash-chained audit log": each action done
// in the console leaves one row saying who, when and what (and no personal data), and a row edited, inserted or
// deleted behind the application's back is found, by `verifyAudit`, by `npm run cli -- audit verify` (a child
// process on the data directory, as an operator runs it) and on the console's audit page.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createAdmin } from '../server/admin/accounts.js';
import { createApp } from '../server/app.js';
import {
  auditHash,
  auditKey,
  auditTrail,
  GENESIS_HASH,
  legacyAuditHash,
  rekeyAudit,
  verifyAudit,
  type AuditHead,
  type AuditVerdict,
  type PublishedHead,
} from '../server/audit/log.js';
import { publishResults } from '../server/results/publish.js';
import { checkBody, serialize, type ResultsDocument } from '../server/results/snapshot.js';
import { closeRound, findRound } from '../server/rounds/rounds.js';
import { castBallot } from '../server/survey/cast.js';
import { demoUnits } from '../server/demo/city.js';
import { fixedClock } from '../server/clock.js';
import { loadConfig, type Config } from '../server/config.js';
import { copyDatabase } from '../server/db/copy.js';
import type { AuditLogTable, Database } from '../server/db/schema.js';
import { linkToken } from '../server/links/tokens.js';
import { openStore } from '../server/db/database.js';
import type { Store } from '../server/db/store.js';
import { newPlace, openPlace, runCli, type Place } from './child-server.js';
import { Browser, loggedIn, TEST_PASSWORD, type TestApp } from './helpers.js';
import { ok, openSurvey, type Survey } from './survey-fixture.js';

const ADMIN = 'auditor';
const YEAR = 2026;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const UNITS_CSV = `${[
  'code,name,category',
  'A01,市教育局,公共服务部门',
  'A02,市卫生健康委,公共服务部门',
  'B01,市市场监管局,行政执法部门',
  'B02,市城管局,行政执法部门',
].join('\n')}\n`;

/** 24 people in two strata; every name, phone and e-mail is distinctive so it can be looked for anywhere. */
const PEOPLE = Array.from({ length: 24 }, (_, i) => {
  const code = `R${String(i).padStart(3, '0')}`;
  return {
    code,
    name: `审计代表${code}`,
    stratum: i % 2 ? '企业代表' : '社区居民',
    phone: `1391234${String(i).padStart(4, '0')}`,
    email: `person.${code.toLowerCase()}@example.org`,
  };
});
const POOL_CSV = `${['code,name,stratum,district,phone,email', ...PEOPLE.map((p) => `${p.code},${p.name},${p.stratum},南河区,${p.phone},${p.email}`)].join('\r\n')}\r\n`;
const PERSONAL = PEOPLE.flatMap((p) => [p.name, p.phone, p.email]);

type AuditRow = AuditLogTable;

async function auditRows(db: Database): Promise<AuditRow[]> {
  return db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
}

/**
 * A copy of the live database in a place of its own (with the same secret), made by the copier that
 * `migrate-to-postgres` uses.
 */
async function copyPlace(db: Database, from: Place, to: string): Promise<Place> {
  const place = await newPlace(to);
  const copy = (await openPlace(place)).db;
  try {
    await copyDatabase(db, copy);
  } finally {
    await copy.destroy();
  }
  if (!from.env.DATABASE_URL) copyFileSync(join(from.dataDir, 'secret'), join(to, 'secret'));
  return place;
}

async function tamper(place: Place, change: (db: Database) => Promise<void>): Promise<AuditVerdict> {
  const db = (await openPlace(place)).db;
  try {
    await change(db);
    return await verifyAudit(db, auditKey(config.secret));
  } finally {
    await db.destroy();
  }
}

const chain = suite('audit log: who, when and what, hash-chained, and tampering found');

let root: string;
let place: Place;
let config: Config;
let store: Store;
let db: Database;
const clock = fixedClock('2026-03-10T02:00:00Z');

chain.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'pingyi-audit-'));
  place = await newPlace(join(root, 'data'));
  config = { ...loadConfig({ ...place.env, TZ: 'Asia/Shanghai' }), minPool: 20 };
  store = await openStore(config);
  db = store.db;
});

chain.after(async () => {
  await db?.destroy().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

chain(
  'every console action is one row (actor, ISO time, action), none holds personal data; the chain verifies; edits, insertions and deletions are named',
  async () => {
    const app = createApp({ store, config, clock });
    const t: TestApp = { app, store, db, clock, audit: auditTrail(config.secret, clock), config, logs: [] };
    await createAdmin(db, t.audit, { username: ADMIN, password: TEST_PASSWORD, actor: 'test' });
    const b = new Browser(t);
    let csrf = '';

    /** Runs one console action over HTTP and checks that it appended exactly one row, the expected one. */
    async function step(action: string, run: () => Promise<Response>, detail?: (d: Record<string, unknown>) => void) {
      clock.advance(60_000);
      const before = await auditRows(db);
      const res = await run();
      assert.is(res.status, 303, `${action}: answered ${res.status} ${res.status === 303 ? '' : (await res.text()).slice(0, 2000)}`);
      const after = await auditRows(db);
      assert.is(after.length, before.length + 1, `${action}: one new audit row`);
      const row = after.at(-1) as AuditRow;
      assert.is(row.action, action);
      assert.is(row.actor, ADMIN, `${action}: who`);
      assert.match(row.at, ISO, `${action}: when is an ISO time`);
      assert.is(row.at, clock.now().toISOString(), `${action}: when is the time of the action`);
      detail?.(JSON.parse(row.detail) as Record<string, unknown>);
    }

    await step(
      'admin.login',
      () => b.post('/admin/login', { username: ADMIN, password: TEST_PASSWORD }),
      (d) => assert.equal(d, {}),
    );
    csrf = await b.csrf();
    await step(
      'units.import',
      () => b.upload('/admin/units/import', { _csrf: csrf }, { name: 'file', bytes: UNITS_CSV }),
      (d) => assert.is(d.added, 4),
    );
    await step(
      'pool.import',
      () => b.upload('/admin/pool/import', { _csrf: csrf }, { name: 'file', bytes: POOL_CSV }),
      (d) => assert.is(d.added, 24),
    );
    await step('round.create', () =>
      b.post('/admin/rounds', {
        _csrf: csrf,
        year: String(YEAR),
        title: 'Audit round',
        sample: '10',
        opens: '2026-03-01T00:00:00+08:00',
        closes: '2026-03-31T00:00:00+08:00',
      }),
    );
    const base = `/admin/rounds/${YEAR}`;
    await step(
      'round.freeze',
      () => b.post(`${base}/freeze`, { _csrf: csrf, confirm: '1' }),
      (d) => assert.is(d.pool, 24),
    );
    await step(
      'round.draw',
      () => b.post(`${base}/draw`, { _csrf: csrf, confirm: '1', publicRandom: 'lottery 2026-03-10: 04 11 23', source: 'lottery' }),
      (d) => assert.is(d.drawn, 10),
    );
    const seated = async () =>
      (await db.selectFrom('round_links').select(['code', 'generation']).where('active', '=', 1).orderBy('code').execute()).map((l) => l.code);
    const [out, reissued] = await seated();
    await step(
      'round.replace',
      () => b.post(`${base}/replace`, { _csrf: csrf, confirm: '1', code: out as string, reason: 'moved away' }),
      (d) => assert.is(d.out, out),
    );
    await step(
      'round.reissue',
      () => b.post(`${base}/reissue`, { _csrf: csrf, confirm: '1', code: reissued as string }),
      (d) => assert.equal([d.code, d.generation], [reissued, 2]),
    );
    await step(
      'round.open',
      () => b.post(`${base}/open`, { _csrf: csrf }),
      (d) => assert.equal(d, { year: YEAR }),
    );

    // Ballots are not administrator actions: three of them add nothing to the log.
    const rowsBefore = (await auditRows(db)).length;
    const links = await db.selectFrom('round_links').select(['code', 'generation']).where('active', '=', 1).orderBy('code').limit(3).execute();
    for (const l of links) {
      const body = new URLSearchParams(['A01', 'A02', 'B01', 'B02'].map((c) => [`u.${c}`, 'satisfied'])).toString();
      const res = await app.request(`/s/${linkToken(config.secret, YEAR, l.code, l.generation)}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.is(res.status, 303, 'a ballot');
    }
    assert.is((await auditRows(db)).length, rowsBefore, 'ballots write no audit row');

    await step('round.close', () => b.post(`${base}/close`, { _csrf: csrf, confirm: '1' }));
    await step(
      'round.publish',
      () => b.post(`${base}/publish`, { _csrf: csrf, confirm: '1', note: '' }),
      (d) => assert.is(d.version, 1),
    );

    const rows = await auditRows(db);
    for (const row of rows) {
      for (const p of PERSONAL)
        assert.not.ok(`${row.actor} ${row.action} ${row.detail}`.includes(p), `audit row ${row.seq} (${row.action}) holds personal data ${p}`);
    }
    const intact = await verifyAudit(db, auditKey(config.secret));
    assert.equal(intact, { ok: true, rows: rows.length, heads: 1 }, 'intact, and the head published with the results is a row of it');
    const okPage = await (await b.get('/admin/audit?lang=en')).text();
    assert.ok(okPage.includes(`The hash chain is intact (${rows.length} rows).`), 'the console says the chain is intact');
    assert.not.ok(okPage.includes('role="alert"'));

    // ---- tampering, each in its own copy of the data directory ----
    const seqOf = (action: string) => (rows.find((r) => r.action === action) as AuditRow).seq;
    const edited = await copyPlace(db, place, join(root, 'edited'));
    const inserted = await copyPlace(db, place, join(root, 'inserted'));
    const deleted = await copyPlace(db, place, join(root, 'deleted'));

    // Edited: the draw's public random value changed after the fact.
    const drawSeq = seqOf('round.draw');
    const e = await tamper(edited, async (x) => {
      const row = rows.find((r) => r.seq === drawSeq) as AuditRow;
      await x
        .updateTable('audit_log')
        .set({ detail: row.detail.replace('04 11 23', '04 11 24') })
        .where('seq', '=', drawSeq)
        .execute();
    });
    assert.equal(e.ok ? 'intact' : [e.seq, /edited/.test(e.problem)], [drawSeq, true], `an edited row is named (${JSON.stringify(e)})`);

    // Inserted: a forged re-issue slipped in before the replacement, rows after it renumbered, and the forged row
    // chained to the row before it with the hash function, but without the key (which is not in the database): the
    // chain breaks at the forged row.
    const replaceSeq = seqOf('round.replace');
    const i = await tamper(inserted, async (x) => {
      await sql`update audit_log set seq = -(seq + 1) where seq >= ${replaceSeq}`.execute(x);
      await sql`update audit_log set seq = -seq where seq < 0`.execute(x);
      const prev = rows.find((r) => r.seq === replaceSeq - 1) as AuditRow;
      const forged = {
        seq: replaceSeq,
        at: prev.at,
        actor: ADMIN,
        action: 'round.reissue',
        detail: JSON.stringify({ year: YEAR, code: 'R007', generation: 2 }),
        prev_hash: prev.hash,
      };
      await x
        .insertInto('audit_log')
        .values({ ...forged, hash: legacyAuditHash(forged) })
        .execute();
    });
    assert.equal(i.ok ? 'intact' : i.seq, replaceSeq, `an inserted row is named (${JSON.stringify(i)})`);

    // Deleted: the opening of the round removed.
    const openSeq = seqOf('round.open');
    const d = await tamper(deleted, async (x) => {
      await x.deleteFrom('audit_log').where('seq', '=', openSeq).execute();
    });
    assert.ok(!d.ok && d.seq === openSeq + 1 && d.problem.includes(`row ${openSeq} is missing`), `a deleted row is named (${JSON.stringify(d)})`);

    // The console's audit page shows the break (same session: the copy holds it too).
    const tampered = await openPlace(edited);
    const tamperedDb = tampered.db;
    try {
      const b2 = new Browser({ ...t, app: createApp({ store: tampered, config, clock }), store: tampered, db: tamperedDb });
      b2.cookies = new Map(b.cookies);
      const page = await (await b2.get('/admin/audit?lang=en')).text();
      assert.match(page, /<div class="alert" role="alert">/, 'an alert on the audit page');
      assert.ok(page.includes(`The hash chain breaks at row ${drawSeq}:`), 'naming the row');
    } finally {
      await tamperedDb.destroy();
    }

    // ---- the command line, as an operator runs it (one child process per data directory, side by side) ----
    const downloaded = join(root, 'results-2026.json');
    writeFileSync(downloaded, await (await app.request(`/results/${YEAR}.json`)).text());
    const changedCopy = join(root, 'results-2026-changed.json');
    writeFileSync(changedCopy, readFileSync(downloaded, 'utf8').replace('"ballots":3', '"ballots":4'));
    await db.destroy();
    const withFile = await runCli(place, ['audit', 'verify', downloaded]);
    assert.is(withFile.code, 0, withFile.stderr);
    assert.match(withFile.stdout, /matches the 2 chain heads/, 'the stored head and the downloaded file’s');
    const withChanged = await runCli(place, ['audit', 'verify', changedCopy]);
    assert.is(withChanged.code, 1);
    assert.match(withChanged.stderr, /sha256 does not match/);
    const [cliIntact, cliEdited, cliInserted, cliDeleted] = await Promise.all([place, edited, inserted, deleted].map((p) => runCli(p, ['audit', 'verify'])));
    assert.is(cliIntact?.code, 0, `intact: ${cliIntact?.stderr}`);
    assert.match(cliIntact?.stdout ?? '', new RegExp(`intact \\(${rows.length} rows\\)`));
    for (const [run, seq, what] of [
      [cliEdited, drawSeq, 'edited'],
      [cliInserted, replaceSeq, 'inserted'],
      [cliDeleted, openSeq + 1, 'deleted'],
    ] as const) {
      assert.is(run?.code, 1, `${what}: exit 1 (stdout ${run?.stdout}, stderr ${run?.stderr})`);
      assert.ok(run?.stderr.includes(`breaks at row ${seq}:`), `${what}: names row ${seq}: ${run?.stderr}`);
    }
    assert.ok(cliDeleted?.stderr.includes(`row ${openSeq} is missing`), 'the deleted row is named too');

    // Exports from the command line are audited actions too: one row each, the count and no personal data.
    const linksFile = join(root, 'links.csv');
    const poolFile = join(root, 'pool.csv');
    for (const args of [
      ['round', 'links', '--year', String(YEAR), '--out', linksFile],
      ['pool', 'export', poolFile],
    ]) {
      const run = await runCli(place, args);
      assert.is(run.code, 0, run.stderr);
    }
    const reopened = (await openPlace(place)).db;
    try {
      const exports = (await auditRows(reopened)).slice(-2);
      assert.equal(
        exports.map((r) => [r.actor, r.action, JSON.parse(r.detail)]),
        [
          ['cli', 'export.links', { year: YEAR, rows: 10 }],
          ['cli', 'export.pool', { rows: 24 }],
        ],
      );
      assert.ok((await verifyAudit(reopened, auditKey(config.secret))).ok);
    } finally {
      await reopened.destroy();
    }
  },
);

chain.run();

// ---------------------------------------------------------------------------------------------------------------
const keyed = suite('the chain is keyed with the installation secret, and anchored by the heads published with results');

/** A round of four units with two ballots, closed and published; the chain holds every step of it. */
async function published(): Promise<Survey> {
  const s = await openSurvey({ units: demoUnits().slice(0, 4) });
  const roundId = (await findRound(s.db, YEAR))!.id;
  for (const token of s.tokens.slice(0, 2)) {
    const cast = await castBallot(s.store, s.clock, 'Asia/Shanghai', {
      token,
      roundId,
      answers: Object.fromEntries(s.units.map((u) => [u.code, 'basic'])) as never,
      comments: {},
      comment: null,
    });
    assert.ok(cast.ok);
  }
  ok(await closeRound(s.store, s.audit, YEAR, 'alice'), 'close');
  ok(await publishResults(s.db, s.audit, { year: YEAR, note: '' }, 'alice'), 'publish');
  return s;
}

const verdictOf = (s: Survey, files: PublishedHead[] = []) => verifyAudit(s.db, auditKey(s.config.secret), files);

/** Rewrites rows from `from` on (already edited or deleted as the forger wished) so that each follows the one before. */
async function rechain(db: Database, from: number, hash: (row: Omit<AuditRow, 'hash'>) => string): Promise<void> {
  const rows = await auditRows(db);
  let prev = rows.find((r) => r.seq === from - 1)?.hash ?? GENESIS_HASH;
  for (const r of rows.filter((r) => r.seq >= from)) {
    const h = hash({ ...r, prev_hash: prev });
    await db.updateTable('audit_log').set({ prev_hash: prev, hash: h }).where('seq', '=', r.seq).execute();
    prev = h;
  }
}

keyed('an edited draw, the newest row deleted and every later hash recomputed without the key: verify names the edited row', async () => {
  const s = await published();
  assert.equal(await verdictOf(s), { ok: true, rows: (await auditRows(s.db)).length, heads: 1 });
  const draw = (await auditRows(s.db)).find((r) => r.action === 'round.draw') as AuditRow;
  await s.db
    .updateTable('audit_log')
    .set({ detail: draw.detail.replace('survey tests', 'another value') })
    .where('seq', '=', draw.seq)
    .execute();
  await s.db.updateTable('rounds').set({ public_random: 'another value' }).execute();
  const newest = (await auditRows(s.db)).at(-1) as AuditRow;
  await s.db.deleteFrom('audit_log').where('seq', '=', newest.seq).execute();
  // The attacker of the report: SHA-256 as the chain used to be, then a guessed key.
  await rechain(s.db, draw.seq, legacyAuditHash);
  const unkeyed = await verdictOf(s);
  assert.equal(unkeyed.ok ? 'intact' : [unkeyed.seq, /hashed without the key/.test(unkeyed.problem)], [draw.seq, true], JSON.stringify(unkeyed));
  await rechain(s.db, draw.seq, (row) => auditHash(auditKey('a guess at the secret, thirty-two characters'), row));
  const guessed = await verdictOf(s);
  assert.equal(guessed.ok ? 'intact' : guessed.seq, draw.seq, JSON.stringify(guessed));
});

keyed('the published results state the chain head before publishing; a history rewritten with the key no longer meets it', async () => {
  const s = await published();
  const rows = await auditRows(s.db);
  const publishRow = rows.at(-1) as AuditRow;
  assert.is(publishRow.action, 'round.publish');
  const res = await s.app.request(`/results/${YEAR}.json`);
  const body = await res.text();
  const doc = JSON.parse(body) as { audit: AuditHead; receipts: string[] };
  assert.equal(doc.audit, { rows: publishRow.seq - 1, head: publishRow.prev_hash }, 'the head just before the publication’s own row');
  assert.ok(body.indexOf('"audit":') < body.indexOf('"receipts":'), 'audit comes before receipts');
  assert.ok(checkBody(body), 'the served file still checks against its sha256');

  // Someone holding SECRET rewrites the draw's row and hashes every later row again with the key: the chain alone
  // looks intact, but the head stored with the published results is no longer one of its rows.
  const draw = rows.find((r) => r.action === 'round.draw') as AuditRow;
  await s.db
    .updateTable('audit_log')
    .set({ detail: draw.detail.replace('survey tests', 'another value') })
    .where('seq', '=', draw.seq)
    .execute();
  const key = auditKey(s.config.secret);
  await rechain(s.db, draw.seq, (row) => auditHash(key, row));
  const stored = await verdictOf(s);
  assert.ok(!stored.ok && stored.problem.includes(`the ${YEAR} results (version 1)`), JSON.stringify(stored));

  // ...and if the stored results are rewritten to state the new head, the copy downloaded before still catches it.
  const newHead = (await auditRows(s.db)).find((r) => r.seq === doc.audit.rows) as AuditRow;
  const forged = serialize({ ...(JSON.parse(body) as ResultsDocument), audit: { rows: doc.audit.rows, head: newHead.hash } });
  await s.db.updateTable('published_results').set({ body: forged.body, sha256: forged.sha256 }).execute();
  assert.ok((await verdictOf(s)).ok, 'the database agrees with itself');
  const downloaded = await verdictOf(s, [{ source: 'results-2026.json', audit: doc.audit }]);
  assert.ok(!downloaded.ok && downloaded.problem.includes('results-2026.json'), JSON.stringify(downloaded));
});

keyed('a chain begun before keying: verify says so, publishing waits, `audit rekey` hashes it again once', async () => {
  const s = await openSurvey({ units: demoUnits().slice(0, 4) });
  // As an installation upgraded from the unkeyed chain has it.
  await rechain(s.db, 1, legacyAuditHash);
  const legacy = await verdictOf(s);
  assert.ok(!legacy.ok && legacy.seq === 1 && legacy.unkeyed && legacy.problem.includes('audit rekey'), JSON.stringify(legacy));
  // New rows are keyed, but the chain still begins unkeyed: no head may be published yet.
  ok(await closeRound(s.store, s.audit, YEAR, 'alice'), 'close');
  const refused = await publishResults(s.db, s.audit, { year: YEAR, note: '' }, 'alice');
  assert.equal(refused.ok ? 'published' : refused.problems.map((p) => p.key), ['results.error.auditUnkeyed']);

  // An unkeyed row edited before the rekey: refused, nothing changed.
  const before = await auditRows(s.db);
  await s.db.updateTable('audit_log').set({ detail: '{"year":2026,"edited":true}' }).where('seq', '=', 3).execute();
  const key = auditKey(s.config.secret);
  const bad = await rekeyAudit(s.db, key, s.audit, 'cli');
  assert.equal(bad.ok ? 'rekeyed' : bad.seq, 3);
  await s.db
    .updateTable('audit_log')
    .set({ detail: (before[2] as AuditRow).detail })
    .where('seq', '=', 3)
    .execute();
  assert.equal(await auditRows(s.db), before, 'a refused rekey changes nothing');

  const done = await rekeyAudit(s.db, key, s.audit, 'cli');
  assert.equal(done, { ok: true, rows: before.length, unkeyed: before.length - 1 });
  const after = await auditRows(s.db);
  assert.is(after.at(-1)?.action, 'audit.rekey');
  assert.equal(
    after.slice(0, -1).map((r) => [r.seq, r.action, r.detail]),
    before.map((r) => [r.seq, r.action, r.detail]),
    'contents unchanged',
  );
  assert.ok((await verdictOf(s)).ok);
  ok(await publishResults(s.db, s.audit, { year: YEAR, note: '' }, 'alice'), 'publish after rekey');
  assert.ok((await verdictOf(s)).ok);
});

keyed.run();

// ---------------------------------------------------------------------------------------------------------------
const exported = suite('every export of personal data or of links is an audited action');

exported('links.csv, the letters (all and unused), missing.csv and the pool export: one row each, with the count and no personal data', async () => {
  const s = await openSurvey({ units: demoUnits().slice(0, 4) });
  const b = await loggedIn(s, 'alice');
  const seats = s.seats.length;
  const cases: [string, string, Record<string, unknown>][] = [
    [`/admin/rounds/${YEAR}/links.csv`, 'export.links', { year: YEAR, rows: seats }],
    [`/admin/rounds/${YEAR}/letters`, 'export.letters', { year: YEAR, rows: seats }],
    [`/admin/rounds/${YEAR}/letters?unused=1`, 'export.letters', { year: YEAR, rows: seats, unused: true }],
    [`/admin/rounds/${YEAR}/missing.csv`, 'export.missing', { year: YEAR, rows: seats }],
    ['/admin/pool/export.csv', 'export.pool', { rows: s.pool.length }],
  ];
  for (const [path, action, detail] of cases) {
    const before = await auditRows(s.db);
    const res = await b.get(path);
    assert.is(res.status, 200, path);
    const after = await auditRows(s.db);
    assert.is(after.length, before.length + 1, `${path}: one row`);
    const row = after.at(-1) as AuditRow;
    assert.equal([row.actor, row.action, JSON.parse(row.detail)], ['alice', action, detail], path);
    for (const p of s.pool) assert.not.ok(row.detail.includes(p.name) || row.detail.includes(p.phone ?? '—'), `${path}: no personal data in the row`);
  }
  // A refused export (not a round that has links) leaves no row.
  const before = (await auditRows(s.db)).length;
  assert.is((await b.get('/admin/rounds/2031/links.csv')).status, 404);
  assert.is((await auditRows(s.db)).length, before);
});

exported.run();
