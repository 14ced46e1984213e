import type { Generated, Kysely, Transaction } from 'kysely';

/*
 * Table types. Portable on purpose: times are ISO-8601 UTC text, booleans are 0/1 integers, ids are made
 * by the app. The same queries run on SQLite and PostgreSQL.
 */

export interface AdminTable {
  id: string;
  username: string;
  password_hash: string;
  created_at: string;
}

export interface AdminSessionTable {
  /** SHA-256 of the cookie value: a stolen database holds no usable session. */
  id: string;
  admin_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
}

export interface SetupTokenTable {
  /** SHA-256 of the one-time token. */
  id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface LoginFailureTable {
  id: string;
  username: string;
  address: string;
  at: string;
}

export interface CategoryTable {
  name: string;
  position: number;
}

export interface UnitTable {
  id: string;
  code: string;
  name: string;
  category: string;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface RepresentativeTable {
  id: string;
  code: string;
  name: string;
  stratum: string;
  district: string | null;
  phone: string | null;
  email: string | null;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

export interface DB {
  admins: AdminTable;
  admin_sessions: AdminSessionTable;
  setup_tokens: SetupTokenTable;
  login_failures: LoginFailureTable;
  categories: CategoryTable;
  units: UnitTable;
  representatives: RepresentativeTable;
  audit_log: AuditLogTable;
}

/** Query functions take this first, so they run inside or outside a transaction alike. */
export type Executor = Kysely<DB> | Transaction<DB>;
export type Database = Kysely<DB>;

// Kept so that Generated stays available to later tables without an unused-import dance.
export type { Generated };
