// Re-runs draw pingyi-draw-v1 (docs/SPEC.md, The draw) in the reader's browser from the open data at /draw/{year}.json.
// Written from the spec, apart from the server's code, so that it is a second implementation: it recomputes the
// canonical pool file and its SHA-256 (WebCrypto), the seed, the Hamilton allocation with its tie rule, the
// Fisher–Yates order of every stratum (seedrandom's ARC4, the same npm file the server runs, served as an ES
// module), the reserves and the replacement rule, and names the first difference if anything disagrees.
// Every word shown comes from the page (#draw-i18n), in the page's language.

if (typeof document !== 'undefined') {
  const button = document.getElementById('draw-check');
  const wordsEl = document.getElementById('draw-i18n');
  if (button && wordsEl) setUp(button, JSON.parse(wordsEl.textContent || '{}'));
}

function setUp(button, words) {
  const say = (key, params) => (words[key] ?? key).replace(/\{(\w+)\}/g, (m, p) => (params && p in params ? String(params[p]) : m));
  const stepEl = document.getElementById('draw-check-step');
  const progress = document.getElementById('draw-check-progress');
  const result = document.getElementById('draw-check-result');
  const noJs = document.getElementById('draw-check-nojs');
  if (noJs) noJs.hidden = true;
  button.hidden = false;

  button.addEventListener('click', async () => {
    button.disabled = true;
    result.textContent = '';
    result.className = 'verdict';
    stepEl.hidden = false;
    progress.hidden = false;
    const report = (fraction, text) => {
      progress.value = Math.round(fraction * 100);
      stepEl.textContent = text;
    };
    let verdict;
    try {
      verdict = await check(button.dataset, report, say);
    } catch (e) {
      verdict = { ok: false, text: say('failed', { error: e?.message ? e.message : String(e) }) };
    }
    stepEl.hidden = true;
    progress.hidden = true;
    result.textContent = verdict.text;
    result.classList.add(verdict.ok ? 'ok' : 'bad');
    result.dataset.ms = verdict.ms === undefined ? '' : String(verdict.ms);
    button.disabled = false;
  });
}

async function check(data, report, say) {
  if (!globalThis.crypto?.subtle || !globalThis.TextEncoder) return { ok: false, text: say('noCrypto') };
  report(0.02, say('loading'));
  const [res, mod] = await Promise.all([fetch(data.jsonUrl, { headers: { accept: 'application/json' } }), import(data.seedrandomUrl)]);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const rec = await res.json();
  const seedrandom = mod.default;
  if (typeof seedrandom !== 'function') throw new Error('seedrandom did not load');

  const started = performance.now();
  const out = await recompute(rec, data.poolHash, seedrandom, report, say);
  const ms = Math.max(1, Math.round(performance.now() - started));
  const show = (v) => (v === undefined || v === null ? say('nothing') : String(v));
  if (out.difference) {
    const d = out.difference;
    return { ok: false, ms, text: say('mismatch', { where: d.where, published: show(d.published), recomputed: show(d.recomputed) }) };
  }
  if (out.frozen) return { ok: true, ms, text: say('matchFrozen', { pool: out.pool, ms }) };
  return { ok: true, ms, text: say('match', { drawn: out.drawn, replacements: out.replacements, ms }) };
}

// ---- SHA-256 and byte order ----

const utf8 = new TextEncoder();

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest('SHA-256', utf8.encode(text));
  let hex = '';
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

function compareByteArrays(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** A comparator in UTF-8 byte order. For pure-ASCII strings `<` is the same order and much faster. */
function byteOrder(strings) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included
  if (strings.every((s) => /^[\x00-\x7f]*$/.test(s))) return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const bytes = new Map(strings.map((s) => [s, utf8.encode(s)]));
  return (a, b) => compareByteArrays(bytes.get(a), bytes.get(b));
}

// ---- The draw ----

/** Long loops hand the page back to the browser now and then, so the progress bar moves on big pools. */
function pacer() {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < 50) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    last = performance.now();
  };
}

function firstDifference(where, published, recomputed) {
  const n = Math.max(published.length, recomputed.length);
  for (let i = 0; i < n; i++) {
    if (published[i] !== recomputed[i]) return { where: `${where}[${i}]`, published: published[i], recomputed: recomputed[i] };
  }
  return undefined;
}

function sameCounts(where, published, recomputed) {
  const keys = new Set([...Object.keys(published || {}), ...recomputed.keys()]);
  for (const k of keys) {
    const p = published ? published[k] : undefined;
    if (p !== recomputed.get(k)) return { where: `${where}.${k}`, published: p, recomputed: recomputed.get(k) };
  }
  return undefined;
}

/**
 * Recomputes everything in a draw record; returns `{ difference: { where, published, recomputed } }` at the first
 * disagreement, else `{ frozen, pool }` before the draw or `{ drawn, replacements }` after it. Exported so the
 * test suite can run it in Node against the shared test vectors.
 */
export async function recompute(rec, pageHash, seedrandom, report, say) {
  const pause = pacer();
  if (!rec || !Array.isArray(rec.pool)) return { difference: { where: 'pool', published: undefined, recomputed: undefined } };
  const pool = rec.pool.map((p) => ({ code: String(p.code), stratum: String(p.stratum) }));
  report(0.1, say('hashing', { pool: pool.length }));

  // 1. The canonical pool file, sorted by code in byte order, and its SHA-256.
  const byCode = byteOrder(pool.map((p) => p.code));
  pool.sort((a, b) => byCode(a.code, b.code));
  for (let i = 1; i < pool.length; i++) {
    if (pool[i].code === pool[i - 1].code) return { difference: { where: 'pool', published: say('duplicate', { code: pool[i].code }), recomputed: undefined } };
  }
  let file = 'code,stratum\n';
  for (const p of pool) file += `${p.code},${p.stratum}\n`;
  const poolHash = await sha256Hex(file);
  if (poolHash !== rec.poolHash) return { difference: { where: 'poolHash', published: rec.poolHash, recomputed: poolHash } };
  if (poolHash !== pageHash) return { difference: { where: say('pageHash'), published: pageHash, recomputed: poolHash } };

  const sizes = new Map();
  for (const p of pool) sizes.set(p.stratum, (sizes.get(p.stratum) || 0) + 1);
  const strata = [...sizes.keys()].sort(byteOrder([...sizes.keys()]));
  const countDiff = sameCounts('strata', rec.strata, sizes);
  if (countDiff) return { difference: countDiff };
  if (rec.publicRandom === null) return { frozen: true, pool: pool.length };
  await pause();

  // 2. The seed.
  report(0.3, say('allocating'));
  const seed = await sha256Hex(`pingyi-draw-v1\n${rec.year}\n${poolHash}\n${rec.publicRandom}\n`);
  if (seed !== rec.seed) return { difference: { where: 'seed', published: rec.seed, recomputed: seed } };

  // 3. Hamilton allocation in integers; equal remainders go to the smaller SHA-256 of "{seed}|tie|{stratum}".
  const N = rec.sampleSize;
  if (!Number.isSafeInteger(N) || N <= 0) return { difference: { where: 'sampleSize', published: N, recomputed: undefined } };
  const seats = new Map();
  if (N >= pool.length) {
    for (const s of strata) seats.set(s, sizes.get(s));
  } else {
    const NB = BigInt(N);
    const PB = BigInt(pool.length);
    const rows = [];
    for (const s of strata) {
      const product = NB * BigInt(sizes.get(s));
      rows.push({ s, seats: Number(product / PB), remainder: product % PB, tie: await sha256Hex(`${seed}|tie|${s}`) });
    }
    let left = N - rows.reduce((sum, r) => sum + r.seats, 0);
    const byRemainder = [...rows].sort((a, b) =>
      a.remainder !== b.remainder ? (a.remainder > b.remainder ? -1 : 1) : a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0,
    );
    for (const r of byRemainder) if (left-- > 0) r.seats += 1;
    for (const r of rows) seats.set(r.s, r.seats);
  }
  const allocDiff = sameCounts('allocation', rec.allocation, seats);
  if (allocDiff) return { difference: allocDiff };

  // 4–5. Each stratum's codes in byte order, shuffled by Fisher–Yates with seedrandom; strata in byte order.
  const groups = new Map(strata.map((s) => [s, []]));
  for (const p of pool) groups.get(p.stratum).push(p.code);
  const sample = [];
  const reserves = new Map();
  for (const [k, s] of strata.entries()) {
    report(0.35 + (0.55 * k) / strata.length, say('shuffling', { stratum: s, done: k + 1, total: strata.length }));
    await pause();
    const codes = groups.get(s);
    const rng = seedrandom(await sha256Hex(`${seed}|${s}`));
    for (let i = codes.length - 1; i >= 1; i--) {
      const j = Math.floor(rng() * (i + 1));
      const held = codes[i];
      codes[i] = codes[j];
      codes[j] = held;
    }
    const taken = seats.get(s);
    for (let i = 0; i < taken; i++) sample.push(codes[i]);
    reserves.set(s, codes.slice(taken));
  }
  const sampleDiff = firstDifference('sample', Array.isArray(rec.sample) ? rec.sample : [], sample);
  if (sampleDiff) return { difference: sampleDiff };
  const published = rec.reserves || {};
  for (const s of new Set([...reserves.keys(), ...Object.keys(published)])) {
    const diff = firstDifference(`reserves.${s}`, Array.isArray(published[s]) ? published[s] : [], reserves.get(s) || []);
    if (diff) return { difference: diff };
  }

  // The replacement rule: a seat holder's seat goes to the first unused reserve of the same stratum.
  report(0.95, say('replacements'));
  const stratumOf = new Map(pool.map((p) => [p.code, p.stratum]));
  const seated = new Set(sample);
  const used = new Set();
  const replacements = Array.isArray(rec.replacements) ? rec.replacements : [];
  for (const [i, r] of replacements.entries()) {
    if (!seated.has(r.out)) return { difference: { where: `replacements[${i}].out`, published: r.out, recomputed: say('notSeated') } };
    const next = (reserves.get(stratumOf.get(r.out)) || []).find((c) => !used.has(c));
    if (r.in !== next) return { difference: { where: `replacements[${i}].in`, published: r.in, recomputed: next } };
    seated.delete(r.out);
    seated.add(r.in);
    used.add(r.in);
  }
  return { drawn: sample.length, replacements: replacements.length };
}
