// /results/{year}: charts drawn from the JSON the page embeds (the open data's units, as published), category tabs
// that filter the ranking table and the charts, and sortable columns. The page is complete without this file:
// the table holds every figure (category and category rank included), and the tabs and charts stay hidden.
const read = (id) => JSON.parse(document.getElementById(id)?.textContent || 'null');
const doc = read('results-data');
const meta = read('results-meta');
const Chart = window.Chart;
const INK = '#1a1a1a';

// Category colours, each ≥ 3:1 against white (non-text contrast) and told apart as blue/orange/purple by the
// common colour-vision deficiencies; the category is also written in the table, the legend and the tooltip.
const PALETTE = ['#0b4f9c', '#b34700', '#6b3fa0', '#1d6b3a', '#8a5a00', '#a4161a'];
const ANSWERS = ['satisfied', 'basic', 'dissatisfied', 'unknown'];
const ANSWER_COLOURS = { satisfied: '#08519c', basic: '#6baed6', dissatisfied: '#d4500b', unknown: '#9e9e9e' };
// One colour per item of a ballot with several (each ≥ 3:1 against white); the item is also named in the legend and tooltip.
const ITEM_COLOURS = ['#08519c', '#d4500b', '#1d6b3a', '#6b3fa0', '#8a5a00', '#a4161a', '#00607a', '#5c5c5c'];

if (doc && meta) {
  const words = meta.words;
  const table = document.getElementById('ranking-table');
  // Rows are rendered in the order of the embedded units: row i is units[i].
  const rows = table ? [...table.tBodies[0].rows] : [];
  for (const [i, r] of rows.entries()) r.dataset.i = String(i);
  for (const el of document.querySelectorAll('.js-only')) el.hidden = false;
  const charts = Chart ? chartMaker(doc, meta, words) : { draw() {} };
  sortable(table, doc.units, words);
  tabs(rows, doc.units, (category) => charts.draw(category));
  charts.draw('');
}

/**
 * Fits `prefix + name` into `px` pixels of chart text, shortening the name with "…" (the table keeps the full
 * names): on a 360 px phone the axis labels may take about half the chart's width.
 */
function fitLabel(prefix, name, px) {
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${Chart.defaults.font.size}px ${Chart.defaults.font.family}`;
  if (ctx.measureText(prefix + name).width <= px) return prefix + name;
  let n = name.length - 1;
  while (n > 1 && ctx.measureText(`${prefix}${name.slice(0, n)}…`).width > px) n--;
  return `${prefix}${name.slice(0, n)}…`;
}

/** The two charts, drawn (again) for the units of one category, or of all when the category is ''. */
function chartMaker(doc, meta, words) {
  const fmt = (v, code) => (v === null || v === undefined ? '—' : v.toFixed(meta.decimals[code] ?? 2));
  const catIndex = new Map(meta.categories.map((c, i) => [c, i]));
  const colour = (u) => PALETTE[(catIndex.get(u.category) ?? 0) % PALETTE.length];
  const size = () => Chart.defaults.font.size;
  const room = (box) => Math.min(box.clientWidth * 0.46 - 8, 16 * size());
  const drawn = [];

  function scores(units) {
    const canvas = document.getElementById('score-chart');
    if (!canvas || !units.length) return;
    const box = canvas.parentElement;
    box.style.height = `${Math.round(units.length * size() * 1.9 + size() * 8)}px`;
    const lows = units.map((u) => u.scoreInterval?.[0] ?? u.score);
    const highs = units.map((u) => u.scoreInterval?.[1] ?? u.score);
    const top = doc.scale === 'satisfaction4' ? doc.points[0] : 100;
    const min = Math.max(0, Math.floor((Math.min(...lows) - 2) / 10) * 10);
    const max = Math.min(top, Math.ceil((Math.max(...highs) + 1) / 10) * 10);
    const px = room(box);
    // Whiskers: each score's 95% interval as a line with end caps, drawn over the bars.
    const whiskers = {
      id: 'whiskers',
      afterDatasetsDraw(chart) {
        const { ctx, scales } = chart;
        const cap = Math.max(3, size() * 0.35);
        ctx.save();
        ctx.strokeStyle = INK;
        ctx.lineWidth = 2;
        units.forEach((u, i) => {
          if (!u.scoreInterval) return;
          const y = scales.y.getPixelForValue(i);
          const [a, b] = u.scoreInterval.map((v) => scales.x.getPixelForValue(v));
          ctx.beginPath();
          ctx.moveTo(a, y);
          ctx.lineTo(b, y);
          ctx.moveTo(a, y - cap);
          ctx.lineTo(a, y + cap);
          ctx.moveTo(b, y - cap);
          ctx.lineTo(b, y + cap);
          ctx.stroke();
        });
        ctx.restore();
      },
    };
    drawn.push(
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: units.map((u) => fitLabel(`${u.rank}${u.bottom3 ? ' ▼' : ''}${u.bottom3TwoYears ? '⚠' : ''} `, u.name, px)),
          datasets: [
            {
              label: words.score,
              data: units.map((u) => u.score),
              // The bottom three: a lighter fill inside a dark outline, besides the ▼ in the label.
              backgroundColor: units.map((u) => (u.bottom3 ? `${colour(u)}99` : colour(u))),
              borderColor: units.map((u) => (u.bottom3 ? INK : colour(u))),
              borderWidth: units.map((u) => (u.bottom3 ? 2 : 0)),
              barPercentage: 0.9,
              categoryPercentage: 0.9,
            },
          ],
        },
        options: {
          indexAxis: 'y',
          responsive: true,
          scales: {
            x: { min, max, position: 'top', title: { display: true, text: words.score }, grid: { color: '#d0d3d8' }, ticks: { maxRotation: 0 } },
            y: { grid: { display: false }, ticks: { autoSkip: false } },
          },
          plugins: {
            legend: {
              position: 'bottom',
              onClick: () => {},
              labels: {
                generateLabels: () =>
                  meta.categories
                    .filter((c) => units.some((u) => u.category === c))
                    .map((c) => ({
                      text: c,
                      fillStyle: PALETTE[catIndex.get(c) % PALETTE.length],
                      strokeStyle: PALETTE[catIndex.get(c) % PALETTE.length],
                      lineWidth: 0,
                      hidden: false,
                      datasetIndex: 0,
                    })),
              },
            },
            tooltip: {
              callbacks: {
                title: (items) => units[items[0].dataIndex].name,
                label: (item) => {
                  const u = units[item.dataIndex];
                  const lines = [
                    `${words.score} ${fmt(u.score, u.code)}`,
                    `${words.interval} ${u.scoreInterval ? `${fmt(u.scoreInterval[0], u.code)}–${fmt(u.scoreInterval[1], u.code)}` : '—'}`,
                    `${words.rank} ${u.rank}${u.rankInterval ? ` (${u.rankInterval[0]}–${u.rankInterval[1]})` : ''}`,
                    u.category,
                  ];
                  if (u.bottom3) lines.push(words.bottom3);
                  if (u.bottom3TwoYears) lines.push(words.twoYears);
                  return lines;
                },
              },
            },
          },
        },
        plugins: [whiskers],
      }),
    );
  }

  function answers(units) {
    const canvas = document.getElementById('answers-chart');
    if (!canvas || !units.length) return;
    const box = canvas.parentElement;
    box.style.height = `${Math.round(units.length * size() * 1.9 + size() * 9)}px`;
    const px = room(box);
    const share = (u, n) => (u.valid + u.unknown ? (100 * n) / (u.valid + u.unknown) : 0);
    drawn.push(
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: units.map((u) => fitLabel(`${u.rank ?? '—'}${u.bottom3 ? ' ▼' : ''} `, u.name, px)),
          datasets: ANSWERS.map((k) => ({
            label: words[k],
            data: units.map((u) => share(u, k === 'unknown' ? u.unknown : (u.counts?.[k] ?? 0))),
            backgroundColor: ANSWER_COLOURS[k],
            borderColor: '#ffffff',
            borderWidth: 1,
          })),
        },
        options: {
          indexAxis: 'y',
          responsive: true,
          scales: {
            x: { stacked: true, min: 0, max: 100, position: 'top', title: { display: true, text: words.share }, ticks: { maxRotation: 0 } },
            y: { stacked: true, grid: { display: false }, ticks: { autoSkip: false } },
          },
          plugins: {
            legend: { position: 'bottom', onClick: () => {} },
            tooltip: {
              callbacks: {
                title: (items) => units[items[0].dataIndex].name,
                label: (item) => `${item.dataset.label} ${item.parsed.x.toFixed(1)}%`,
              },
            },
          },
        },
      }),
    );
  }

  // A ballot with several items: each unit's bar per item, side by side, so the item that pulls a unit down shows.
  function items(units) {
    const canvas = document.getElementById('indicators-chart');
    const list = doc.indicators || [];
    if (!canvas || list.length < 2 || !units.length) return;
    const box = canvas.parentElement;
    box.style.height = `${Math.round(units.length * size() * (0.8 + 0.75 * list.length) + size() * 9)}px`;
    const px = room(box);
    const score = (u, key) => u.indicators?.find((x) => x.key === key)?.score ?? null;
    const all = units.flatMap((u) => list.map((d) => score(u, d.key))).filter((v) => v !== null);
    const top = doc.scale === 'satisfaction4' ? doc.points[0] : 100;
    const min = Math.max(0, Math.floor((Math.min(...all) - 2) / 10) * 10);
    const max = Math.min(top, Math.ceil((Math.max(...all) + 1) / 10) * 10);
    drawn.push(
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: units.map((u) => fitLabel(`${u.rank ?? '—'}${u.bottom3 ? ' ▼' : ''} `, u.name, px)),
          datasets: list.map((d, i) => ({
            label: d.label,
            data: units.map((u) => score(u, d.key)),
            backgroundColor: ITEM_COLOURS[i % ITEM_COLOURS.length],
            barPercentage: 0.9,
            categoryPercentage: 0.85,
          })),
        },
        options: {
          indexAxis: 'y',
          responsive: true,
          scales: {
            x: { min, max, position: 'top', title: { display: true, text: words.score }, grid: { color: '#d0d3d8' }, ticks: { maxRotation: 0 } },
            y: { grid: { display: false }, ticks: { autoSkip: false } },
          },
          plugins: {
            legend: { position: 'bottom', onClick: () => {} },
            tooltip: {
              callbacks: {
                title: (tip) => units[tip[0].dataIndex].name,
                label: (item) => `${item.dataset.label} ${fmt(item.parsed.x, units[item.dataIndex].code)}`,
              },
            },
          },
        },
      }),
    );
  }

  return {
    draw(category) {
      while (drawn.length) drawn.pop().destroy();
      const units = doc.units.filter((u) => !category || u.category === category);
      scores(units.filter((u) => u.ranked));
      if (doc.scale === 'satisfaction4') answers(units);
      items(units.filter((u) => u.ranked));
    },
  };
}

/** The category tabs: toggle buttons that show one category's rows (or all) and redraw the charts for them. */
function tabs(rows, units, onChange) {
  const buttons = [...document.querySelectorAll('#ranking .tabs button.tab')];
  for (const button of buttons) {
    button.addEventListener('click', () => {
      const category = button.dataset.category;
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
      for (const r of rows) r.hidden = Boolean(category) && units[Number(r.dataset.i)].category !== category;
      onChange(category);
    });
  }
}

/**
 * Column headings with `data-sort` (a field of the embedded units) become buttons that sort the rows by that field;
 * units without a value (not ranked) always go last, and equal values keep the rank order.
 */
function sortable(table, units, words) {
  if (!table) return;
  const body = table.tBodies[0];
  const value = (u, field) => (field in (u.counts ?? {}) ? u.counts[field] : u[field]) ?? null;
  const heads = [...table.tHead.rows[0].cells];
  for (const th of heads) {
    const field = th.dataset.sort;
    if (!field) continue;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    button.textContent = th.textContent.trim();
    button.title = words.sortBy;
    th.textContent = '';
    th.append(button);
    th.setAttribute('aria-sort', field === 'rank' ? 'ascending' : 'none');
    const text = field === 'name' || field === 'category';
    const up1 = text || field === 'rank' || field === 'categoryRank';
    button.addEventListener('click', () => {
      // The first click on a figure puts the largest first; on a rank or a text, 1 or A first.
      const current = th.getAttribute('aria-sort');
      const up = current === 'none' ? up1 : current === 'descending';
      const sorted = [...body.rows].sort((ra, rb) => {
        const ia = Number(ra.dataset.i);
        const ib = Number(rb.dataset.i);
        const va = value(units[ia], field);
        const vb = value(units[ib], field);
        if (va === null || vb === null) return (va === null) - (vb === null) || ia - ib;
        const d = text ? String(va).localeCompare(String(vb), document.documentElement.lang) : va - vb;
        return (up ? d : -d) || ia - ib;
      });
      body.append(...sorted);
      for (const h of heads) if (h.dataset.sort) h.setAttribute('aria-sort', h === th ? (up ? 'ascending' : 'descending') : 'none');
    });
  }
}
