/*
 * `npm run demo`: a synthetic city in a fresh temporary data directory, a demo administrator, and the server.
 * PORT and HOST are honoured; DATA_DIR is not (the demo never touches a real installation).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdmin } from '../server/admin/accounts.js';
import { auditTrail } from '../server/audit/log.js';
import { systemClock } from '../server/clock.js';
import { type Config, ConfigError, loadConfig } from '../server/config.js';
import { openStore } from '../server/db/database.js';
import { startServer } from '../server/main.js';
import { upsertRepresentatives } from '../server/pool/representatives.js';
import { groupedCode } from '../server/links/codes.js';
import { invitations } from '../server/links/invitations.js';
import { findRound } from '../server/rounds/rounds.js';
import { upsertUnits } from '../server/units/units.js';
import { demoPool, demoUnits } from '../server/demo/city.js';
import { demoFollowUp } from '../server/demo/followup.js';
import { DEMO_PAPER_STRATUM, demoPaper } from '../server/demo/paper.js';
import { demoRound, demoYears } from '../server/demo/rounds.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pingyi-demo-'));
let config: Config;
try {
  // Always a fresh temporary SQLite database: never the installation's own (a DATABASE_URL in the environment).
  config = loadConfig({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' });
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : String(e));
  process.exit(2);
}
const store = await openStore(config);
const db = store.db;
const clock = systemClock;
const audit = auditTrail(config.secret, clock);
const password = randomBytes(9).toString('base64url');
await createAdmin(db, audit, { username: 'demo', password, actor: 'demo' });
// A second administrator, so that paper ballots can be typed in twice by two people.
await createAdmin(db, audit, { username: 'demo2', password, actor: 'demo' });
const units = await upsertUnits(db, audit, demoUnits(), 'demo');
const pool = await upsertRepresentatives(db, audit, demoPool(), { actor: 'demo' });
const thisYear = Number(new Intl.DateTimeFormat('en', { timeZone: config.timeZone, year: 'numeric' }).format(clock.now()));
const years = demoYears(thisYear);
for (const y of years) await demoRound(store, config, y.year, { now: clock.now(), current: y.current, weakest: y.weakest, design: y.design });
const designed = years.find((y) => y.design)?.year;
const typists = await db.selectFrom('admins').select(['id', 'username']).where('username', 'in', ['demo', 'demo2']).orderBy('username').execute();
const paperStored = await demoPaper(store, config, clock, thisYear, [typists[0]!, typists[1]!]);
// The comments handed to the units and answered, the rectification plans and the measures of the past years.
const liaisons = await demoFollowUp(db, config, { now: clock.now(), years: years.filter((y) => !y.current).map((y) => y.year), liaisonPassword: password });
const flagged = liaisons.find((l) => l.unit === 'U27') ?? liaisons.at(-1);
const current = await findRound(db, thisYear);
const tryLinks = current ? (await invitations(db, current, config, { unusedOnly: true })).slice(0, 5) : [];

try {
  await startServer(config, store);
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
  rounds:            ${years.map((y) => y.year).join(', ')} (the last one open; see ${base}/draw/${thisYear})
                     ${designed} rates each unit on three items, weighs the strata and asks why (see ${base}/results/${designed})

Survey links of the open round to try (each works once), with the 测评码 (short code) of the same seat, which
works instead of the link at ${base}/k:
${tryLinks.map((l) => `  ${l.url.replace(config.baseUrl, base)}   测评码 ${groupedCode(l.shortCode)}`).join('\n')}

Console: ${base}/admin/login
  user name: demo
  password:  ${password}
  a second administrator, to type paper ballots in twice: user name demo2, the same password
  paper ballots: ${paperStored.length} of ${DEMO_PAPER_STRATUM} typed in and counted, one waiting, one disputed (${base}/admin/rounds/${thisYear}/paper)
${flagged ? `  a unit's liaison (sees only that unit): user name ${flagged.username}, the same password\n` : ''}
What followed last year's ranking (comments answered, rectification, measures): ${base}/rectification/${thisYear - 1}

Press Ctrl+C to stop.`);
