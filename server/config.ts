import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Everything the app needs to know about its installation; validated once, then passed down. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL connection string (DATABASE_URL); null means SQLite in DATA_DIR. */
  databaseUrl: string | null;
  /** PostgreSQL connections per server process at most (DATABASE_POOL_SIZE). */
  databasePoolSize: number;
  baseUrl: string;
  secret: string;
  minPool: number;
  timeZone: string;
  /** Take the client address from X-Forwarded-For (only behind a reverse proxy you control). */
  trustProxy: boolean;
  /** Minutes of inactivity after which an administrator's session ends. */
  sessionIdleMinutes: number;
  /** Days a unit has to reply to a comment released to it (the due date is fixed at release). */
  replyDays: number;
}

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration error:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** True when the name is an IANA time zone this Node.js knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function intVar(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return Number(raw);
}

/**
 * Reads and validates the configuration from environment variables. The secret is not read here:
 * see `resolveSecret`, which may touch the data directory.
 */
export function parseConfig(env: Env): Omit<Config, 'secret'> & { secret: string | undefined } {
  const problems: string[] = [];
  const port = intVar(env, 'PORT', 3000, 0, 65535, problems);
  const host = env.HOST?.trim() || '127.0.0.1';
  const dataDir = resolve(env.DATA_DIR?.trim() || './data');
  const minPool = intVar(env, 'MIN_POOL', 3000, 1, 10_000_000, problems);
  const sessionIdleMinutes = intVar(env, 'SESSION_IDLE_MINUTES', 30, 1, 24 * 60, problems);
  const replyDays = intVar(env, 'REPLY_DAYS', 30, 1, 365, problems);
  const timeZone = env.TZ?.trim() || 'Asia/Shanghai';
  if (!isTimeZone(timeZone)) problems.push(`TZ must be an IANA time zone such as Asia/Shanghai (got "${timeZone}")`);
  let baseUrl = env.BASE_URL?.trim() || `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    if (u.search || u.hash) throw new Error('query');
    baseUrl = u.toString().replace(/\/+$/, '');
  } catch {
    problems.push(`BASE_URL must be an http(s) address without query, such as https://pingyi.example.gov.cn (got "${baseUrl}")`);
  }
  const trustRaw = (env.TRUST_PROXY ?? '').trim().toLowerCase();
  if (!['', '0', '1', 'true', 'false'].includes(trustRaw)) problems.push(`TRUST_PROXY must be 1 or 0 (got "${env.TRUST_PROXY}")`);
  const secret = env.SECRET === undefined || env.SECRET === '' ? undefined : env.SECRET;
  if (secret !== undefined && secret.length < 32) problems.push('SECRET must be at least 32 characters long');
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  // A ballot holds a connection for one round trip, so a few per core keep the database busy without queueing in it.
  const databasePoolSize = intVar(env, 'DATABASE_POOL_SIZE', 10, 1, 500, problems);
  if (databaseUrl !== null) {
    if (!/^postgres(ql)?:\/\/./.test(databaseUrl))
      problems.push('DATABASE_URL must be a PostgreSQL connection string such as postgres://pingyi:password@db.example/pingyi');
    // Every application server must derive the same survey links, so the secret cannot be made up per machine.
    if (secret === undefined) problems.push('SECRET must be set when DATABASE_URL is: every application server on the database needs the same one');
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    port,
    host,
    dataDir,
    databaseUrl,
    databasePoolSize,
    baseUrl,
    secret,
    minPool,
    timeZone,
    trustProxy: trustRaw === '1' || trustRaw === 'true',
    sessionIdleMinutes,
    replyDays,
  };
}

/**
 * The secret from which survey link tokens are derived. When SECRET is unset it is generated once into
 * DATA_DIR/secret (mode 0600) and read from there on every later start, so links stay valid across restarts.
 */
export function resolveSecret(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv !== undefined) return fromEnv;
  const file = join(dataDir, 'secret');
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value.length < 32) throw new ConfigError([`${file} holds a secret shorter than 32 characters`]);
    return value;
  }
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(32).toString('hex');
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return value;
}

/** Full configuration from the environment: the one call entry points make. */
export function loadConfig(env: Env): Config {
  const parsed = parseConfig(env);
  return { ...parsed, secret: resolveSecret(parsed.dataDir, parsed.secret) };
}
