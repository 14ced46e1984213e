import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import seedrandom from 'seedrandom';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoPool, demoUnits } from '../server/demo/city.js';
import { allocationRows } from '../server/draw/explain.js';
import type { DrawRecord } from '../server/draw/record.js';
import { verifyDrawRecord } from '../server/draw/verify.js';
import { upsertRepresentatives } from '../server/pool/representatives.js';
import { createRound, drawRound, freezeRound, replaceMember } from '../server/rounds/rounds.js';
import { parseSettings } from '../server/rounds/settings.js';
import { upsertUnits } from '../server/units/units.js';
import { createTestApp, type TestApp } from './helpers.js';

type Stage = 'draft' | 'frozen' | 'drawn';

/** A 2026 round on a fresh app with the demo city's pool, taken as far as `stage`. */
async function round2026(stage: Stage, opts: { replace?: boolean } = {}): Promise<TestApp> {
  const t = await createTestApp();
  const { db, audit, config } = t;
  await upsertUnits(db, audit, demoUnits(), 'test');
  await upsertRepresentatives(db, audit, demoPool(), { actor: 'test' });
  const parsed = parseSettings({ year: '2026', sample: '100' }, 'Asia/Shanghai', (y) => `t${y}`);
  if (!parsed.ok) throw new Error('settings refused');
  const created = await createRound(db, audit, parsed.settings, 'test');
  if (!created.ok) throw new Error('round not created');
  if (stage === 'draft') return t;
  const frozen = await freezeRound(db, audit, 2026, 3000, 'test');
  if (!frozen.ok) throw new Error('freeze refused');
  if (stage === 'frozen') return t;
  const drawn = await drawRound(db, audit, { year: 2026, publicRandom: '1 2 3', source: 'test', secret: config.secret }, 'test');
  if (!drawn.ok) throw new Error('draw refused');
  if (opts.replace) {
    const first = (await json(t)).sample![0]!;
    const r = await replaceMember(db, audit, { year: 2026, code: first, reason: 'moved away', secret: config.secret, timeZone: 'Asia/Shanghai' }, 'test');
    if (!r.ok) throw new Error('replace refused');
  }
  return t;
}

async function json(t: TestApp, year = 2026): Promise<DrawRecord> {
  const res = await t.app.request(`/draw/${year}.json`);
  assert.is(res.status, 200);
  return (await res.json()) as DrawRecord;
}

async function html(t: TestApp, path: string, lang: 'zh-CN' | 'en' = 'en'): Promise<string> {
  const res = await t.app.request(path, { headers: { cookie: `lang=${lang}` } });
  assert.is(res.status, 200, path);
  return res.text();
}

/** The text of the code-check answer box, tags removed. */
function answerOf(page: string): string {
  const m = /<div id="code-answer"[^>]*>([\s\S]*?)<\/div>/.exec(page);
  return m
    ? m[1]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : '';
}

// ---- /draw/{year}.json ----

const open = suite('draw: /draw/{year}.json');

open('a drawn round answers the public record with every README, Open data field, and it verifies', async () => {
  const t = await round2026('drawn');
  const res = await t.app.request('/draw/2026.json');
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.is(res.headers.get('cache-control'), 'public, max-age=60');
  const rec = (await res.json()) as DrawRecord;
  for (const field of [
    'year',
    'algorithm',
    'frozenAt',
    'poolHash',
    'pool',
    'strata',
    'publicRandom',
    'seed',
    'sampleSize',
    'allocation',
    'sample',
    'reserves',
    'replacements',
  ]) {
    assert.ok(field in rec, `field ${field}`);
  }
  assert.is(rec.year, 2026);
  assert.is(rec.algorithm, 'pingyi-draw-v1');
  assert.is(rec.publicRandom, '1 2 3');
  assert.is(rec.sample?.length, 100);
  assert.is(
    Object.values(rec.allocation ?? {}).reduce((a, b) => a + b, 0),
    100,
  );
  assert.equal(Object.keys(rec.pool[0]!).sort(), ['code', 'stratum'], 'pool entries carry the code and stratum only');
  assert.equal(verifyDrawRecord(rec), { ok: true, checked: ['poolHash', 'strata', 'seed', 'allocation', 'sample', 'reserves', 'replacements'] });
});

open('a frozen round publishes the fingerprint and the strata, and nothing of a draw yet', async () => {
  const t = await round2026('frozen');
  const rec = await json(t);
  assert.match(rec.poolHash, /^[0-9a-f]{64}$/);
  assert.is(
    Object.values(rec.strata).reduce((a, b) => a + b, 0),
    rec.pool.length,
  );
  assert.is(rec.publicRandom, null);
  assert.is(rec.seed, null);
  assert.is(rec.sample, null);
  assert.ok(verifyDrawRecord(rec).ok);
});

open('a draft, an unknown year and a malformed year are 404, as JSON on the data route', async () => {
  const t = await round2026('draft');
  for (const path of ['/draw/2026.json', '/draw/2031.json', '/draw/abc.json', '/draw/2026.json.json']) {
    const res = await t.app.request(path);
    assert.is(res.status, 404, path);
    assert.ok((res.headers.get('content-type') ?? '').startsWith('application/json'), path);
  }
  for (const path of ['/draw/2026', '/draw/2031', '/draw/abc', '/draw/20260', '/draw/', '/draw/2026/x']) {
    assert.is((await t.app.request(path)).status, 404, path);
  }
});

open('a changed record no longer verifies', async () => {
  const rec = await json(await round2026('drawn'));
  const swapped = structuredClone(rec);
  [swapped.sample![0], swapped.sample![1]] = [swapped.sample![1]!, swapped.sample![0]!];
  assert.not.ok(verifyDrawRecord(swapped).ok);
  const other = { ...structuredClone(rec), publicRandom: '1 2 4' };
  assert.not.ok(verifyDrawRecord(other).ok);
});

open.run();

// ---- /draw/{year} ----

const view = suite('draw: the public page');

view('shows the timeline, the fingerprint, the allocation, the codes and the check, without names', async () => {
  const t = await round2026('drawn', { replace: true });
  const rec = await json(t);
  const page = await html(t, '/draw/2026');
  assert.ok(page.includes(rec.poolHash), 'pool hash');
  assert.ok(page.includes(rec.seed!), 'seed');
  assert.ok(page.includes('1 2 3'), 'public random value');
  assert.ok(page.includes('Source: test'), 'its source');
  assert.ok(page.includes('2026-03-01 10:00'), 'times in the city zone');
  for (const code of [...rec.sample!.slice(0, 5), ...Object.values(rec.reserves!).map((r) => r[0]!)]) assert.ok(page.includes(`<code>${code}</code>`), code);
  assert.ok(page.includes('moved away'), 'replacement reason');
  assert.ok(page.includes('href="/draw/2026.json"'), 'link to the JSON');
  assert.ok(page.includes('verify-draw'), 'CLI command');
  assert.ok(page.includes('pingyi-draw-v1'), 'algorithm');

  const people = demoPool().filter((p) => p.active);
  for (const p of [...people.slice(0, 10), ...people.filter((p) => rec.sample!.includes(p.code)).slice(0, 10)]) {
    assert.not.ok(page.includes(p.name), `name of ${p.code}`);
    if (p.phone) assert.not.ok(page.includes(p.phone), `phone of ${p.code}`);
    if (p.email) assert.not.ok(page.includes(p.email), `e-mail of ${p.code}`);
  }
  const body = JSON.stringify(rec);
  for (const p of people.slice(0, 10)) assert.not.ok(body.includes(p.name), `name of ${p.code} in the JSON`);
});

view('the allocation table shows exact quotas and remainders that add up to the seats', async () => {
  const rec = await json(await round2026('drawn'));
  const rows = allocationRows(rec);
  const P = rec.pool.length;
  for (const r of rows) {
    assert.is(r.floor, Math.floor((100 * r.pool) / P), r.stratum);
    assert.is(Number(r.remainder), (100 * r.pool) % P, r.stratum);
    assert.is(r.quota, ((100 * r.pool) / P).toFixed(2), r.stratum);
    assert.is(r.seats, r.floor + (r.extra ? 1 : 0), r.stratum);
  }
  assert.is(
    rows.reduce((s, r) => s + r.seats, 0),
    100,
  );
  const page = await html(await round2026('drawn'), '/draw/2026');
  for (const r of rows) assert.ok(page.includes(`<td class="num">${r.quota}</td>`), r.stratum);
});

/** A small round with three strata of ten: with a sample of 10 every remainder ties. */
async function smallRound(input: { sample: string; stratify?: boolean }): Promise<TestApp> {
  const t = await createTestApp();
  const { db, audit, config } = t;
  await upsertUnits(db, audit, demoUnits().slice(0, 3), 'test');
  const reps = ['甲', '乙', '丙'].flatMap((stratum, s) =>
    Array.from({ length: 10 }, (_, i) => ({ code: `S${s}N${i}`, name: `Person ${s}-${i}`, stratum, district: null, phone: null, email: null, active: true })),
  );
  await upsertRepresentatives(db, audit, reps, { actor: 'test' });
  const parsed = parseSettings({ year: '2026', ...input }, 'Asia/Shanghai', (y) => `t${y}`);
  if (!parsed.ok) throw new Error('settings refused');
  await createRound(db, audit, parsed.settings, 'test');
  if (!(await freezeRound(db, audit, 2026, 1, 'test')).ok) throw new Error('freeze refused');
  if (!(await drawRound(db, audit, { year: 2026, publicRandom: 'tie', source: '', secret: config.secret }, 'test')).ok) throw new Error('draw refused');
  return t;
}

view('tied remainders are explained; a sample as large as the pool and an unstratified round read plainly', async () => {
  const tied = await smallRound({ sample: '10' });
  const page = await html(tied, '/draw/2026');
  assert.match(page, /Strata (甲|乙|丙) \/ (甲|乙|丙) \/ (甲|乙|丙) have equal remainders/);
  assert.ok(page.includes('No source was recorded.'));
  assert.ok(verifyDrawRecord(await json(tied)).ok);
  const everyone = await html(await smallRound({ sample: '40' }), '/draw/2026');
  assert.ok(everyone.includes('everyone in the pool is drawn'));
  const plain = await html(await smallRound({ sample: '7', stratify: false }), '/draw/2026');
  assert.ok(plain.includes('Everyone (not stratified): 7 drawn, 23 reserves'));
});

view('before the draw: the fingerprint and counts, and a plain statement that the random value is not known', async () => {
  const t = await round2026('frozen');
  const rec = await json(t);
  const en = await html(t, '/draw/2026');
  assert.ok(en.includes(rec.poolHash));
  assert.ok(en.includes('Not known yet'));
  assert.not.ok(en.includes('id="allocation"'), 'no allocation yet');
  assert.ok(en.includes('Check the pool fingerprint in my browser'));
  for (const [s, n] of Object.entries(rec.strata)) assert.ok(en.includes(`<th scope="row">${s}</th><td class="num">${n}</td>`), s);
  const zh = await html(t, '/draw/2026', 'zh-CN');
  assert.ok(zh.includes('尚未揭晓'));
});

view('the code check answers for a drawn code, a reserve, a replacement and an unknown code, with JavaScript off', async () => {
  const t = await round2026('drawn', { replace: true });
  const rec = await json(t);
  const [out, second] = rec.sample!;
  const stratumOf = new Map(rec.pool.map((p) => [p.code, p.stratum]));
  const seatTaker = rec.replacements[0]!.in;
  const reserve = rec.reserves![stratumOf.get(out!)!]![1]!;
  const ask = async (code: string) => answerOf(await html(t, `/draw/2026?code=${encodeURIComponent(code)}`));

  assert.match(await ask(second!), `Code ${second} was drawn: number 2 in stratum ${stratumOf.get(second!)}`);
  assert.match(await ask(out!), `Code ${out} was drawn: number 1`);
  assert.match(await ask(out!), `reserve ${seatTaker} took this seat. Reason: moved away`);
  assert.match(await ask(seatTaker), `reserve number 1 in stratum ${stratumOf.get(out!)}`);
  assert.match(await ask(seatTaker), `took the seat of ${out}`);
  assert.match(await ask(reserve), `reserve number 2 in stratum ${stratumOf.get(out!)}`);
  assert.match(await ask(reserve), 'Reserves of this stratum who have taken a seat so far: 1.');
  assert.match(await ask('NOPE99'), 'Code NOPE99 is not in the pool frozen for 2026');
  assert.match(await ask(second!.toLowerCase()), `Did you mean ${second}?`);
  assert.match(await ask('<b>x</b>'), '&lt;b&gt;x&lt;/b&gt;', 'the code is escaped');
  assert.is(answerOf(await html(t, '/draw/2026')), '', 'no answer without a code');
  const frozen = await round2026('frozen');
  assert.match(answerOf(await html(frozen, `/draw/2026?code=${second}`)), 'The draw has not taken place yet');
});

view('no inline script: the check is a module from /assets, its words are JSON data in the page language', async () => {
  const t = await round2026('drawn');
  for (const [lang, match] of [
    ['en', 'It matches'],
    ['zh-CN', '完全一致'],
  ] as const) {
    const page = await html(t, '/draw/2026', lang);
    const scripts = page.match(/<script\b[^>]*>/g) ?? [];
    for (const s of scripts) assert.ok(/\ssrc="\/assets\//.test(s) || /type="application\/json"/.test(s), `inline script: ${s}`);
    assert.ok(
      scripts.some((s) => /type="module"/.test(s) && /draw-check\.[0-9a-f]{12}\.js/.test(s)),
      'loads draw-check.js',
    );
    const words = JSON.parse(/<script type="application\/json" id="draw-i18n">([\s\S]*?)<\/script>/.exec(page)![1]!) as Record<string, string>;
    assert.ok(words.match?.includes(match), lang);
    assert.ok(page.includes('id="draw-check-nojs"'), 'a note for readers without JavaScript');
    assert.match(page, /<button[^>]*id="draw-check"[^>]*hidden/, 'the button waits for JavaScript');
  }
  const zh = await html(t, '/draw/2026', 'zh-CN');
  assert.ok(zh.includes('<html lang="zh-CN"'));
  assert.ok(zh.includes('2026 年度代表抽取'));
  const en = await html(t, '/draw/2026', 'en');
  assert.ok(en.includes('The 2026 draw'));
});

view.run();

// ---- The browser's implementation, run in Node ----

const browser = suite('draw: the in-browser check (web/js/draw-check.js)');

interface Vector {
  name: string;
  input: { year: number; publicRandom: string; sampleSize: number; stratify: boolean; pool: { code: string; stratum: string }[] };
  expect: {
    poolHash: string;
    seed: string;
    strata: Record<string, number>;
    allocation: Record<string, number>;
    sample: string[];
    reserves: Record<string, string[]>;
  };
}

type Recompute = (
  rec: unknown,
  pageHash: string,
  rng: unknown,
  report: () => void,
  say: (k: string, p?: object) => string,
) => Promise<{ difference?: { where: string } }>;

async function browserModules(t: TestApp) {
  const page = await html(t, '/draw/2026');
  const url = /data-seedrandom-url="([^"]+)"/.exec(page)![1]!;
  const res = await t.app.request(url);
  assert.is(res.status, 200);
  assert.ok((res.headers.get('content-type') ?? '').startsWith('text/javascript'));
  const dir = mkdtempSync(join(tmpdir(), 'pingyi-seedrandom-'));
  writeFileSync(join(dir, 'seedrandom.mjs'), await res.text());
  const wrapped = (await import(pathToFileURL(join(dir, 'seedrandom.mjs')).href)) as { default: (seed: string) => () => number };
  const checker = new URL('../web/js/draw-check.js', import.meta.url).href;
  const { recompute } = (await import(checker)) as { recompute: Recompute };
  return { rng: wrapped.default, recompute };
}

const say = (k: string) => k;

browser('the served seedrandom module is the npm ARC4, byte for byte in its output', async () => {
  const { rng } = await browserModules(await round2026('frozen'));
  const hex = 'ab'.repeat(32);
  const a = rng(hex);
  const b = seedrandom(hex);
  for (let i = 0; i < 1000; i++) assert.is(a(), b());
});

browser('matches every shared test vector, and finds a change in each', async () => {
  const { rng, recompute } = await browserModules(await round2026('frozen'));
  // The repository's copy of the shared vectors, or the shared file beside the checkout.
  const fixture = new URL('./fixtures/draw-vectors.json', import.meta.url);
  const file = existsSync(fixture) ? fixture : new URL('../../shared/draw-vectors.json', import.meta.url);
  const vectors = (JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] }).vectors;
  assert.ok(vectors.length >= 5);
  for (const v of vectors) {
    const rec = {
      year: v.input.year,
      poolHash: v.expect.poolHash,
      pool: v.input.pool.map((p) => ({ code: p.code, stratum: v.input.stratify ? p.stratum : '*' })),
      strata: v.expect.strata,
      publicRandom: v.input.publicRandom,
      seed: v.expect.seed,
      sampleSize: v.input.sampleSize,
      allocation: v.expect.allocation,
      sample: v.expect.sample,
      reserves: v.expect.reserves,
      replacements: [],
    };
    assert.equal(await recompute(rec, v.expect.poolHash, rng, () => {}, say), { drawn: v.expect.sample.length, replacements: 0 }, v.name);
    const swapped = structuredClone(rec);
    [swapped.sample[0], swapped.sample[1]] = [swapped.sample[1]!, swapped.sample[0]!];
    assert.is((await recompute(swapped, v.expect.poolHash, rng, () => {}, say)).difference?.where, 'sample[0]', v.name);
    const otherPool = { ...structuredClone(rec), pool: rec.pool.slice(1) };
    assert.is((await recompute(otherPool, v.expect.poolHash, rng, () => {}, say)).difference?.where, 'poolHash', v.name);
  }
});

browser('agrees with a drawn round with a replacement; a wrong replacement is named', async () => {
  const t = await round2026('drawn', { replace: true });
  const { rng, recompute } = await browserModules(t);
  const rec = await json(t);
  assert.equal(await recompute(rec, rec.poolHash, rng, () => {}, say), { drawn: 100, replacements: 1 });
  const wrong = structuredClone(rec);
  const stratum = rec.pool.find((p) => p.code === rec.replacements[0]!.out)!.stratum;
  wrong.replacements[0]!.in = rec.reserves![stratum]![1]!;
  assert.is((await recompute(wrong, rec.poolHash, rng, () => {}, say)).difference?.where, 'replacements[0].in');
  assert.is((await recompute(rec, 'f'.repeat(64), rng, () => {}, say)).difference?.where, 'pageHash', 'the page and the file disagree');
  const frozen = await json(await round2026('frozen'));
  assert.equal(await recompute(frozen, frozen.poolHash, rng, () => {}, say), { frozen: true, pool: frozen.pool.length });
});

browser.run();
