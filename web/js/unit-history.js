// /units/{code}: score and rank by year as line charts, each with its 95% interval as a shaded band, drawn from the
// JSON the page embeds (the unit's entries of each year's open data). The table above them is the source.
const read = (id) => JSON.parse(document.getElementById(id)?.textContent || 'null');
const years = read('unit-data');
const meta = read('unit-meta');
const Chart = window.Chart;
const LINE = '#0b4f9c';
const BAND = 'rgba(11, 79, 156, 0.16)';

if (years?.length && meta && Chart) {
  for (const el of document.querySelectorAll('.js-only')) el.hidden = false;
  const words = meta.words;
  const labels = years.map((y) => String(y.year));
  // A bottom-three year is a downward triangle (▼), like the word beside it in the table.
  const points = {
    pointStyle: years.map((y) => (y.bottom3 ? 'triangle' : 'circle')),
    rotation: years.map((y) => (y.bottom3 ? 180 : 0)),
    pointRadius: years.map((y) => (y.bottom3 ? 8 : 5)),
  };
  const flags = (i) => [years[i].bottom3 ? words.bottom3 : null, years[i].bottom3TwoYears ? words.twoYears : null].filter(Boolean);

  line('unit-score-chart', {
    value: years.map((y) => y.score),
    lo: years.map((y) => y.scoreInterval?.[0] ?? null),
    hi: years.map((y) => y.scoreInterval?.[1] ?? null),
    label: words.score,
    format: (v) => v.toFixed(2),
    y: {},
  });
  line('unit-rank-chart', {
    value: years.map((y) => y.rank),
    lo: years.map((y) => y.rankInterval?.[0] ?? null),
    hi: years.map((y) => y.rankInterval?.[1] ?? null),
    label: words.rank,
    format: (v) => String(v),
    y: { reverse: true, min: 1, max: Math.max(...years.map((y) => y.rankedUnits)), ticks: { precision: 0 } },
  });

  function line(id, s) {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: 'line',
      data: {
        labels,
        datasets: [
          { label: 'hi', data: s.hi, borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: false },
          { label: 'lo', data: s.lo, borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: '-1', backgroundColor: BAND },
          { label: s.label, data: s.value, borderColor: LINE, backgroundColor: LINE, borderWidth: 3, ...points, spanGaps: true },
        ],
      },
      options: {
        responsive: true,
        scales: { y: { ...s.y, title: { display: true, text: s.label } } },
        plugins: {
          legend: { display: false },
          tooltip: {
            filter: (item) => item.datasetIndex === 2,
            callbacks: {
              label: (item) => {
                const i = item.dataIndex;
                const band = s.lo[i] === null ? '' : ` (${words.interval} ${s.format(s.lo[i])}–${s.format(s.hi[i])})`;
                return [`${s.label} ${s.format(item.parsed.y)}${band}`, ...flags(i)];
              },
            },
          },
        },
      },
    });
  }
}
