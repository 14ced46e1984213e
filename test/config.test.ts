// Guards the configuration's checks for DATABASE_URL (issue 7): a PostgreSQL installation needs a connection
// string that is one, and a SECRET, since several servers must derive the same survey links.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, parseConfig } from '../server/config.js';

const config = suite('configuration: the database');
const SECRET = 'x'.repeat(32);

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

config('without DATABASE_URL the data lives in DATA_DIR (SQLite)', () => {
  const c = parseConfig({ DATA_DIR: '/tmp/pingyi-x' });
  assert.is(c.databaseUrl, null);
  assert.is(c.dataDir, '/tmp/pingyi-x');
});

config('a PostgreSQL connection string with a SECRET is taken as it is', () => {
  for (const url of ['postgres://pingyi:pw@db.internal:5432/pingyi', 'postgresql://db/pingyi?sslmode=require']) {
    assert.is(parseConfig({ DATABASE_URL: ` ${url} `, SECRET }).databaseUrl, url);
  }
});

config('DATABASE_URL without SECRET is refused, naming both', () => {
  const p = problems({ DATABASE_URL: 'postgres://db/pingyi' });
  assert.is(p.length, 1);
  assert.match(p[0] as string, /SECRET must be set when DATABASE_URL is/);
});

config('a DATABASE_URL that is not a PostgreSQL connection string is refused with an example', () => {
  for (const url of ['mysql://db/pingyi', 'sqlite:///var/lib/pingyi.db', 'db.internal:5432', 'postgres://']) {
    const p = problems({ DATABASE_URL: url, SECRET });
    assert.is(p.length, 1, url);
    assert.match(p[0] as string, /DATABASE_URL must be a PostgreSQL connection string such as postgres:\/\//);
  }
});

config('an empty DATABASE_URL means unset', () => {
  assert.is(parseConfig({ DATABASE_URL: '' }).databaseUrl, null);
});

config.run();
