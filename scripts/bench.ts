/*
 * `npm run bench`: every benchmark of the project, then a summary table of figures and goals.
 * `npm run bench -- draw` runs only the benchmarks whose names contain "draw". With TEST_DATABASE_URL set (for
 * example `scripts/with-postgres.sh npm run bench`), the HTTP benchmarks run on PostgreSQL.
 */
import { benchDesignedSurvey } from './bench/design.js';
import { benchDraw } from './bench/draw.js';
import { benchSurvey } from './bench/http.js';
import { benchScale } from './bench/scale.js';
import { benchTally } from './bench/tally.js';
import type { Figure } from './bench/types.js';

const benches: Record<string, () => Promise<Figure[]>> = {
  draw: benchDraw,
  // The form page, ballots and the published results page, on one server in one run.
  'survey and results': benchSurvey,
  'survey, 40 units × 5 items': benchDesignedSurvey,
  tally: benchTally,
  scale: benchScale,
};
/** Run only when named: they take minutes. */
const onRequest = new Set(['scale']);

const only = process.argv.slice(2);
const figures: Figure[] = [];
for (const [name, run] of Object.entries(benches)) {
  if (only.length ? !only.some((o) => name.includes(o)) : onRequest.has(name)) continue;
  figures.push(...(await run()));
}

// The HTTP figures depend on the database; draw and tally are pure computations.
console.log(`\nHTTP benchmarks ran on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL (TEST_DATABASE_URL)' : 'SQLite'}.`);
const rows = figures.map((f) => [f.name, `${f.value} ${f.unit}`, f.goal, f.met ? 'met' : 'NOT MET']);
const head = ['figure', 'measured', 'goal', ''];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}`);
process.exit(figures.every((f) => f.met) ? 0 : 1);
