import type { Context } from 'hono';
import type { AuditTrail } from '../audit/log.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import type { Store } from '../db/store.js';
import type { Lang, Translate } from '../i18n/catalogue.js';
import type { Assets } from './assets.js';

/** Who is signed in to the console: an administrator, or a liaison bound to one unit (`unit`). */
export interface AdminIdentity {
  id: string;
  username: string;
  sessionId: string;
  csrfToken: string;
  role: 'admin' | 'liaison';
  /** The liaison's unit code; null for an administrator. */
  unit: string | null;
}

/**
 * What every handler can reach through `c.get(...)`: the app's dependencies and per-request facts. A capability
 * that keeps state of its own in a server adds it in an environment of its own (survey/state.ts, results/public-cache.ts).
 */
export interface AppVariables {
  /** The hot path's store (db/store.ts); `db` is its Kysely, for everything else. */
  store: Store;
  db: Database;
  config: Config;
  clock: Clock;
  /** Where administrators' actions are recorded (keyed with the installation's secret). */
  audit: AuditTrail;
  assets: Assets;
  requestId: string;
  lang: Lang;
  t: Translate;
  largeText: boolean;
  admin: AdminIdentity | undefined;
}

export type AppEnv = { Variables: AppVariables };
export type Ctx = Context<AppEnv>;
