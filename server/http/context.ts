import type { Context } from 'hono';
import type { AuditTrail } from '../audit/log.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import type { Lang, Translate } from '../i18n/catalogue.js';
import type { SurveyState } from '../survey/state.js';
import type { Assets } from './assets.js';

export interface AdminIdentity {
  id: string;
  username: string;
  sessionId: string;
  csrfToken: string;
}

/** What every handler can reach through `c.get(...)`: the app's dependencies and per-request facts. */
export interface AppVariables {
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
  survey: SurveyState;
}

export type AppEnv = { Variables: AppVariables };
export type Ctx = Context<AppEnv>;
