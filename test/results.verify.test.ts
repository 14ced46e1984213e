// Guards "anyone can recompute" (docs/SPEC.md, Open data; README, Checking published results): `verify-results`
// recomputes every figure of a published file with no database and exits 0 only on a full match; the results
// page's check (web/js/results-check.js, a second implementation) recomputes the ranking and flags in the browser.
// Both agree with the server on every year of a demo city, one with three items, weights and reasons, and both
// name the unit of a count changed in the file.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoPool, demoUnits } from '../server/demo/city.js';
import { demoRound, demoYears } from '../server/demo/rounds.js';
import { upsertRepresentatives } from '../server/pool/representatives.js';
import { publishResults } from '../server/results/publish.js';
import type { ResultsDocument } from '../server/results/snapshot.js';
import { verifyResults } from '../server/results/verify.js';
import { closeRound } from '../server/rounds/rounds.js';
import { upsertUnits } from '../server/units/units.js';
import { createTestApp, type TestApp } from './helpers.js';
import { fullBallot, ok, openSurvey, post, YEAR } from './survey-fixture.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const YEARS = [2023, 2024, 2025];

type Difference = { where: string; published: unknown; recomputed: unknown };
type BrowserCheck = (doc: unknown, previous: unknown) => { difference?: Difference; units?: number; ranked?: number; fromCounts?: boolean; twoYears?: boolean };
const { recompute } = (await import(new URL('../web/js/results-check.js', import.meta.url).href)) as { recompute: BrowserCheck };

/** The demo city's published years (`npm run demo`, on a smaller pool), the last with a ballot design; their files as served. */
async function demoCity(): Promise<{ t: TestApp; bodies: Map<number, string>; docs: Map<number, ResultsDocument> }> {
  const t = await createTestApp({ config: { minPool: 100 } });
  await upsertUnits(t.db, t.audit, demoUnits(), 'test');
  await upsertRepresentatives(t.db, t.audit, demoPool(0.05), { actor: 'test' });
  const now = new Date('2026-06-01T00:00:00Z');
  const past = demoYears(2026).filter((y) => !y.current);
  assert.equal(
    past.map((y) => y.year),
    YEARS,
  );
  for (const y of past) await demoRound(t.store, t.config, y.year, { now, current: false, weakest: y.weakest, design: y.design });
  const bodies = new Map<number, string>();
  for (const year of YEARS) bodies.set(year, await (await t.app.request(`/results/${year}.json`)).text());
  return { t, bodies, docs: new Map([...bodies].map(([y, b]) => [y, JSON.parse(b) as ResultsDocument])) };
}

const city = await demoCity();
const docOf = (year: number) => structuredClone(city.docs.get(year) as ResultsDocument);

// ---------------------------------------------------------------------------------------------------------------

const cli = suite('verify-results (server/results/verify.ts)');

cli('every published year of the demo city verifies, with the previous year’s file and without it', () => {
  const designed = docOf(2025);
  assert.ok(designed.cells && designed.indicators?.length === 3 && designed.reasons?.length, 'the last year has a design');
  assert.ok(
    designed.units.some((u) => u.reasons?.some((r) => r.count > 0)),
    'and reasons ticked',
  );
  for (const year of YEARS) {
    const full = verifyResults(docOf(year), { previous: city.docs.get(year - 1) });
    assert.ok(full.ok, `${year}: ${full.ok ? '' : full.difference}`);
    assert.equal(full.ok && full.checked, ['counts, scores and rates', 'ranks and flags', 'intervals (1000 resamples)', 'ballots and turnout']);
    const alone = verifyResults(docOf(year));
    assert.ok(alone.ok, `${year} alone`);
    if (year > 2023) assert.match(alone.ok ? alone.notes.join('\n') : '', /bottom3TwoYears: checked against bottom3 only/);
  }
});

cli('a count changed in a file fails at its unit: a unit’s counts, or a weighted round’s cells', () => {
  const plain = docOf(2024);
  const unit = plain.units[7]!;
  unit.counts!.basic += 1;
  const verdict = verifyResults(plain, { previous: city.docs.get(2023) });
  assert.not.ok(verdict.ok);
  assert.match(verdict.ok ? '' : verdict.difference, new RegExp(`^units\\[${unit.code}\\]\\.valid: the file has \\d+, recomputed \\d+$`));

  // A cell's answer moved from 不满意 to 满意, its totals kept: the unit's score no longer follows from the counts.
  const weighted = docOf(2025);
  const cell = weighted.cells!.find((c) => c.histogram[2]! > 0)!;
  cell.histogram[2]! -= 1;
  cell.histogram[0]! += 1;
  const moved = verifyResults(weighted, { previous: city.docs.get(2024) });
  assert.match(moved.ok ? '' : moved.difference, new RegExp(`^units\\[${cell.unit}\\]\\.`));

  // An interval changed, the rest left alone: found, at its unit.
  const interval = docOf(2023);
  interval.units[3]!.scoreInterval![0] += 0.01;
  const iv = verifyResults(interval);
  assert.match(iv.ok ? '' : iv.difference, new RegExp(`^units\\[${interval.units[3]!.code}\\]\\.scoreInterval\\[0\\]`));

  // A flag set where the previous year says otherwise.
  const flags = docOf(2025);
  const notTwice = flags.units.find((u) => u.bottom3 && !u.bottom3TwoYears);
  if (notTwice) {
    notTwice.bottom3TwoYears = true;
    const f = verifyResults(flags, { previous: city.docs.get(2024) });
    assert.match(f.ok ? '' : f.difference, new RegExp(`^units\\[${notTwice.code}\\]\\.bottom3TwoYears`));
  }
});

cli('a 0–100 round without weights publishes no counts: not verifiable, and it says so', async () => {
  const s = await openSurvey({ scale: 'score100' });
  await s.db.updateTable('rounds').set({ min_valid: 5 }).execute();
  for (const token of s.tokens.slice(0, 8))
    assert.is(
      (
        await post(
          s,
          token,
          fullBallot(s.units, (_c, i) => String(50 + (i % 40))),
        )
      ).status,
      303,
    );
  ok(await closeRound(s.store, s.audit, YEAR, 'test'), 'close');
  ok(await publishResults(s.db, s.audit, { year: YEAR, note: '' }, 'test'), 'publish');
  const doc = JSON.parse(await (await s.app.request(`/results/${YEAR}.json`)).text()) as ResultsDocument;
  const verdict = verifyResults(doc);
  assert.match(verdict.ok ? '' : verdict.difference, /publishes no answer counts/);
  // The browser still checks the ranking and flags from the published scores.
  const browser = recompute(doc, null);
  assert.is(browser.difference, undefined);
  assert.is(browser.fromCounts, false);
  await s.store.destroy();
});

cli.run();

// ---------------------------------------------------------------------------------------------------------------

const command = suite('npm run cli -- verify-results, as a user runs it');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C.UTF-8', NO_COLOR: '1' };
  for (const k of ['DATA_DIR', 'DATABASE_URL', 'SECRET']) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

command('exit 0 on the files as served (and on a reformatted copy), 1 naming the first difference otherwise', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pingyi-verify-'));
  try {
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const y2024 = file('results-2024.json', city.bodies.get(2024) as string);
    const y2025 = file('results-2025.json', city.bodies.get(2025) as string);
    const pretty = file('pretty-2025.json', JSON.stringify(city.docs.get(2025), null, 2));
    const changed = docOf(2025);
    const unit = changed.units[0]!;
    unit.indicators![1]!.counts!.satisfied += 1;
    const bad = file('changed-2025.json', JSON.stringify(changed));
    const resigned = docOf(2024);
    (resigned as unknown as { sha256: string }).sha256 = 'f'.repeat(64);
    const badSha = file('sha-2024.json', JSON.stringify(resigned));
    const [good, reformatted, counts, sha, missing] = await Promise.all([
      run(['verify-results', y2025, '--previous', y2024]),
      run(['verify-results', pretty]),
      run(['verify-results', bad]),
      run(['verify-results', badSha]),
      run(['verify-results', join(dir, 'nowhere.json')]),
    ]);
    assert.is(good.code, 0, good.stderr);
    assert.match(good.stdout, /^OK — 2025 \(version 1\): counts, scores and rates, ranks and flags, intervals \(1000 resamples\), ballots and turnout match$/m);
    assert.is(reformatted.code, 0, reformatted.stderr);
    assert.match(reformatted.stdout, /note: bottom3TwoYears: checked against bottom3 only/);
    assert.is(counts.code, 1);
    assert.match(counts.stderr, new RegExp(`MISMATCH — units\\[${unit.code}\\]\\.indicators\\[1\\]\\.counts\\.satisfied: the file has`));
    assert.is(sha.code, 1);
    assert.match(sha.stderr, /MISMATCH — sha256: the file has f{64}/);
    assert.is(missing.code, 1);
    assert.match(missing.stderr, /nowhere\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

command.run();

// ---------------------------------------------------------------------------------------------------------------

const browser = suite('the results page’s check (web/js/results-check.js)');

browser('agrees with the server on every demo year, and names the unit of a changed count', () => {
  for (const year of YEARS) {
    const out = recompute(docOf(year), city.docs.get(year - 1) ?? null);
    assert.is(out.difference, undefined, `${year}: ${JSON.stringify(out.difference)}`);
    assert.equal([out.units, out.fromCounts, out.twoYears], [40, true, year > 2023]);
  }
  const plain = docOf(2023);
  plain.units[12]!.counts!.dissatisfied += 2;
  assert.equal(recompute(plain, null).difference?.where, `${plain.units[12]!.code}: valid`);
  const weighted = docOf(2025);
  const cell = weighted.cells!.find((c) => c.histogram[2]! > 0)!;
  cell.histogram[2]! -= 1;
  cell.histogram[0]! += 1;
  assert.match(recompute(weighted, city.docs.get(2024)).difference?.where ?? '', new RegExp(`^${cell.unit}: `));
  const ranks = docOf(2024);
  const [a, b] = ranks.units as [ResultsDocument['units'][number], ResultsDocument['units'][number]];
  [a.rank, b.rank] = [b.rank, a.rank];
  assert.ok(recompute(ranks, city.docs.get(2023)).difference, 'swapped ranks are found');
});

browser('the page offers the check: a button for the script, the command for the terminal', async () => {
  const html = await (await city.t.app.request('/results/2025')).text();
  assert.match(html, /<button type="button" id="results-check" class="primary" hidden="" data-json-url="\/results\/2025\.json">/);
  assert.match(html, /<script type="module" src="\/assets\/js\/results-check\.[0-9a-f]{12}\.js">/);
  assert.match(html, /npm run cli -- verify-results results-2025\.json --previous results-2024\.json/);
  assert.match(html, /<a href="#check">核验结果<\/a>/);
});

browser.after(() => city.t.store.destroy());
browser.run();
