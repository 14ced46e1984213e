import { createApp } from '../server/app.js';
import { createAdmin } from '../server/admin/accounts.js';
import { auditTrail } from '../server/audit/log.js';
import { fixedClock } from '../server/clock.js';
import type { Config } from '../server/config.js';
import type { Database } from '../server/db/schema.js';
import { openTestStore, type TestStoreOptions } from './db.js';

export const TEST_PASSWORD = 'correct horse battery';

export function testConfig(over: Partial<Config> = {}): Config {
  return {
    port: 3000,
    host: '127.0.0.1',
    dataDir: '/nonexistent',
    databaseUrl: null,
    databasePoolSize: 10,
    baseUrl: 'http://localhost',
    secret: 'test-secret-test-secret-test-secret-0123',
    minPool: 3000,
    timeZone: 'Asia/Shanghai',
    trustProxy: false,
    sessionIdleMinutes: 30,
    replyDays: 30,
    ...over,
  };
}

/** A fresh app on a fresh in-memory database, with a settable clock and captured log lines. */
export async function createTestApp(opts: { config?: Partial<Config>; now?: string; store?: TestStoreOptions } = {}) {
  const store = await openTestStore(opts.store);
  const db = store.db;
  const clock = fixedClock(opts.now ?? '2026-03-01T02:00:00Z');
  const config = testConfig(opts.config);
  const logs: string[] = [];
  const app = createApp({ store, config, clock, log: (l) => logs.push(l) });
  return { app, store, db, clock, audit: auditTrail(config.secret, clock), config, logs };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** Cookie jar for one simulated browser. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(readonly t: TestApp) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async get(path: string, headers: Record<string, string> = {}) {
    return this.keep(await this.t.app.request(path, { headers: { cookie: this.cookieHeader(), ...headers } }));
  }

  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.keep(
      await this.t.app.request(path, {
        method: 'POST',
        body: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...headers },
      }),
    );
  }

  /** Posts a form with one file in the field `file.name`, sent under the file name `file.fileName` (upload.csv). */
  async upload(path: string, fields: Record<string, string>, file: { name: string; bytes: Uint8Array | string; fileName?: string }) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set(file.name, new Blob([typeof file.bytes === 'string' ? file.bytes : new Uint8Array(file.bytes)]), file.fileName ?? 'upload.csv');
    return this.keep(await this.t.app.request(path, { method: 'POST', body: form, headers: { cookie: this.cookieHeader() } }));
  }

  /** Follows a 303 (Post/Redirect/Get) as a browser would; any other answer is returned as it is. */
  async follow(res: Response): Promise<Response> {
    const to = res.headers.get('location');
    return res.status === 303 && to ? this.get(to) : res;
  }

  /** The CSRF token of the current session, read from a console page as a browser would. */
  async csrf(): Promise<string> {
    const html = await (await this.get('/admin')).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m?.[1]) throw new Error('no CSRF token on /admin: not logged in?');
    return m[1];
  }
}

/** Creates an administrator and returns a browser logged in as them. */
export async function loggedIn(t: TestApp, username = 'admin'): Promise<Browser & { token: string }> {
  await createAdmin(t.db, t.audit, { username, password: TEST_PASSWORD, actor: 'test' });
  const b = new Browser(t);
  const res = await b.post('/admin/login', { username, password: TEST_PASSWORD });
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  const token = await b.csrf();
  return Object.assign(b, { token });
}

export async function countRows(db: Database, table: 'units' | 'representatives' | 'audit_log' | 'admins'): Promise<number> {
  const r = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
