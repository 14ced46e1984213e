// The draw, algorithm pingyi-draw-v1 (docs/SPEC.md, The draw), as pure functions.
// No database, no clock, no Math.random: the only randomness is seedrandom's ARC4, seeded from the public seed.
// A second implementation must reach the same sample from the same inputs, so every step follows the spec
// literally; ../shared/draw-vectors.json holds vectors from such an implementation.
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';

export const DRAW_ALGORITHM = 'pingyi-draw-v1';

/** The one stratum used when the draw is not stratified. */
export const UNSTRATIFIED = '*';

const CODE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
// A comma or line break would break the canonical pool file; a lone surrogate has no UTF-8 encoding.
const BAD_STRATUM = /[,\r\n\v\f\u0085\u2028\u2029]|[\uD800-\uDFFF]/u;

export interface PoolEntry {
  readonly code: string;
  readonly stratum: string;
}

export interface DrawInput {
  readonly year: number;
  readonly pool: readonly PoolEntry[];
  readonly sampleSize: number;
  readonly stratify: boolean;
  readonly publicRandom: string;
}

/**
 * Records keyed by stratum are built in byte order of the strata. Note that JavaScript lists integer-like keys
 * ("7", "12") first whatever the insertion order; `sample` is the authoritative order.
 */
export interface DrawResult {
  readonly algorithm: typeof DRAW_ALGORITHM;
  readonly poolHash: string;
  readonly seed: string;
  readonly strata: Record<string, number>;
  readonly allocation: Record<string, number>;
  readonly sample: string[];
  readonly reserves: Record<string, string[]>;
}

export interface FrozenPool {
  readonly poolHash: string;
  readonly strata: Record<string, number>;
}

/** Lowercase hex SHA-256 of the UTF-8 bytes of `text`: the only hash the draw uses. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Compares two strings by their UTF-8 bytes, returning -1, 0 or 1 exactly as
 * `Buffer.compare(Buffer.from(a), Buffer.from(b))` would for well-formed strings, without allocating.
 * UTF-16 code units already order like UTF-8 bytes (i.e. like code points) except that surrogates (astral
 * characters) must come after U+E000–U+FFFF; the remap at the first difference fixes exactly that case.
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

interface PreparedPool {
  /** The codes as given. */
  readonly codes: string[];
  /** The distinct strata in byte order (just `*` without stratification). */
  readonly strata: string[];
  /** For each given code, the position of its stratum in `strata`. */
  readonly stratumOf: Uint32Array;
  /** Positions in `codes`, in byte order of the codes. */
  readonly order: Uint32Array;
}

/**
 * Validates the pool and sorts it once; everything the draw needs about the pool derives from this. Without
 * stratification the given strata play no part, so they are not checked either.
 */
function preparePool(pool: readonly PoolEntry[], stratify: boolean): PreparedPool {
  if (!Array.isArray(pool) || pool.length === 0) throw new Error('draw: the pool is empty');
  const n = pool.length;
  const codes = new Array<string>(n); // sized up front: growing a million-entry array by push() is far slower
  const stratumOf = new Uint32Array(n);
  const firstSeen = new Map<string, number>(stratify ? [] : [[UNSTRATIFIED, 0]]);
  for (let i = 0; i < n; i++) {
    const { code, stratum } = pool[i]!;
    if (typeof code !== 'string' || !CODE_PATTERN.test(code)) {
      throw new Error(`draw: pool entry ${i + 1} has code ${JSON.stringify(code)}; codes must match ${CODE_PATTERN.source}`);
    }
    codes[i] = code;
    if (!stratify) continue;
    let id = firstSeen.get(stratum);
    if (id === undefined) {
      if (typeof stratum !== 'string' || stratum === '' || BAD_STRATUM.test(stratum)) {
        throw new Error(
          `draw: pool entry ${i + 1} (${code}) has stratum ${JSON.stringify(stratum)}; a stratum must be non-empty text without commas or line breaks`,
        );
      }
      id = firstSeen.size;
      firstSeen.set(stratum, id);
    }
    stratumOf[i] = id;
  }
  const strata = [...firstSeen.keys()].sort(compareBytes);
  const rank = new Uint32Array(strata.length);
  for (const [r, stratum] of strata.entries()) rank[firstSeen.get(stratum)!] = r;
  for (let i = 0; i < n; i++) stratumOf[i] = rank[stratumOf[i]!]!;
  return { codes, strata, stratumOf, order: sortByCode(codes) };
}

// Ranks of the code characters in byte order; 0 stands for "past the end", so that a prefix sorts first.
const RANK = new Uint8Array(128);
for (let c = 0, next = 1; c < 128; c++) if (CODE_PATTERN.test(String.fromCharCode(c))) RANK[c] = next++;
const PACKED_CHARS = 7; // 65^7 < 2^43, which leaves 21 of 64 bits for the position
const POSITION_BITS = 21;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Positions of `codes` (valid, hence ASCII) in byte order; throws on a duplicate. Sorting a million strings with
 * a comparator takes seconds, so each code's first 7 characters after the pool's common prefix are packed with
 * its position into one 64-bit integer and sorted natively. Different keys mean different codes; codes sharing a
 * key are finished with `<`, which for ASCII is byte order.
 */
function sortByCode(codes: readonly string[]): Uint32Array {
  const n = codes.length;
  const order = new Uint32Array(n);
  const finish = (start: number, end: number): void => {
    const run = order.subarray(start, end).sort((a, b) => (codes[a]! < codes[b]! ? -1 : codes[a]! > codes[b]! ? 1 : 0));
    for (let k = 1; k < run.length; k++) {
      const code = codes[run[k]!]!;
      if (code === codes[run[k - 1]!]) throw new Error(`draw: code ${code} appears more than once in the pool`);
    }
  };
  if (n >= 2 ** POSITION_BITS) {
    for (let i = 0; i < n; i++) order[i] = i;
    finish(0, n);
    return order;
  }
  const first = codes[0]!;
  let skip = first.length;
  for (let i = 1; i < n && skip > 0; i++) {
    const code = codes[i]!;
    let k = 0;
    while (k < skip && code.charCodeAt(k) === first.charCodeAt(k)) k++;
    skip = k;
  }
  const packed = new BigUint64Array(n);
  const words = new Uint32Array(packed.buffer); // filled as 32-bit halves, so no BigInt is made per code
  const [lo, hi] = LITTLE_ENDIAN ? [0, 1] : [1, 0];
  const split = 2 ** (32 - POSITION_BITS);
  for (let i = 0; i < n; i++) {
    const code = codes[i]!;
    let key = 0;
    for (let k = skip; k < skip + PACKED_CHARS; k++) key = key * 65 + (k < code.length ? RANK[code.charCodeAt(k)]! : 0);
    words[2 * i + hi] = Math.floor(key / split);
    words[2 * i + lo] = (key % split) * 2 ** POSITION_BITS + i;
  }
  packed.sort();
  for (let k = 0; k < n; k++) order[k] = words[2 * k + lo]! & (2 ** POSITION_BITS - 1);
  const sameKey = (a: number, b: number) =>
    words[2 * a + hi] === words[2 * b + hi] && words[2 * a + lo]! >>> POSITION_BITS === words[2 * b + lo]! >>> POSITION_BITS;
  for (let start = 0, end = 1; start < n; start = end++) {
    while (end < n && sameKey(start, end)) end++;
    if (end - start > 1) finish(start, end);
  }
  return order;
}

/**
 * Writes the canonical pool file as UTF-8 to `sink`, in chunks of about 64 KiB (the chunk is reused after each
 * call), so a million-line file is hashed without being built as a string or as one large buffer. `visit` sees
 * each code in byte order with its stratum's position, so the draw needs no second pass over the pool.
 */
function writeCanonical(
  { codes, strata, stratumOf, order }: PreparedPool,
  sink: (bytes: Uint8Array) => void,
  visit?: (code: string, stratum: number) => void,
): void {
  const utf8 = new TextEncoder();
  const names = strata.map((stratum) => utf8.encode(stratum));
  const longestLine = 32 + 2 + names.reduce((most, name) => Math.max(most, name.length), 0);
  const chunk = new Uint8Array(Math.max(1 << 16, longestLine));
  let at = utf8.encodeInto('code,stratum\n', chunk).written;
  for (let k = 0; k < order.length; k++) {
    if (at + longestLine > chunk.length) {
      sink(chunk.subarray(0, at));
      at = 0;
    }
    const i = order[k]!;
    const code = codes[i]!;
    const s = stratumOf[i]!;
    visit?.(code, s);
    for (let c = 0; c < code.length; c++) chunk[at++] = code.charCodeAt(c); // ASCII: one byte per character
    chunk[at++] = 0x2c; // ','
    const name = names[s]!;
    for (let b = 0; b < name.length; b++) chunk[at++] = name[b]!;
    chunk[at++] = 0x0a; // '\n'
  }
  sink(chunk.subarray(0, at));
}

function hashPool(prepared: PreparedPool, visit?: (code: string, stratum: number) => void): string {
  const hash = createHash('sha256');
  writeCanonical(prepared, (bytes) => hash.update(bytes), visit);
  return hash.digest('hex');
}

function countsOf({ strata, stratumOf }: PreparedPool): Record<string, number> {
  const sizes = strata.map(() => 0);
  for (let k = 0; k < stratumOf.length; k++) sizes[stratumOf[k]!]! += 1;
  // Object.fromEntries defines own properties, so a stratum called "__proto__" stays an ordinary key.
  return Object.fromEntries(strata.map((stratum, s) => [stratum, sizes[s]!]));
}

/** The canonical pool file (§2.4 step 1). Invariant: it depends on the set of entries, not their order. */
export function canonicalPoolFile(pool: readonly PoolEntry[], stratify: boolean): string {
  const parts: Buffer[] = [];
  writeCanonical(preparePool(pool, stratify), (bytes) => parts.push(Buffer.from(bytes)));
  return Buffer.concat(parts).toString('utf8');
}

/** SHA-256 of the canonical pool file. Invariant: same set of (code, stratum) => same hash. */
export function poolHash(pool: readonly PoolEntry[], stratify: boolean): string {
  return hashPool(preparePool(pool, stratify));
}

/**
 * Freezes the pool before any randomness is known: its hash and stratum sizes (strata in byte order).
 * Invariant: `freezePool(p, s)` equals the poolHash and strata of every later `runDraw` on the same pool.
 */
export function freezePool(pool: readonly PoolEntry[], stratify: boolean): FrozenPool {
  const prepared = preparePool(pool, stratify);
  return { poolHash: hashPool(prepared), strata: countsOf(prepared) };
}

/** The draw's seed (§2.4 step 2). Invariant: fixed by year, pool and public value alone, not by the sample size. */
export function drawSeed(year: number, poolHash: string, publicRandom: string): string {
  if (!Number.isSafeInteger(year)) throw new Error(`draw: year must be an integer, got ${year}`);
  if (!/^[0-9a-f]{64}$/.test(poolHash)) throw new Error('draw: poolHash must be 64 lowercase hex digits');
  if (typeof publicRandom !== 'string' || publicRandom === '') {
    throw new Error('draw: the public random value is missing');
  }
  return sha256Hex(`${DRAW_ALGORITHM}\n${year}\n${poolHash}\n${publicRandom}\n`);
}

/**
 * Hamilton / largest-remainder allocation of `sampleSize` seats over stratum sizes (§2.4 step 3), strata in
 * byte order. Invariants: seats sum to min(sampleSize, pool size); each stratum gets ⌊N·nₛ/P⌋ or one more;
 * remainder ties go to the smaller SHA-256 of `{seed}|tie|{stratum}`; if N ≥ P every stratum is taken whole.
 * Products N·nₛ are computed in BigInt, so no size can lose precision.
 */
export function allocate(strata: ReadonlyMap<string, number> | Readonly<Record<string, number>>, sampleSize: number, seed: string): Record<string, number> {
  const sizes = [...(strata instanceof Map ? strata : Object.entries(strata))] as [string, number][];
  sizes.sort(([s], [t]) => compareBytes(s, t));
  checkSampleSize(sampleSize);
  for (const [stratum, size] of sizes) {
    if (!Number.isSafeInteger(size) || size <= 0) throw new Error(`draw: stratum ${stratum} has size ${size}`);
  }
  const total = sizes.reduce((sum, [, size]) => sum + size, 0);
  if (sampleSize >= total) return Object.fromEntries(sizes);

  const N = BigInt(sampleSize);
  const P = BigInt(total);
  const rows = sizes.map(([stratum, size]) => ({
    stratum,
    seats: Number((N * BigInt(size)) / P),
    remainder: (N * BigInt(size)) % P,
    tie: sha256Hex(`${seed}|tie|${stratum}`), // lowercase hex: string order is byte order
  }));
  let left = sampleSize - rows.reduce((sum, row) => sum + row.seats, 0);
  const byRemainder = [...rows].sort((r, s) =>
    r.remainder !== s.remainder ? (r.remainder > s.remainder ? -1 : 1) : r.tie < s.tie ? -1 : r.tie > s.tie ? 1 : 0,
  );
  for (const row of byRemainder) {
    if (left-- <= 0) break;
    row.seats += 1;
  }
  return Object.fromEntries(rows.map((row) => [row.stratum, row.seats]));
}

function checkSampleSize(sampleSize: number): void {
  if (!Number.isSafeInteger(sampleSize) || sampleSize <= 0) {
    throw new Error(`draw: sample size must be a positive integer, got ${sampleSize}`);
  }
}

/** Fisher–Yates with seedrandom's ARC4 (§2.4 step 4), in place. Invariant: same codes + same hex seed => same order. */
function shuffle(codes: string[], hexSeed: string): void {
  const rng = seedrandom(hexSeed);
  for (let i = codes.length - 1; i >= 1; i--) {
    const j = Math.floor(rng() * (i + 1));
    const held = codes[i]!;
    codes[i] = codes[j]!;
    codes[j] = held;
  }
}

/**
 * Runs draw pingyi-draw-v1. Invariants: same pool (in any order) + same year + same public value => same sample
 * and reserves, on any machine; the input is not modified; the first reserve of a stratum is the next in its order.
 */
export function runDraw(input: DrawInput): DrawResult {
  const { year, pool, sampleSize, stratify, publicRandom } = input;
  checkSampleSize(sampleSize);
  const prepared = preparePool(pool, stratify);
  const strata = countsOf(prepared);
  const groups = prepared.strata.map((stratum) => new Array<string>(strata[stratum]!));
  const filled = new Uint32Array(groups.length);
  const hash = hashPool(prepared, (code, s) => (groups[s]![filled[s]!++] = code)); // groups fill in byte order
  const seed = drawSeed(year, hash, publicRandom);
  const allocation = allocate(strata, sampleSize, seed);

  const sample: string[] = [];
  const reserves = prepared.strata.map((stratum, s) => {
    const group = groups[s]!;
    shuffle(group, sha256Hex(`${seed}|${stratum}`));
    // splice() drops the drawn head in place; what stays is the reserves, in order.
    for (const code of group.splice(0, allocation[stratum]!)) sample.push(code);
    return [stratum, group] as const;
  });
  return {
    algorithm: DRAW_ALGORITHM,
    poolHash: hash,
    seed,
    strata,
    allocation,
    sample,
    reserves: Object.fromEntries(reserves),
  };
}
