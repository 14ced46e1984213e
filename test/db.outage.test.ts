// Guards issue 19's promise for PostgreSQL installations: when the database is unreachable, a request answers a
// clear 503 with Retry-After within seconds (not a hang, not a 500), and the servers recover by themselves when
// the database comes back, without a restart. The test runs its own PostgreSQL cluster (scripts/pg-cluster.sh),
// since it stops and starts it; it runs on the PostgreSQL pass of `npm test`, where PostgreSQL is installed.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fixedClock } from '../server/clock.js';
import { loadConfig } from '../server/config.js';
import { openStore } from '../server/db/database.js';
import { demoUnits } from '../server/demo/city.js';
import { openRoundForWholePool } from '../server/demo/open-round.js';
import { linkToken } from '../server/links/tokens.js';
import { ballotBody, ROOT, type Place, startChildServer, submit, YEAR } from './child-server.js';
import { onPostgres } from './db.js';

const CLUSTER = join(ROOT, 'scripts/pg-cluster.sh');
const SECRET = 'outage-secret-outage-secret-outage-secret';

const outage = suite('the database goes away and comes back');

outage('503 with Retry-After while PostgreSQL is down, for pages and ballots; 200 and 303 again once it is back', async () => {
  if (!onPostgres) return; // needs PostgreSQL installed: the PostgreSQL pass runs it
  const root = mkdtempSync(join(tmpdir(), 'pingyi-outage-'));
  chmodSync(root, 0o711); // the cluster's own user (postgres, when run as root) must reach its folder inside
  const cluster = join(root, 'pg');
  try {
    const server = execFileSync(CLUSTER, ['start', cluster]).toString().trim();
    const port = new URL(server).port;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`create database pingyi template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`);
    await admin.end();
    const url = server.replace(/\/postgres$/, '/pingyi');
    const place: Place = { dataDir: join(root, 'data'), env: { DATA_DIR: join(root, 'data'), DATABASE_URL: url, SECRET } };

    // A round open for a few links, made in this process; the server runs in a child process, as a real one.
    const config = loadConfig({ ...place.env, MIN_POOL: '10', TZ: 'Asia/Shanghai' });
    const store = await openStore(config);
    const units = demoUnits().slice(0, 4);
    const pool = await openRoundForWholePool(store.db, fixedClock(new Date()), config, {
      year: YEAR,
      units,
      links: 12,
      strata: ['企业代表', '社区居民'],
      codePrefix: 'O',
      codeDigits: 3,
      title: 'Outage round',
      publicRandom: 'outage',
      actor: 'setup',
    });
    await store.destroy();
    const tokens = pool.map((p) => linkToken(SECRET, YEAR, p.code, 1));
    const body = ballotBody(units, 0);

    const app = await startChildServer(place);
    try {
      assert.is((await fetch(`${app.base}/s/${tokens[0]}`)).status, 200, 'the form, with the database up');
      assert.is((await submit(app.base, tokens[0] as string, body)).status, 303, 'a ballot, with the database up');

      execFileSync(CLUSTER, ['stop', cluster]);
      const started = Date.now();
      for (const res of [
        await fetch(`${app.base}/s/${tokens[1]}`),
        await submit(app.base, tokens[1] as string, body),
        await fetch(`${app.base}/admin/login`),
      ]) {
        assert.is(res.status, 503, `${res.url}: 503 while the database is down (${app.output().slice(-500)})`);
        assert.is(res.headers.get('retry-after'), '5');
        assert.match(await res.text(), /系统繁忙|Busy for a moment/);
      }
      assert.ok(Date.now() - started < 30_000, `answered within seconds, not held (${Date.now() - started} ms)`);
      assert.is((await fetch(`${app.base}/healthz`)).status, 200, '/healthz does not touch the database');

      execFileSync(CLUSTER, ['start', cluster, port]);
      let res: Response | undefined;
      for (let i = 0; i < 60; i++) {
        res = await submit(app.base, tokens[1] as string, body);
        if (res.status !== 503) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.is(res?.status, 303, 'the same server casts the ballot once the database is back');
      assert.is((await fetch(`${app.base}/s/${tokens[2]}`)).status, 200);
      assert.is((await submit(app.base, tokens[1] as string, body)).status, 409, 'and the ballot sent during the outage was not stored twice');
    } finally {
      await app.stop();
    }
  } finally {
    execFileSync(CLUSTER, ['stop', cluster]);
    rmSync(root, { recursive: true, force: true });
  }
});

outage.run();
