import { createServer, type Server } from 'node:http';
import { countAdmins, issueSetupToken } from './admin/accounts.js';
import { createRequestListener } from './app.js';
import { auditTrail } from './audit/log.js';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DatabaseSetupError, openStore } from './db/database.js';
import type { Store } from './db/store.js';
import { fillCodeHashes } from './links/code-hashes.js';
import { startMixing } from './survey/mix.js';

/**
 * Request lines are gathered and written to stdout a few times a second (a write per line slows a busy server
 * markedly; docs/PERFORMANCE.md); error lines, which carry an ERROR marker, are written at once.
 */
export function bufferedLog(write: (text: string) => void = (t) => process.stdout.write(t)): (line: string) => void {
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length) write(`${pending.join('\n')}\n`);
    pending = [];
  };
  process.once('exit', flush);
  return (line) => {
    pending.push(line);
    if (line.includes(' ERROR ') || pending.length >= 500) flush();
    else if (!timer) timer = setTimeout(flush, 200).unref();
  };
}

/** Where the data lives, for a log line: never the password of a connection string. */
export function describeStore(config: Config): string {
  if (!config.databaseUrl) return config.dataDir;
  const u = new URL(config.databaseUrl);
  return `PostgreSQL ${u.host}${u.pathname}`;
}

export interface RunningServer {
  server: Server;
  /** Stops listening, then mixes the ballots once more if any came since the last pass; the database stays open. */
  stop(): Promise<void>;
}

/** Starts the server, and the mixing of ballots that runs beside it (survey/mix.ts); resolves once it listens. */
export async function startServer(config: Config, store: Store, opts: { quiet?: boolean } = {}): Promise<RunningServer> {
  const log = opts.quiet ? () => {} : bufferedLog();
  const server = createServer(createRequestListener({ store, config, clock: systemClock, log }));
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const mixing = startMixing(store, (message) => log(`${new Date().toISOString()} ERROR ${message}`));
  return {
    server,
    stop: async () => {
      server.close();
      await mixing.stop();
    },
  };
}

async function main() {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : String(e));
    process.exit(2);
  }
  let store: Store;
  try {
    store = await openStore(config, { serving: true });
  } catch (e) {
    console.error(e instanceof DatabaseSetupError ? e.message : `Cannot open the database: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  // Links issued before 测评码 existed get their code's hash (only the application can derive it) before any code is
  // typed; afterwards every link gets its hash when it is issued, and this finds nothing.
  const filled = await fillCodeHashes(store.db, config.secret);
  if (filled) console.log(`Gave ${filled} links their 测评码 (short code) hash.`);
  const running = await startServer(config, store);
  const db = store.db;
  console.log(`Pingyi listening on http://${config.host}:${config.port} (public address ${config.baseUrl}), data in ${describeStore(config)}`);
  if (!(await auditTrail(config.secret, systemClock).publishableHead(db))) {
    console.log('The audit log begins with rows written before it was keyed. Check them, then run once: npm run cli -- audit rekey');
  }
  if ((await countAdmins(db)) === 0) {
    const token = await issueSetupToken(db, systemClock);
    console.log(`No administrator yet. Create the first one within 24 hours at this one-time link:\n  ${config.baseUrl}/admin/setup/${token}`);
  }
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1); // asked twice: do not wait for the last mixing pass
    stopping = true;
    void running
      .stop()
      .then(() => store.destroy())
      .then(() => process.exit(0));
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
