// Guards docs/SPEC.md, Decisions and their reasons Reliability "online backup" and the README's restore steps: `npm run cli -- backup FILE` (a child
// process) copies the database while the real server (another child process) keeps taking ballots; the copy is a
// sound, consistent snapshot; restored as the README says, the server starts on it and it holds everything.
// On PostgreSQL, backups are pg_dump's job, and the command says so.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tokenHash } from '../server/links/tokens.js';
import { ballotBody, prepareInstallation, runCli, startChildServer, submit, YEAR, type ChildServer, type Installation } from './child-server.js';

const LINKS = 2000;
/** Submissions in flight at any time while the backup runs. */
const WORKERS = 4;

interface Snapshot {
  integrity: string;
  tables: string[];
  counts: Record<string, number>;
  ballots: number;
  usedLinks: number;
  usedHashes: Set<string>;
}

/** Reads a database file without writing to it. */
function inspect(file: string): Snapshot {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare(`select name from sqlite_master where type = 'table' order by name`).all() as { name: string }[]).map((r) => r.name);
    const counts = Object.fromEntries(tables.map((t) => [t, (db.prepare(`select count(*) as n from "${t}"`).get() as { n: number }).n]));
    const round = db.prepare('select id from rounds where year = ?').get(YEAR) as { id: string };
    const used = db.prepare('select token_hash from round_links where round_id = ? and used_on is not null').all(round.id) as { token_hash: string }[];
    return {
      integrity: (db.prepare('pragma integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check).join('; '),
      tables,
      counts,
      ballots: (db.prepare('select count(*) as n from ballots where round_id = ?').get(round.id) as { n: number }).n,
      usedLinks: used.length,
      usedHashes: new Set(used.map((u) => u.token_hash)),
    };
  } finally {
    db.close();
  }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const backup = suite('backup while the server runs, and restore');

let inst: Installation;
let server: ChildServer | undefined;

backup.before(async () => {
  inst = await prepareInstallation({ links: LINKS });
});

backup.after(async () => {
  await server?.kill('SIGKILL');
  inst?.cleanup();
});

const onPostgres = () => inst.env.DATABASE_URL !== undefined;

backup('on PostgreSQL the backup command points at pg_dump and writes nothing', async () => {
  if (!onPostgres()) return; // the SQLite backup is the next test
  const file = join(inst.root, 'backup.db');
  const run = await runCli(inst, ['backup', file]);
  assert.is(run.code, 1, `exit 1 (stdout ${run.stdout})`);
  assert.match(run.stderr, /pg_dump/);
  assert.not.ok(existsSync(file), 'no file written');
});

backup('a backup taken during a burst of ballots is a consistent snapshot; restored, the server runs on it and it holds everything', async () => {
  if (onPostgres()) return; // SQLite's own backup: VACUUM INTO while the server writes
  server = await startChildServer(inst);
  const live = server;
  const file = join(inst.root, 'backup.db');

  // Ballots keep coming, each on its own link, until the backup command has finished.
  let next = 0;
  let stop = false;
  let accepted = 0;
  let acceptedWhenBackupStarted = 0;
  const statuses: number[] = [];
  const burst = Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (!stop && next < inst.tokens.length) {
        const i = next++;
        const res = await submit(live.base, inst.tokens[i] as string, ballotBody(inst.units, i));
        if (res.status === 303) accepted++;
        else statuses.push(res.status);
      }
    }),
  );
  while (accepted < 20) await new Promise((r) => setTimeout(r, 10));
  acceptedWhenBackupStarted = accepted;
  const made = await runCli(inst, ['backup', file]);
  const acceptedWhenBackupEnded = accepted;
  stop = true;
  await burst;
  assert.equal(statuses, [], 'every submission during the backup was accepted');
  assert.is(made.code, 0, `backup exited ${made.code}: ${made.stderr}`);
  assert.ok(made.stdout.includes(file), `it says where: ${made.stdout}`);
  console.log(`  (ballots: ${acceptedWhenBackupStarted} when the backup started, ${acceptedWhenBackupEnded} when it ended, ${accepted} in all)`);

  const copy = inspect(file);
  const original = inspect(inst.dbFile);
  assert.is(copy.integrity, 'ok', 'PRAGMA integrity_check of the backup');
  assert.equal(copy.tables, original.tables, 'every table is in the backup');
  assert.is(copy.usedLinks, copy.ballots, 'a consistent snapshot: links marked used == ballots');
  assert.ok(copy.ballots >= acceptedWhenBackupStarted && copy.ballots <= accepted, `the snapshot's ${copy.ballots} ballots were taken during the backup`);
  for (const table of [
    'units',
    'categories',
    'representatives',
    'rounds',
    'round_pool',
    'round_units',
    'round_draw',
    'round_allocation',
    'round_links',
    'audit_log',
  ]) {
    assert.is(copy.counts[table], original.counts[table], `${table}: as many rows as the live database`);
  }

  // A backup never overwrites: an existing file is refused and left as it was.
  const before = sha256(file);
  const again = await runCli(inst, ['backup', file]);
  assert.is(again.code, 1, `backup onto an existing file exits 1 (stdout ${again.stdout})`);
  assert.match(again.stderr, /already exists/);
  assert.is(sha256(file), before, 'the existing file is unchanged');

  // Restore as the README says: stop the server, replace pingyi.db, remove -wal and -shm, keep DATA_DIR/secret.
  await live.stop();
  server = undefined;
  const secret = readFileSync(join(inst.dataDir, 'secret'), 'utf8');
  copyFileSync(file, inst.dbFile);
  for (const suffix of ['-wal', '-shm']) rmSync(inst.dbFile + suffix, { force: true });
  assert.is(readFileSync(join(inst.dataDir, 'secret'), 'utf8'), secret);
  server = await startChildServer(inst);

  assert.is(await (await fetch(`${server.base}/healthz`)).text(), 'ok', '/healthz');
  const voted = inst.tokens.find((tk) => copy.usedHashes.has(tokenHash(tk))) as string;
  assert.is((await submit(server.base, voted, ballotBody(inst.units, 0))).status, 409, 'a link whose ballot is in the backup is used');
  // A ballot cast after the snapshot is not in it: that link is open again (the form shows), as the backup says.
  const later = inst.tokens.slice(0, next).find((tk) => !copy.usedHashes.has(tokenHash(tk)));
  if (later) assert.is((await fetch(`${server.base}/s/${later}`)).status, 200, 'a link used only after the backup is unused in it');
  const draw = await fetch(`${server.base}/draw/${YEAR}.json`);
  assert.is(draw.status, 200, 'the public draw record is served from the restored data');
  assert.is(((await draw.json()) as { sample: string[] }).sample.length, LINKS);

  await server.stop();
  server = undefined;
  const restored = inspect(inst.dbFile);
  assert.is(restored.integrity, 'ok');
  // Each start of a server without an administrator issues a fresh one-time setup link: the one table that may grow.
  const { setup_tokens: _a, ...restoredCounts } = restored.counts;
  const { setup_tokens: _b, ...copyCounts } = copy.counts;
  assert.equal(restoredCounts, copyCounts, 'the restored database holds every row of the backup');
});

backup.run();
