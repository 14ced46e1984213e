/*
 * `npm run demo`: a synthetic city in a fresh temporary data directory, a demo administrator, and the server.
 * PORT and HOST are honoured; DATA_DIR is not (the demo never touches a real installation).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdmin } from '../server/admin/accounts.js';
import { systemClock } from '../server/clock.js';
import { ConfigError, loadConfig } from '../server/config.js';
import { openDataDir, startServer } from '../server/main.js';
import { upsertRepresentatives } from '../server/pool/representatives.js';
import { upsertUnits } from '../server/units/units.js';
import { demoPool, demoUnits } from './demo-city.js';
import { demoRound } from './demo-rounds.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pingyi-demo-'));
let config;
try {
  config = loadConfig({ ...process.env, DATA_DIR: dataDir });
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : String(e));
  process.exit(2);
}
const db = await openDataDir(config);
const clock = systemClock;
const password = randomBytes(9).toString('base64url');
await createAdmin(db, clock, { username: 'demo', password, actor: 'demo' });
const units = await upsertUnits(db, clock, demoUnits(), 'demo');
const pool = await upsertRepresentatives(db, clock, demoPool(), { actor: 'demo' });
const thisYear = Number(new Intl.DateTimeFormat('en', { timeZone: config.timeZone, year: 'numeric' }).format(clock.now()));
const years = [thisYear - 3, thisYear - 2, thisYear - 1, thisYear];
for (const year of years) await demoRound(db, config, year, { now: clock.now(), current: year === thisYear });

try {
  await startServer(config, db);
} catch (e) {
  console.error(`cannot listen on ${config.host}:${config.port}: ${(e as Error).message}. Set PORT to a free port, e.g. PORT=3001 npm run demo`);
  process.exit(1);
}
const base = `http://${config.host}:${config.port}`;
console.log(`
Pingyi demo is running at ${base}
  data (temporary):  ${dataDir}
  units:             ${units.added} in 3 categories
  representatives:   ${pool.added} in 6 strata (synthetic people)
  rounds:            ${years.join(', ')} (the last one open; see ${base}/draw/${thisYear})

Console: ${base}/admin/login
  user name: demo
  password:  ${password}

Press Ctrl+C to stop.`);
