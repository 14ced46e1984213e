// Guards the draw (docs/SPEC.md, The draw): vectors from a separate implementation, hand-worked cases, an independent
// re-implementation written straightforwardly below, and the inputs the draw must refuse.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DRAW_ALGORITHM,
  allocate,
  canonicalPoolFile,
  compareBytes,
  drawSeed,
  freezePool,
  poolHash,
  runDraw,
  sha256Hex,
  type DrawInput,
  type PoolEntry,
} from '../server/draw/algorithm.js';

// ---- independent helpers: node:crypto, Buffer.compare and seedrandom only, never the module under test ----

const sha = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const sign = (x: number) => (x < 0 ? -1 : x > 0 ? 1 : 0);

function referenceFile(pool: readonly PoolEntry[], stratify: boolean): string {
  const rows = [...pool].sort((p, q) => byBytes(p.code, q.code));
  return `code,stratum\n${rows.map((p) => `${p.code},${stratify ? p.stratum : '*'}\n`).join('')}`;
}

function referenceSeed(input: DrawInput): string {
  const hash = sha(referenceFile(input.pool, input.stratify));
  return sha(`pingyi-draw-v1\n${input.year}\n${hash}\n${input.publicRandom}\n`);
}

function referenceShuffle(codes: string[], seed: string, stratum: string): string[] {
  const a = [...codes].sort(byBytes);
  const rng = seedrandom(sha(`${seed}|${stratum}`));
  for (let i = a.length - 1; i >= 1; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** The whole draw, written out plainly from the spec's wording (small pools only). */
function referenceDraw(input: DrawInput) {
  const seed = referenceSeed(input);
  const groups = new Map<string, string[]>();
  for (const { code, stratum } of input.pool) {
    const s = input.stratify ? stratum : '*';
    groups.set(s, [...(groups.get(s) ?? []), code]);
  }
  const strata = [...groups.keys()].sort(byBytes);
  const P = input.pool.length;
  const N = input.sampleSize;
  const seats = new Map<string, number>();
  if (N >= P) for (const s of strata) seats.set(s, groups.get(s)!.length);
  else {
    for (const s of strata) seats.set(s, Math.floor((N * groups.get(s)!.length) / P));
    const remainder = (s: string) => (N * groups.get(s)!.length) % P;
    const queue = [...strata].sort((s, t) => remainder(t) - remainder(s) || byBytes(sha(`${seed}|tie|${s}`), sha(`${seed}|tie|${t}`)));
    let left = N - [...seats.values()].reduce((a, b) => a + b, 0);
    for (const s of queue) if (left-- > 0) seats.set(s, seats.get(s)! + 1);
  }
  const sample: string[] = [];
  const reserves: [string, string[]][] = [];
  for (const s of strata) {
    const order = referenceShuffle(groups.get(s)!, seed, s);
    sample.push(...order.slice(0, seats.get(s)));
    reserves.push([s, order.slice(seats.get(s))]);
  }
  return { seed, sample, reserves: Object.fromEntries(reserves), allocation: Object.fromEntries(seats) };
}

/** Deterministic test data: a seeded generator, so a failure can be replayed. */
function shuffled<T>(items: readonly T[], label: string): T[] {
  const rng = seedrandom(label);
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const entries = (codes: readonly string[], stratum: (i: number) => string): PoolEntry[] => codes.map((code, i) => ({ code, stratum: stratum(i) }));

// ---- 1. vectors from the separate implementation ----

interface Vector {
  name: string;
  input: DrawInput;
  expect: Record<string, unknown>;
}
const fixtureUrl = new URL('./fixtures/draw-vectors.json', import.meta.url);
const sharedUrl = new URL('../../shared/draw-vectors.json', import.meta.url);
const vectorFile = JSON.parse(readFileSync(fixtureUrl, 'utf8')) as { algorithm: string; vectors: Vector[] };

const vectors = suite('draw: shared vectors');

vectors('the fixture is the shared file, when shared/ sits beside the checkout', () => {
  if (existsSync(sharedUrl)) assert.is(readFileSync(fixtureUrl, 'utf8'), readFileSync(sharedUrl, 'utf8'));
  assert.is(vectorFile.algorithm, DRAW_ALGORITHM);
  assert.ok(vectorFile.vectors.length >= 5);
});

for (const vector of vectorFile.vectors) {
  vectors(vector.name, () => {
    const { input, expect } = vector;
    const result = runDraw(input);
    const checked = new Set(['canonicalPoolFile', 'poolHash', 'seed', 'strata', 'allocation', 'sample', 'reserves']);
    for (const key of Object.keys(expect)) assert.ok(checked.has(key), `vector field ${key} is not checked`);
    if (expect.canonicalPoolFile != null) {
      assert.is(canonicalPoolFile(input.pool, input.stratify), expect.canonicalPoolFile);
    }
    assert.is(result.poolHash, expect.poolHash);
    assert.is(poolHash(input.pool, input.stratify), expect.poolHash);
    assert.is(result.seed, expect.seed);
    for (const key of ['strata', 'allocation', 'reserves'] as const) {
      assert.equal(result[key], expect[key], key);
      assert.equal(Object.keys(result[key]), Object.keys(expect[key] as object), `${key}: stratum order`);
    }
    assert.equal(result.sample, expect.sample);
    assert.equal(freezePool(input.pool, input.stratify), { poolHash: expect.poolHash, strata: expect.strata });
    assert.is(result.algorithm, 'pingyi-draw-v1');
  });
}
vectors.run();

// ---- 2. byte order ----

const order = suite('draw: byte order');

order('sha256Hex is lowercase hex of the UTF-8 bytes', () => {
  assert.is(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.is(sha256Hex('评议 😀'), sha('评议 😀'));
});

order('compareBytes: traps where byte order differs from natural, locale and UTF-16 order', () => {
  assert.is(compareBytes('DB10', 'DB9'), -1); // '1' (0x31) < '9' (0x39); natural order says the opposite
  assert.ok('DB9'.localeCompare('DB10', undefined, { numeric: true }) < 0);
  assert.is(compareBytes('Z', 'a'), -1); // every upper-case letter before every lower-case one
  assert.ok('a'.localeCompare('Z', 'en') < 0);
  const ascending = ['-', '0', '9', 'A', 'Z', '_', 'a', 'z'];
  for (let i = 1; i < ascending.length; i++) assert.is(compareBytes(ascending[i - 1]!, ascending[i]!), -1);
  assert.is(compareBytes('A', 'A-'), -1); // a prefix comes first
  assert.is(compareBytes('same', 'same'), 0);
  // U+FF01 is EF BC 81 in UTF-8, 😀 (U+1F600) is F0 9F 98 80; in UTF-16 the surrogate 0xD83D wins instead.
  assert.is(compareBytes('\uFF01', '😀'), -1);
  assert.ok('😀' < '\uFF01');
  assert.is(compareBytes('😀', '\uFF01'), 1);
  assert.is(compareBytes('\uD7FF', '😀'), -1);
});

order('compareBytes agrees with Buffer.compare on mixed scripts and astral characters', () => {
  const rng = seedrandom('compare-bytes');
  const ranges = [
    [0x2d, 0x7a],
    [0xa0, 0x7ff],
    [0x4e00, 0x9fff],
    [0xd7f0, 0xd7ff],
    [0xe000, 0xffff],
    [0x10000, 0x10ffff],
  ];
  const strings: string[] = ['', 'a', 'ab', '😀', '😀a', '\uFFFF', '\u{10000}'];
  for (let n = 0; n < 250; n++) {
    let s = '';
    const length = Math.floor(rng() * 5);
    for (let k = 0; k < length; k++) {
      const [lo, hi] = ranges[Math.floor(rng() * ranges.length)]!;
      s += String.fromCodePoint(lo! + Math.floor(rng() * (hi! - lo! + 1)));
    }
    strings.push(s, `${s}x`); // shared prefixes make the interesting comparisons
  }
  for (const a of strings) for (const b of strings) assert.is(compareBytes(a, b), sign(byBytes(a, b)), `${a} vs ${b}`);
});

order('the canonical file sorts codes by bytes: DB10 before DB9, upper before lower, - before digits before _', () => {
  const pool = entries(['db1', 'DB9', 'DB_1', 'Db1', 'DB10', 'DB-1', 'DB1'], () => 'x');
  assert.is(canonicalPoolFile(pool, true), 'code,stratum\nDB-1,x\nDB1,x\nDB10,x\nDB9,x\nDB_1,x\nDb1,x\ndb1,x\n');
});

order('long codes sharing long prefixes sort exactly as Buffer.compare sorts them', () => {
  const rng = seedrandom('long-codes');
  const alphabet = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
  const prefixes = ['', 'X', 'AAAAAAAAAA', 'AAAAAAAAAA-', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'city-district-07-'];
  const codes = new Set<string>();
  while (codes.size < 5000) {
    const prefix = prefixes[Math.floor(rng() * prefixes.length)]!;
    let code = prefix;
    const extra = 1 + Math.floor(rng() * 12);
    for (let k = 0; k < extra && code.length < 32; k++) code += alphabet[Math.floor(rng() * (prefix ? 3 : 64))];
    codes.add(code.slice(0, 32));
  }
  const pool = entries(shuffled([...codes], 'long-codes-order'), (i) => (i % 2 ? 'odd' : 'even'));
  assert.is(canonicalPoolFile(pool, true), referenceFile(pool, true));
  // With a common prefix on every code, the packed sort starts further in; the order must not change.
  const prefixed = pool.map(({ code, stratum }) => ({ code: `Q${code}`.slice(0, 32), stratum }));
  const unique = [...new Map(prefixed.map((p) => [p.code, p])).values()];
  assert.is(canonicalPoolFile(unique, false), referenceFile(unique, false));
});

order('strata come in byte order in the sample, whatever their script', () => {
  const strata = ['😀', '\uFF01', 'a', '9', '10', '人大代表'];
  const pool = strata.flatMap((stratum, s) => [0, 1, 2].map((k) => ({ code: `S${s}K${k}`, stratum })));
  const result = runDraw({ year: 2026, pool, sampleSize: 6, stratify: true, publicRandom: 'order' });
  const stratumOf = new Map(pool.map((p) => [p.code, p.stratum]));
  assert.equal(
    result.sample.map((code) => stratumOf.get(code)),
    ['10', '9', 'a', '人大代表', '\uFF01', '😀'], // 0x31, 0x39, 0x61, E4…, EF…, F0…
  );
});
order.run();

// ---- 3. allocation, worked by hand ----

const alloc = suite('draw: allocation');
const SEED = sha('a fixed seed for allocation tests');

alloc('largest remainder, worked by hand', () => {
  // P = 10, N = 4. N·n: A 20, B 12, C 8. ⌊/10⌋: 2, 1, 0 (sum 3); remainders 0, 2, 8 → the last seat to C.
  assert.equal(allocate({ A: 5, B: 3, C: 2 }, 4, SEED), { A: 2, B: 1, C: 1 });
  // P = 7, N = 3. N·n: A 12, B 6, C 3. ⌊/7⌋: 1, 0, 0 (sum 1); remainders 5, 6, 3 → B then A; C gets none.
  assert.equal(allocate({ A: 4, B: 2, C: 1 }, 3, SEED), { A: 2, B: 1, C: 0 });
  // P = 10, N = 5. N·n: 30, 20 → exactly 3 and 2, nothing left over.
  assert.equal(allocate({ A: 6, B: 4 }, 5, SEED), { A: 3, B: 2 });
  // P = 1,000,000, N = 999,999. A: 999,999² = 999,998,000,001 → 999,998 r 1; B: 999,999 → 0 r 999,999.
  assert.equal(allocate({ A: 999_999, B: 1 }, 999_999, SEED), { A: 999_998, B: 1 });
  // Beyond 2^53: N = 4e9, A = 3e9, B = 6e9+1, P = 9e9+1. N·A = 1.2e19 → 1,333,333,333 r 1,666,666,667;
  // N·B = 24,000,000,004,000,000,000 → 2,666,666,666 r 7,333,333,334. One seat left → B.
  assert.equal(allocate({ A: 3_000_000_000, B: 6_000_000_001 }, 4_000_000_000, SEED), {
    A: 1_333_333_333,
    B: 2_666_666_667,
  });
});

alloc('a Map gives the same allocation as a record, strata in byte order', () => {
  const fromMap = allocate(
    new Map([
      ['b', 3],
      ['B', 5],
      ['a', 2],
    ]),
    4,
    SEED,
  );
  assert.equal(fromMap, allocate({ a: 2, B: 5, b: 3 }, 4, SEED));
  assert.equal(Object.keys(fromMap), ['B', 'a', 'b']);
});

alloc('if N ≥ P everyone is drawn', () => {
  assert.equal(allocate({ x: 2, y: 3 }, 5, SEED), { x: 2, y: 3 });
  assert.equal(allocate({ x: 2, y: 3 }, 500, SEED), { x: 2, y: 3 });
});

alloc('tied remainders go to the smaller SHA-256 of {seed}|tie|{stratum}', () => {
  // P = 6, N = 3: both strata get 9/6 = 1 r 3; one seat is left and the remainders tie.
  const winners = new Set<string>();
  for (let k = 0; k < 12; k++) {
    const seed = sha(`tie seed ${k}`);
    const hx = sha(`${seed}|tie|x`);
    const hy = sha(`${seed}|tie|y`);
    const winner = hx < hy ? 'x' : 'y';
    winners.add(winner);
    assert.equal(allocate({ x: 3, y: 3 }, 3, seed), winner === 'x' ? { x: 2, y: 1 } : { x: 1, y: 2 });
  }
  assert.equal([...winners].sort(), ['x', 'y'], 'both outcomes were exercised');
  // P = 9, N = 5: three strata at 15/9 = 1 r 6; two seats go to the two smallest hashes.
  const hashes = ['p', 'q', 'r'].map((s) => [s, sha(`${SEED}|tie|${s}`)] as const).sort((a, b) => (a[1] < b[1] ? -1 : 1));
  const expected: Record<string, number> = { p: 1, q: 1, r: 1 };
  expected[hashes[0]![0]] = 2;
  expected[hashes[1]![0]] = 2;
  assert.equal(allocate({ p: 3, q: 3, r: 3 }, 5, SEED), expected);
});

alloc('a larger remainder beats a smaller tie hash', () => {
  // P = 7, N = 3 as above: B (remainder 6) must get its seat before A (5) whatever the hashes say.
  for (let k = 0; k < 6; k++) assert.equal(allocate({ A: 4, B: 2, C: 1 }, 3, sha(`r${k}`)), { A: 2, B: 1, C: 0 });
});
alloc.run();

// ---- 4. the draw ----

const draw = suite('draw: runDraw');
const pool3100 = vectorFile.vectors.find((v) => v.input.pool.length > 3000)!.input;

draw('hand-worked pool: allocation by hand, order by the independent shuffle', () => {
  // 10 in A, 6 in B, 4 in C; P = 20, N = 5. N·n: 50, 30, 20 → 2 r 10, 1 r 10, 1 r 0. One seat left,
  // A and B tie on 10, so it goes to whichever of sha(seed|tie|A), sha(seed|tie|B) is smaller.
  const pool = [
    ...entries(['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A09', 'A10'], () => 'A'),
    ...entries(['B1', 'B2', 'B3', 'B4', 'B5', 'B6'], () => 'B'),
    ...entries(['C1', 'C2', 'C3', 'C4'], () => 'C'),
  ];
  const input = { year: 2026, pool, sampleSize: 5, stratify: true, publicRandom: '03 17 22' };
  const seed = referenceSeed(input);
  const aWins = sha(`${seed}|tie|A`) < sha(`${seed}|tie|B`);
  const result = runDraw(input);
  assert.is(result.seed, seed);
  assert.equal(result.strata, { A: 10, B: 6, C: 4 });
  assert.equal(result.allocation, aWins ? { A: 3, B: 1, C: 1 } : { A: 2, B: 2, C: 1 });
  const a = referenceShuffle(
    pool.slice(0, 10).map((p) => p.code),
    seed,
    'A',
  );
  const b = referenceShuffle(
    pool.slice(10, 16).map((p) => p.code),
    seed,
    'B',
  );
  const c = referenceShuffle(
    pool.slice(16).map((p) => p.code),
    seed,
    'C',
  );
  const [na, nb] = aWins ? [3, 1] : [2, 2];
  assert.equal(result.sample, [...a.slice(0, na), ...b.slice(0, nb), ...c.slice(0, 1)]);
  assert.equal(result.reserves, { A: a.slice(na), B: b.slice(nb), C: c.slice(1) });
});

draw('independent re-implementation agrees on a ~3,000 pool, unstratified and stratified', () => {
  const rng = seedrandom('three-thousand');
  const alphabet = '-_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const codes = new Set<string>();
  while (codes.size < 3000) {
    let code = '';
    const length = 1 + Math.floor(rng() * 8);
    for (let k = 0; k < length; k++) code += alphabet[Math.floor(rng() * alphabet.length)];
    codes.add(code);
  }
  const strata = ['企业代表', '社区居民', 'Z', 'a'];
  const pool = entries([...codes], () => strata[Math.floor(rng() * strata.length)]!);
  for (const stratify of [false, true]) {
    const input = { year: 2031, pool, sampleSize: 777, stratify, publicRandom: `beacon round 4242 ${stratify}` };
    const expected = referenceDraw(input);
    const result = runDraw(input);
    assert.is(result.seed, expected.seed);
    assert.equal(result.allocation, expected.allocation);
    assert.equal(result.sample, expected.sample);
    assert.equal(result.reserves, expected.reserves);
    assert.is(result.sample.length, 777);
  }
});

draw('a sample as large as the pool, or larger, draws everyone and leaves no reserves', () => {
  const pool = entries(['k1', 'K2', 'k3', 'K4', 'k5', 'K6', 'k7'], (i) => (i < 3 ? 'small' : 'big'));
  const whole = runDraw({ year: 2027, pool, sampleSize: 7, stratify: true, publicRandom: 'all' });
  const more = runDraw({ year: 2027, pool, sampleSize: 50, stratify: true, publicRandom: 'all' });
  assert.equal(whole.allocation, { big: 4, small: 3 });
  assert.equal(whole.reserves, { big: [], small: [] });
  assert.equal(more, whole); // the seed does not depend on the sample size
  assert.equal([...whole.sample].sort(), pool.map((p) => p.code).sort());
  assert.equal(
    whole.sample.slice(0, 4),
    referenceShuffle(
      pool.slice(3).map((p) => p.code),
      whole.seed,
      'big',
    ),
  );
});

draw('a single stratum: the first N of its shuffle are drawn, the rest are reserves in order', () => {
  const pool = entries(['s9', 's10', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'], () => '唯一');
  const result = runDraw({ year: 2026, pool, sampleSize: 3, stratify: true, publicRandom: 'one' });
  const order = referenceShuffle(
    pool.map((p) => p.code),
    result.seed,
    '唯一',
  );
  assert.equal(result.allocation, { 唯一: 3 });
  assert.equal(result.sample, order.slice(0, 3));
  assert.equal(result.reserves, { 唯一: order.slice(3) });
});

draw('without stratification every stratum is *, and the given strata do not matter', () => {
  const pool = entries(['b', 'A', 'a', 'B'], (i) => ['甲', '乙', '丙', '丁'][i]!);
  assert.is(canonicalPoolFile(pool, false), 'code,stratum\nA,*\nB,*\na,*\nb,*\n');
  const input = { year: 2026, pool, sampleSize: 2, stratify: false, publicRandom: 'flat' };
  const result = runDraw(input);
  assert.equal(result.strata, { '*': 4 });
  assert.equal(result.allocation, { '*': 2 });
  const relabelled = pool.map((p) => ({ ...p, stratum: 'same' }));
  assert.equal(runDraw({ ...input, pool: relabelled }), result);
  assert.is.not(poolHash(pool, true), poolHash(pool, false));
});

draw('the order of the input does not matter, and the input is left untouched', () => {
  const expected = runDraw(pool3100);
  for (const label of ['first', 'second']) {
    const pool = shuffled(pool3100.pool, label);
    const before = JSON.stringify(pool);
    assert.equal(runDraw({ ...pool3100, pool }), expected);
    assert.is(JSON.stringify(pool), before);
  }
  assert.equal(runDraw({ ...pool3100, pool: [...pool3100.pool].reverse() }), expected);
});

draw('same inputs give the same draw; the public value is used exactly as entered', () => {
  assert.equal(runDraw(pool3100), runDraw(pool3100));
  const spaced = runDraw({ ...pool3100, publicRandom: `${pool3100.publicRandom} ` });
  assert.is.not(spaced.seed, runDraw(pool3100).seed);
  assert.is.not(spaced.sample.join(), runDraw(pool3100).sample.join());
  assert.is(drawSeed(2026, sha('x'), '福彩 5 8 2'), sha(`pingyi-draw-v1\n2026\n${sha('x')}\n福彩 5 8 2\n`));
});

draw('strata named like object internals are ordinary strata', () => {
  const pool = entries(['p1', 'p2', 'c1', 'c2', 'o1'], (i) => ['__proto__', '__proto__', 'constructor', 'constructor', 'toString'][i]!);
  const input = { year: 2026, pool, sampleSize: 3, stratify: true, publicRandom: 'proto' };
  const result = runDraw(input);
  assert.equal(Object.keys(result.strata), ['__proto__', 'constructor', 'toString']);
  // biome-ignore lint/suspicious/noProto: a stratum may be named __proto__; the record must keep it as data
  assert.is(result.strata.__proto__, 2);
  const expected = referenceDraw(input);
  assert.equal(result.sample, expected.sample);
  // Compared as entries: uvu's deep equality reads `.constructor`, which is a stratum here.
  assert.equal(Object.entries(result.reserves), Object.entries(expected.reserves));
  assert.equal(Object.getPrototypeOf(result.reserves), Object.prototype);
});

draw('freezePool gives the hash and strata of the later draw, before the random value exists', () => {
  const frozen = freezePool(pool3100.pool, true);
  const result = runDraw(pool3100);
  assert.equal(frozen, { poolHash: result.poolHash, strata: result.strata });
  assert.is(frozen.poolHash, sha(referenceFile(pool3100.pool, true)));
});
draw.run();

// ---- 5. refusals ----

const refuse = suite('draw: refusals');
const good = (): DrawInput => ({
  year: 2026,
  pool: entries(['A1', 'A2', 'B1'], (i) => (i < 2 ? 'A' : 'B')),
  sampleSize: 2,
  stratify: true,
  publicRandom: 'x',
});

refuse('a valid input is accepted (so the refusals below are about one thing each)', () => {
  assert.is(runDraw(good()).sample.length, 2);
});

refuse('duplicate codes', () => {
  const input = good();
  assert.throws(() => runDraw({ ...input, pool: [...input.pool, { code: 'A2', stratum: 'B' }] }), /A2 appears more than once/);
  const long = entries(['LONGPREFIX-1234567-a', 'LONGPREFIX-1234567-b', 'LONGPREFIX-1234567-a'], () => 'A');
  assert.throws(() => freezePool(long, true), /LONGPREFIX-1234567-a appears more than once/);
});

refuse('bad codes', () => {
  for (const code of ['', 'has space', 'é1', 'x'.repeat(33), 'a,b', 'a\nb', 7 as unknown as string]) {
    const pool = [...good().pool, { code, stratum: 'A' }];
    assert.throws(() => runDraw({ ...good(), pool }), /codes must match/, JSON.stringify(code));
  }
  assert.ok(runDraw({ ...good(), pool: [...good().pool, { code: 'x'.repeat(32), stratum: 'A' }] }));
});

refuse('bad strata: a comma, a line break, empty', () => {
  for (const stratum of ['企业,代表', 'two\nlines', 'cr\r', '', 'line\u2028sep']) {
    const pool = [...good().pool, { code: 'Z9', stratum }];
    assert.throws(() => runDraw({ ...good(), pool }), /stratum/, JSON.stringify(stratum));
    assert.throws(() => canonicalPoolFile(pool, true), /without commas or line breaks/);
  }
});

refuse('sample size zero, negative or not an integer', () => {
  for (const sampleSize of [0, -1, 2.5, Number.NaN]) {
    assert.throws(() => runDraw({ ...good(), sampleSize }), /sample size must be a positive integer/);
  }
  assert.throws(() => allocate({ A: 2 }, 0, SEED), /sample size/);
});

refuse('an empty pool, an empty stratum size, a missing public value, a bad year', () => {
  assert.throws(() => runDraw({ ...good(), pool: [] }), /pool is empty/);
  assert.throws(() => allocate({ A: 2, B: 0 }, 1, SEED), /stratum B has size 0/);
  assert.throws(() => runDraw({ ...good(), publicRandom: '' }), /public random value is missing/);
  assert.throws(() => runDraw({ ...good(), year: 2026.5 }), /year/);
});
refuse.run();
