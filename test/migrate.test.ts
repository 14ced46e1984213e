// Guards issue 7's move of an existing installation: `npm run cli -- migrate-to-postgres URL` copies a SQLite
// installation (with ballots cast, a round published, an administrator, an audit log) into an empty PostgreSQL
// database, row for row, and a server started on the copy serves the same published bytes and knows which links
// were used. Bad targets are refused and change nothing. The copy itself needs a PostgreSQL server, so those
// tests run on the PostgreSQL pass of `npm test` (TEST_DATABASE_URL); the refusals run on both.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { auditTrail } from '../server/audit/log.js';
import { fixedClock } from '../server/clock.js';
import { loadConfig } from '../server/config.js';
import { sql } from 'kysely';
import { DatabaseSetupError, openStore } from '../server/db/database.js';
import { openPostgres } from '../server/db/postgres-store.js';
import { createTestSchema } from './db.js';
import type { Database } from '../server/db/schema.js';
import { publishResults } from '../server/results/publish.js';
import { closeRound, findRound } from '../server/rounds/rounds.js';
import { castBallot } from '../server/survey/cast.js';
import {
  openPlace,
  prepareInstallation,
  runCli,
  startChildServer,
  submit,
  ballotBody,
  YEAR,
  type ChildServer,
  type Installation,
  type Place,
} from './child-server.js';
import { ballotTables, tableNames } from './db-inspect.js';
import { dialectOf } from '../server/db/dialect.js';
import { TEST_PASSWORD } from './helpers.js';

const CAST = 7;
const CHOICES = ['satisfied', 'basic', 'dissatisfied', 'unknown'] as const;

const move = suite('migrate-to-postgres');

let source: Installation;
let servers: ChildServer[] = [];
const onPostgresRun = () => Boolean(process.env.TEST_DATABASE_URL);

async function counts(db: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of await tableNames(db)) {
    if (t.startsWith('kysely_')) continue;
    out[t] = Number(
      (
        await db
          .selectFrom(t as 'units')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  }
  if (dialectOf(db) === 'postgres') {
    // The ballots are counted through the view `ballots`, whatever tables hold them (migration 0013).
    for (const t of await ballotTables(db)) delete out[t];
    delete out.mixing_state;
    out.ballots = Number(
      (
        await db
          .selectFrom('ballots')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  }
  return out;
}

move.before(async () => {
  // A SQLite installation with a history: ballots on the first links, the round closed and published, an admin.
  source = await prepareInstallation({ links: 30, units: 6, sqlite: true });
  const store = await openPlace(source);
  const db = store.db;
  try {
    const clock = fixedClock(new Date());
    const audit = auditTrail(loadConfig(source.env).secret, clock);
    const round = (await findRound(db, YEAR))!;
    for (let i = 0; i < CAST; i++) {
      const answers = Object.fromEntries(source.units.map((u, k) => [u.code, CHOICES[(i + k) % 4]])) as never;
      const cast = await castBallot(store, clock, 'Asia/Shanghai', {
        token: source.tokens[i] as string,
        roundId: round.id,
        answers,
        comments: {},
        comment: i === 0 ? '意见' : null,
      });
      if (!cast.ok) throw new Error('cast');
    }
    if (!(await closeRound(store, audit, YEAR, 'setup')).ok) throw new Error('close');
    if (!(await publishResults(db, audit, { year: YEAR, note: '' }, 'setup')).ok) throw new Error('publish');
  } finally {
    await db.destroy();
  }
  const admin = await runCli(source, ['admin', 'add', 'operator'], { PASSWORD: TEST_PASSWORD });
  if (admin.code !== 0) throw new Error(admin.stderr);
});

move.after(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
  source?.cleanup();
});

move('a target that is not a PostgreSQL connection string is refused before anything is touched', async () => {
  for (const bad of ['mysql://db/pingyi', join(source.root, 'copy.db')]) {
    const run = await runCli(source, ['migrate-to-postgres', bad]);
    assert.is(run.code, 1, `${bad}: exit 1`);
    assert.match(run.stderr, /not a PostgreSQL connection string/);
  }
  const usage = await runCli(source, ['migrate-to-postgres']);
  assert.is(usage.code, 2);
  assert.match(usage.stderr, /migrate-to-postgres: missing POSTGRES_URL\nusage: migrate-to-postgres POSTGRES_URL/);
});

move('everything is copied, the counts match, and a server on the copy serves what the SQLite one served', async () => {
  if (!onPostgresRun()) return; // needs a PostgreSQL server: the PostgreSQL pass runs it
  const url = (await createTestSchema()) as string;
  const run = await runCli(source, ['migrate-to-postgres', url]);
  assert.is(run.code, 0, `exit 0: ${run.stderr}`);
  assert.match(run.stdout, /the counts match/);
  assert.not.ok(run.stdout.includes(new URL(url).password || '\u0000'), 'no password printed');

  const from = (await openPlace(source)).db;
  const to = openPostgres(url);
  try {
    const [a, b] = [await counts(from), await counts(to)];
    assert.equal(b, a, 'every table holds as many rows on both');
    assert.is(a.ballots, CAST);
    for (const [table, n] of Object.entries(a)) assert.match(run.stdout, new RegExp(`^${table} +${n}$`, 'm'), `${table} listed with ${n}`);
    const ballots = async (db: Database) => db.selectFrom('ballots').selectAll().orderBy('id').execute();
    assert.equal(await ballots(to), await ballots(from), 'the ballots are the same, value for value');
  } finally {
    await Promise.all([from.destroy(), to.destroy()]);
  }

  // The servers, side by side: the SQLite original and the copy on PostgreSQL with the installation's secret.
  const secret = readFileSync(join(source.dataDir, 'secret'), 'utf8').trim();
  const copy: Place = { dataDir: join(source.root, 'pg-data'), env: { DATA_DIR: join(source.root, 'pg-data'), DATABASE_URL: url, SECRET: secret } };
  servers = await Promise.all([startChildServer(source), startChildServer(copy)]);
  const [sqliteServer, pgServer] = servers as [ChildServer, ChildServer];
  for (const path of [`/results/${YEAR}.json`, `/draw/${YEAR}.json`, `/results/${YEAR}.csv`]) {
    const [x, y] = await Promise.all([sqliteServer, pgServer].map(async (s) => (await fetch(`${s.base}${path}`)).text()));
    assert.ok((x as string).length > 100, `${path} served`);
    assert.is(y, x, `${path}: the same bytes from the copy`);
  }
  // The links keep working as they did: used ones are used, the round is closed for the rest.
  assert.is((await submit(pgServer.base, source.tokens[0] as string, ballotBody(source.units, 0))).status, 409, 'a used link is used');
  assert.is((await submit(pgServer.base, source.tokens[CAST] as string, ballotBody(source.units, 0))).status, 410, 'the round is closed');
  // The administrator can log in, and the audit chain is intact on the copy.
  const login = await fetch(`${pgServer.base}/admin/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: 'operator', password: TEST_PASSWORD }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  assert.is(login.status, 303, 'the administrator logs in on the copy');
  const verify = await runCli(copy, ['audit', 'verify']);
  assert.is(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /intact/);

  // Copying again into the now filled database is refused, and changes nothing there.
  const db = openPostgres(url);
  try {
    const before = await counts(db);
    const again = await runCli(source, ['migrate-to-postgres', url]);
    assert.is(again.code, 1, 'a second copy is refused');
    assert.match(again.stderr, /not empty/);
    assert.equal(await counts(db), before, 'nothing changed');
  } finally {
    await db.destroy();
  }
});

move('an installation already on PostgreSQL is told so', async () => {
  if (!onPostgresRun()) return;
  const url = (await createTestSchema()) as string;
  const place: Place = { dataDir: join(source.root, 'pg-only'), env: { DATA_DIR: join(source.root, 'pg-only'), DATABASE_URL: url, SECRET: 'y'.repeat(40) } };
  const run = await runCli(place, ['migrate-to-postgres', url]);
  assert.is(run.code, 1);
  assert.match(run.stderr, /already runs on PostgreSQL/);
});

move('a PostgreSQL database that would not sort text by bytes is refused with the command that makes a right one', async () => {
  if (!onPostgresRun()) return;
  const server = openPostgres(process.env.TEST_DATABASE_URL as string, { max: 1 });
  const name = `pingyi_icu_${process.pid}`;
  try {
    await sql
      .raw(`create database ${name} template template0 encoding 'UTF8' locale_provider icu icu_locale 'en-US' lc_collate 'C' lc_ctype 'C'`)
      .execute(server);
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    url.pathname = `/${name}`;
    let refused: unknown;
    try {
      await (await openStore({ dataDir: join(source.root, 'icu'), databaseUrl: url.toString() })).destroy();
    } catch (e) {
      refused = e;
    }
    assert.instance(refused, DatabaseSetupError);
    assert.match((refused as Error).message, /an ICU collation .*CREATE DATABASE pingyi TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C'/s);
    const left = openPostgres(url.toString(), { max: 1 });
    try {
      assert.equal(await tableNames(left), [], 'nothing was created in it');
    } finally {
      await left.destroy();
    }
  } finally {
    await sql.raw(`drop database if exists ${name} with (force)`).execute(server);
    await server.destroy();
  }
});

move.run();
