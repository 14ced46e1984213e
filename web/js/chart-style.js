// Every chart's text follows the page: its font, its ink, and the reader's size. Chart labels are body-sized
// (1rem: 16 px, 22 px in 大字 mode, more with the reader's own font setting), never chart.js's smaller default.
// Loaded after vendor/chart.js and before the page's own chart script (modules run in order).
const Chart = window.Chart;
if (Chart) {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) || 16);
  Chart.defaults.color = '#1a1a1a';
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
}
