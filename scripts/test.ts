/*
 * `npm test`: type checking and Biome's format and lint check, then every test/*.test.ts file in its own process
 * (uvu), two at a time, once per database.
 * Ends with one line `N passed, N failed` (type errors, lint or format findings and crashed files count as failures).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(join(root, 'test'))
  .filter((f) => f.endsWith('.test.ts') || f.endsWith('.test.tsx'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? 1, out, ms: Date.now() - started }));
  });
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape that starts a terminal colour code
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;

/** A whole-project check that passes or fails as one: the type checker, Biome. */
async function check(name: string, args: string[]): Promise<void> {
  if (only.length > 0 && !only.includes(name)) return;
  const res = await run(process.execPath, args);
  if (res.code === 0) {
    passed++;
    console.log(`✓ ${name} (${res.ms} ms)`);
  } else {
    failed++;
    console.log(`✗ ${name}\n${strip(res.out)}`);
  }
}

await check('typecheck', [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root]);
// Formatting and lint rules, the direction of imports among them (biome.json); `npm run format` fixes what it can.
await check('lint', [join(root, 'node_modules/@biomejs/biome/bin/biome'), 'ci', '--colors=off', root]);

/**
 * The suite runs once per database: SQLite always, PostgreSQL too when TEST_DATABASE_URL names a server (each test
 * file then works in a database of its own, each test in a schema of its own).
 */
const pgUrl = process.env.TEST_DATABASE_URL;
const databases: { name: string; url: string }[] = [{ name: 'sqlite', url: '' }];
if (pgUrl) databases.push({ name: 'postgres', url: pgUrl });

/** Runs one statement on the PostgreSQL server of TEST_DATABASE_URL. */
async function onServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

for (const database of databases) {
  const label = databases.length > 1 ? `[${database.name}] ` : '';
  const queue = [...files];
  const workers = Array.from({ length: Math.max(1, Math.min(2, cpus().length)) }, async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      // On PostgreSQL each file gets a database of its own: a file's tests never see another file's schemas come
      // and go (which Kysely's migrator, looking at every schema of a database, would trip over).
      let url = database.url;
      const own = `pingyi_test_${randomBytes(6).toString('hex')}`;
      if (url) {
        await onServer(`create database ${own} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`);
        const u = new URL(url);
        u.pathname = `/${own}`;
        url = u.toString();
      }
      const res = await run(process.execPath, ['--import', 'tsx', join('test', file)], { TEST_DATABASE_URL: url });
      if (url) await onServer(`drop database ${own} with (force)`);
      const out = strip(res.out);
      // The exit code decides: uvu exits non-zero when a test fails or the file crashes. Its printed totals only
      // count the tests (a file that fails outside any test counts as one failure).
      const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const ok = res.code === 0 ? total : Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const bad = res.code === 0 ? 0 : Math.max(1, total - ok);
      passed += ok;
      failed += bad;
      console.log(
        `${bad ? '✗' : '✓'} ${label}${file}: ${ok}/${total}${skipped ? `, ${skipped} skipped` : ''}${res.code ? ` (exit ${res.code})` : ''} (${res.ms} ms)`,
      );
      if (bad) console.log(out);
    }
  });
  await Promise.all(workers);
}
if (!pgUrl) console.log('(PostgreSQL not tested: set TEST_DATABASE_URL, or run `scripts/with-postgres.sh npm test`)');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
