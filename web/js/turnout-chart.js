// Ballots per day as a bar chart, drawn from the JSON the page embeds; the table beside it stays the source.
const data = JSON.parse(document.getElementById('turnout-data')?.textContent || 'null');
const canvas = document.getElementById('turnout-chart');
if (data && canvas && window.Chart) {
  new window.Chart(canvas, {
    type: 'bar',
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.counts, backgroundColor: '#0b4f9c' }] },
    options: { responsive: true, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}
