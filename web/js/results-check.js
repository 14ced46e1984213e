// Recomputes a year's ranking and flags (docs/SPEC.md, The method) in the reader's browser from the open data at
// /results/{year}.json. Written from the method, apart from the server's code, so that it is a second
// implementation: each unit's valid and unknown answers, score and satisfaction rate from the published counts
// (the cells of each stratum when strata are weighted), which units are ranked, the ranks with their ties, the
// rank in the category and on each item, the bottom three and "two years running" (against the previous year's
// published file), and names the first difference. The 95% intervals are left to `verify-results`.
// Every word shown comes from the page (#results-meta), in the page's language.

if (typeof document !== 'undefined') {
  const button = document.getElementById('results-check');
  const meta = document.getElementById('results-meta');
  if (button && meta) setUp(button, JSON.parse(meta.textContent || '{}').words || {});
}

function setUp(button, words) {
  const say = (key, params) => (words[key] ?? key).replace(/\{(\w+)\}/g, (m, p) => (params && p in params ? String(params[p]) : m));
  const result = document.getElementById('results-check-result');
  const noJs = document.getElementById('results-check-nojs');
  if (noJs) noJs.hidden = true;
  button.hidden = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.className = 'verdict';
    result.textContent = say('checkRunning');
    let verdict;
    try {
      verdict = await check(button.dataset, say);
    } catch (e) {
      verdict = { ok: false, text: say('checkFailed', { error: e?.message ? e.message : String(e) }) };
    }
    result.textContent = verdict.text;
    result.classList.add(verdict.ok ? 'ok' : 'bad');
    button.disabled = false;
  });
}

async function fetchJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

async function check(data, say) {
  const doc = await fetchJson(data.jsonUrl);
  // "Two years running" needs the previous year's bottom three: from its own published file, when there is one.
  let previous = null;
  if (doc.previousYear !== null) {
    try {
      previous = await fetchJson(`/results/${doc.previousYear}.json`);
    } catch {
      previous = null;
    }
  }
  const started = performance.now();
  const out = recompute(doc, previous);
  const ms = Math.max(1, Math.round(performance.now() - started));
  const show = (v) => (v === undefined || v === null ? '—' : String(v));
  if (out.difference) {
    const d = out.difference;
    return { ok: false, text: say('checkMismatch', { where: d.where, published: show(d.published), recomputed: show(d.recomputed) }) };
  }
  const parts = [say(out.fromCounts ? 'checkMatch' : 'checkMatchRanks', { units: out.units, ranked: out.ranked, ms })];
  if (doc.previousYear !== null) parts.push(say(out.twoYears ? 'checkTwoYears' : 'checkTwoYearsFile', { previous: doc.previousYear }));
  return { ok: true, text: parts.join(' ') };
}

// ---- The method ----

/** Two figures are equal when they differ by less than this. */
const TOLERANCE = 1e-9;

function figures(doc) {
  // Each slot's points and whether it counts as satisfied.
  const slots =
    doc.scale === 'satisfaction4'
      ? { values: doc.points, satisfied: [true, true, false] }
      : { values: Array.from({ length: 101 }, (_, s) => s), satisfied: Array.from({ length: 101 }, (_, s) => s >= 60) };
  const of = (histogram) => {
    let n = 0;
    let sum = 0;
    let yes = 0;
    histogram.forEach((c, k) => {
      n += c;
      sum += c * slots.values[k];
      if (slots.satisfied[k]) yes += c;
    });
    return n ? { n, score: sum / n, rate: yes / n } : { n, score: null, rate: null };
  };
  return of;
}

const countsOf = (c) => (c ? [c.satisfied, c.basic, c.dissatisfied] : null);
const weightedMean = (parts) => {
  let sum = 0;
  let weights = 0;
  for (const [x, w] of parts) {
    sum += x * w;
    weights += w;
  }
  return sum / weights;
};

/**
 * Ranks among `units` by score descending, then rate descending; values within TOLERANCE are equal, a run of
 * values each within it of the next being one group. Returns per unit its rank and its tier (equal tiers tie).
 */
function ranking(units, score, rate) {
  const order = units.map((_, i) => i).sort((a, b) => score(units[b]) - score(units[a]) || rate(units[b]) - rate(units[a]) || a - b);
  const rank = new Array(units.length);
  const tier = new Array(units.length);
  let t = -1;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && score(units[order[end - 1]]) - score(units[order[end]]) < TOLERANCE) end++;
    const group = order.slice(start, end).sort((a, b) => rate(units[b]) - rate(units[a]) || a - b);
    group.forEach((i, k) => {
      const tied = k > 0 && rate(units[group[k - 1]]) - rate(units[i]) < TOLERANCE;
      if (!tied) t++;
      tier[i] = t;
      rank[i] = tied ? rank[group[k - 1]] : start + k + 1;
    });
    start = end;
  }
  return { rank, tier };
}

const near = (a, b) => (a === null || b === null ? a === b : Math.abs(a - b) < TOLERANCE);

/**
 * Everything but the intervals, recomputed from `doc` (and the previous year's `previous`, or null): the first
 * difference, or how many units were checked.
 */
export function recompute(doc, previous) {
  const of = figures(doc);
  const items = doc.indicators || [{ key: 'overall', weight: 1 }];
  const weights = doc.strataWeights || null;
  // Per unit and item: the histograms the score comes from, each with its weight.
  const cellsOf = new Map();
  const add = (unit, key, histogram, unknown, weight) => {
    if (!cellsOf.has(unit)) cellsOf.set(unit, new Map());
    const byItem = cellsOf.get(unit);
    if (!byItem.has(key)) byItem.set(key, []);
    byItem.get(key).push({ histogram, unknown, weight });
  };
  let fromCounts = true;
  if (doc.cells) {
    for (const c of doc.cells) add(c.unit, c.indicator, c.histogram, c.unknown, weights ? weights[c.stratum] : 1);
  } else {
    for (const u of doc.units) {
      const list = doc.indicators ? u.indicators || [] : [{ key: 'overall', unknown: u.unknown, counts: u.counts }];
      for (const d of list) {
        const h = countsOf(d.counts);
        if (!h) fromCounts = false;
        else add(u.code, d.key, h, d.unknown, 1);
      }
    }
  }

  const mine = [];
  for (const u of doc.units) {
    if (!fromCounts) {
      // A 0–100 round without weights publishes no counts: the ranking and flags are checked from its scores.
      mine.push({ u, valid: u.valid, unknown: u.unknown, score: u.score, rate: u.satisfactionRate, items: (u.indicators || []).map((d) => ({ ...d })) });
      continue;
    }
    const byItem = cellsOf.get(u.code) || new Map();
    const per = items.map((d) => {
      const cells = byItem.get(d.key) || [];
      const unknown = cells.reduce((a, c) => a + c.unknown, 0);
      const pooled = of(cells.reduce((h, c) => h.map((x, k) => x + c.histogram[k]), new Array(cells[0] ? cells[0].histogram.length : 3).fill(0)));
      // With strata weights an item's figure is the strata's own figures weighed; else the pooled answers'.
      const parts = weights ? cells.map((c) => ({ f: of(c.histogram), w: c.weight })).filter((p) => p.f.n > 0) : null;
      const score = weights ? (parts.length ? weightedMean(parts.map((p) => [p.f.score, p.w])) : null) : pooled.score;
      const rate = weights ? (parts.length ? weightedMean(parts.map((p) => [p.f.rate, p.w])) : null) : pooled.rate;
      return { key: d.key, weight: d.weight, valid: pooled.n, unknown, score, rate };
    });
    const scored = per.every((p) => p.score !== null);
    mine.push({
      u,
      valid: Math.min(...per.map((p) => p.valid)),
      unknown: Math.max(...per.map((p) => p.unknown)),
      score: scored ? weightedMean(per.map((p) => [p.score, p.weight])) : null,
      rate: scored ? weightedMean(per.map((p) => [p.rate, p.weight])) : null,
      items: per,
    });
  }

  for (const m of mine) {
    const where = `${m.u.code}`;
    if (m.valid !== m.u.valid) return { difference: { where: `${where}: valid`, published: m.u.valid, recomputed: m.valid } };
    if (m.unknown !== m.u.unknown) return { difference: { where: `${where}: unknown`, published: m.u.unknown, recomputed: m.unknown } };
    if (!near(m.score, m.u.score)) return { difference: { where: `${where}: score`, published: m.u.score, recomputed: m.score } };
    if (!near(m.rate, m.u.satisfactionRate))
      return { difference: { where: `${where}: satisfactionRate`, published: m.u.satisfactionRate, recomputed: m.rate } };
    if (doc.indicators) {
      for (const [i, d] of m.items.entries()) {
        const p = (m.u.indicators || [])[i] || {};
        if (d.valid !== p.valid) return { difference: { where: `${where}: ${d.key} valid`, published: p.valid, recomputed: d.valid } };
        if (!near(d.score, p.score ?? null)) return { difference: { where: `${where}: ${d.key} score`, published: p.score, recomputed: d.score } };
      }
    }
    const ranked = m.valid > 0 && m.valid >= doc.minValid;
    if (ranked !== m.u.ranked) return { difference: { where: `${where}: ranked`, published: m.u.ranked, recomputed: ranked } };
  }

  const ranked = mine.filter((m) => m.u.ranked);
  const overall = ranking(
    ranked,
    (m) => m.score,
    (m) => m.rate,
  );
  const perItem = doc.indicators
    ? doc.indicators.map((_, i) =>
        ranking(
          ranked,
          (m) => m.items[i].score,
          (m) => m.items[i].rate,
        ),
      )
    : [];
  const before = previous ? new Set(previous.units.filter((u) => u.bottom3).map((u) => u.code)) : null;
  for (const [i, m] of ranked.entries()) {
    const scope = ranked.map((_, j) => j).filter((j) => doc.bottomScope === 'overall' || ranked[j].u.category === m.u.category);
    const categoryRank = 1 + ranked.filter((o, j) => o.u.category === m.u.category && overall.tier[j] < overall.tier[i]).length;
    const bottom3 = scope.filter((j) => overall.tier[j] > overall.tier[i]).length < 3;
    const where = m.u.code;
    if (overall.rank[i] !== m.u.rank) return { difference: { where: `${where}: rank`, published: m.u.rank, recomputed: overall.rank[i] } };
    if (categoryRank !== m.u.categoryRank) return { difference: { where: `${where}: categoryRank`, published: m.u.categoryRank, recomputed: categoryRank } };
    if (bottom3 !== m.u.bottom3) return { difference: { where: `${where}: bottom3`, published: m.u.bottom3, recomputed: bottom3 } };
    // Without the previous year's file, a unit flagged two years running must at least be in the bottom three.
    const twoYears = before ? bottom3 && before.has(m.u.code) : doc.previousYear === null ? false : bottom3 && m.u.bottom3TwoYears;
    if (twoYears !== m.u.bottom3TwoYears) return { difference: { where: `${where}: bottom3TwoYears`, published: m.u.bottom3TwoYears, recomputed: twoYears } };
    for (const [k, r] of perItem.entries()) {
      const p = (m.u.indicators || [])[k] || {};
      if (r.rank[i] !== p.rank) return { difference: { where: `${where}: ${p.key} rank`, published: p.rank, recomputed: r.rank[i] } };
    }
  }
  for (const m of mine) {
    if (!m.u.ranked && (m.u.rank !== null || m.u.bottom3 || m.u.bottom3TwoYears))
      return { difference: { where: `${m.u.code}: rank`, published: m.u.rank, recomputed: null } };
  }
  // The file lists the units by rank, then by code; unranked last.
  for (let i = 1; i < doc.units.length; i++) {
    const a = doc.units[i - 1];
    const b = doc.units[i];
    const ra = a.rank ?? Number.MAX_SAFE_INTEGER;
    const rb = b.rank ?? Number.MAX_SAFE_INTEGER;
    if (ra > rb || (ra === rb && a.code > b.code)) return { difference: { where: `units[${i}] (order)`, published: b.code, recomputed: a.code } };
  }
  return { units: doc.units.length, ranked: ranked.length, fromCounts, twoYears: Boolean(before) };
}
