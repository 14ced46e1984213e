import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { countAdmins, issueSetupToken } from './admin/accounts.js';
import { createApp } from './app.js';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { migrateToLatest, openSqlite } from './db/database.js';
import type { Database } from './db/schema.js';

/** Opens and migrates DATA_DIR/pingyi.db. Shared by the server, the CLI and the demo; `serving` for a server. */
export async function openDataDir(config: Config, opts: { serving?: boolean } = {}): Promise<Database> {
  mkdirSync(config.dataDir, { recursive: true });
  const db = openSqlite(join(config.dataDir, 'pingyi.db'), { backgroundCheckpoints: opts.serving });
  await migrateToLatest(db);
  return db;
}

/**
 * Request lines are gathered and written to stdout a few times a second (one write per line costs a busy server
 * a third of its speed); error lines, which carry an ERROR marker, are written at once.
 */
export function bufferedLog(write: (text: string) => void = (t) => process.stdout.write(t)): (line: string) => void {
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (pending.length) write(pending.join('\n') + '\n');
    pending = [];
  };
  process.once('exit', flush);
  return (line) => {
    pending.push(line);
    if (line.includes(' ERROR ') || pending.length >= 500) flush();
    else timer ??= setTimeout(flush, 200).unref();
  };
}

/** Starts the server; resolves once it listens. */
export async function startServer(config: Config, db: Database, opts: { quiet?: boolean } = {}) {
  const app = createApp({ db, config, clock: systemClock, log: opts.quiet ? () => {} : bufferedLog() });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  return server;
}

async function main() {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : String(e));
    process.exit(2);
  }
  const db = await openDataDir(config, { serving: true });
  const server = await startServer(config, db);
  console.log(`Pingyi listening on http://${config.host}:${config.port} (public address ${config.baseUrl}), data in ${config.dataDir}`);
  if ((await countAdmins(db)) === 0) {
    const token = await issueSetupToken(db, systemClock);
    console.log(`No administrator yet. Create the first one within 24 hours at this one-time link:\n  ${config.baseUrl}/admin/setup/${token}`);
  }
  const stop = () => {
    server.close();
    void db.destroy().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
