import type { Generated, Kysely, Transaction } from 'kysely';

/*
 * Table types. Portable on purpose: times are ISO-8601 UTC text, booleans are 0/1 integers, ids are made
 * by the app. The same queries run on SQLite and PostgreSQL.
 */

export type AccountRole = 'admin' | 'liaison';

/** A console account: an administrator of the evaluation office, or a unit's liaison (bound to `unit_code`). */
export interface AdminTable {
  id: string;
  username: string;
  password_hash: string;
  created_at: string;
  role: AccountRole;
  /** The unit a liaison answers for; null for an administrator. */
  unit_code: string | null;
  /** 0: disabled, cannot log in. */
  active: number;
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

/** An attempt counted by the login and setup-link limits (see server/admin/login-limit.ts). */
export interface LoginFailureTable {
  id: string;
  kind: 'login' | 'setup';
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

export type RoundStatus = 'draft' | 'frozen' | 'drawn' | 'open' | 'closed' | 'published';

export interface RoundTable {
  id: string;
  year: number;
  title: string;
  sample_size: number;
  scale: 'satisfaction4' | 'score100';
  /** satisfaction4 points as "100,70,30". */
  points: string;
  stratify: number;
  bottom_scope: 'overall' | 'category';
  min_valid: number;
  /** ISO-8601 with offset, as entered. */
  opens_at: string;
  closes_at: string;
  status: RoundStatus;
  frozen_at: string | null;
  pool_hash: string | null;
  public_random: string | null;
  public_random_source: string | null;
  seed: string | null;
  drawn_at: string | null;
  opened_at: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  /** The ballot design (rounds/design.ts), JSON; null where it is the default. */
  indicators: string | null;
  strata_weights: string | null;
  reasons: string | null;
}

export interface RoundPoolTable {
  round_id: string;
  code: string;
  stratum: string;
  district: string | null;
  representative_id: string;
}

export interface RoundUnitTable {
  round_id: string;
  code: string;
  name: string;
  category: string;
  category_position: number;
}

export interface RoundDrawTable {
  round_id: string;
  code: string;
  stratum: string;
  kind: 'sample' | 'reserve';
  /** Order in the sample (overall) or in the stratum's reserve list. */
  position: number;
}

export interface RoundAllocationTable {
  round_id: string;
  stratum: string;
  pool_count: number;
  seats: number;
}

export interface RoundReplacementTable {
  round_id: string;
  seq: number;
  out_code: string;
  in_code: string;
  reason: string;
  /** YYYY-MM-DD in the city's time zone. */
  date: string;
}

export interface RoundLinkTable {
  round_id: string;
  code: string;
  generation: number;
  token_hash: string;
  /** SHA-256 of the seat's 测评码; null only for links issued before codes, until the application fills it. */
  code_hash: string | null;
  active: number;
  /** YYYY-MM-DD in the city's time zone: all that is kept about when a ballot came. */
  used_on: string | null;
  issued_at: string;
  /** 1: the seat answers on paper (server/paper/), and its link takes no ballot online. */
  paper: Generated<number>;
}

/**
 * An anonymous ballot: nothing in it points to a person, a link or a moment. On PostgreSQL `ballots` is a view of
 * the mixed ballots and the inbox that ballots are inserted into (migration 0013, postgres-mixing.ts).
 */
export interface BallotTable {
  /** Random, 1 to 2^53 − 1; on SQLite the rowid itself. */
  id: number;
  round_id: string;
  receipt: string;
  answers: string;
  comments: string;
  comment: string | null;
  /** The stratum of the seat it was cast on; null for ballots cast before ballots recorded it. */
  stratum: string | null;
  /** {unitCode: [1-based reason index]} for the units with a reason ticked; null when none. */
  reasons: string | null;
}

/** One published version of a round's results; never updated, never deleted. */
export interface PublishedResultTable {
  round_id: string;
  version: number;
  published_at: string;
  note: string | null;
  body: string;
  sha256: string;
}

/** Always empty: PostgreSQL's mixing recorded here the tables it had still to compact, before it used an inbox (0013). */
export interface MixingPendingTable {
  table_name: string;
}

export type CommentStatus = 'pending' | 'released' | 'withheld';

/**
 * A representative's comment on one unit, handed over after the round closed: a random id, no reference to its
 * ballot, and rows written in id order, so two comments of one ballot cannot be matched.
 */
export interface UnitCommentTable {
  /** Random, 1 to 2^53 − 1; on SQLite the rowid itself. */
  id: number;
  round_id: string;
  unit_code: string;
  text: string;
  status: CommentStatus;
  /** Why it was withheld (administrators only). */
  reason: string | null;
  screened_at: string | null;
  /** YYYY-MM-DD in the city's time zone: the reply is due by then (set when released). */
  due_on: string | null;
  reply: string | null;
  replied_at: string | null;
  /** 1 once an administrator made the comment and its reply public. */
  public: number;
}

export type ItemStatus = 'planned' | 'in_progress' | 'done';

/** One item of a unit's rectification plan for a year; never edited once written, only updated. */
export interface RectificationItemTable {
  id: string;
  round_id: string;
  unit_code: string;
  /** Order within the unit's plan: 1, 2, … */
  position: number;
  problem: string;
  measure: string;
  /** YYYY-MM-DD. */
  deadline: string;
  created_at: string;
}

/** A dated progress update of an item; the latest one's status is the item's. */
export interface RectificationUpdateTable {
  item_id: string;
  seq: number;
  /** YYYY-MM-DD in the city's time zone, the day it was written. */
  date: string;
  status: ItemStatus;
  note: string;
  created_at: string;
}

/** The organisational measure taken for a unit in the bottom three two years running (one per unit and year). */
export interface MeasureTable {
  round_id: string;
  unit_code: string;
  measure: string;
  /** YYYY-MM-DD. */
  decided_on: string;
  note: string;
  recorded_at: string;
}

/** A paper ballot's serial, issued in a batch of one stratum; nothing records who received it. */
export interface PaperSerialTable {
  round_id: string;
  serial: string;
  stratum: string;
  /** 1, 2, … within the round: the printing it belongs to, so a batch can be printed again. */
  batch: number;
}

/** One administrator's typing of a returned paper ballot, kept only until two agree (then deleted). */
export interface PaperEntryTable {
  round_id: string;
  serial: string;
  /** Who typed it (not who answered it): the second entry must be someone else's. */
  admin_id: string;
  /** The answers as an online ballot stores them. */
  answers: string;
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
  rounds: RoundTable;
  round_pool: RoundPoolTable;
  round_units: RoundUnitTable;
  round_draw: RoundDrawTable;
  round_allocation: RoundAllocationTable;
  round_replacements: RoundReplacementTable;
  round_links: RoundLinkTable;
  ballots: BallotTable;
  published_results: PublishedResultTable;
  mixing_pending: MixingPendingTable;
  unit_comments: UnitCommentTable;
  rectification_items: RectificationItemTable;
  rectification_updates: RectificationUpdateTable;
  measures: MeasureTable;
  paper_serials: PaperSerialTable;
  paper_entries: PaperEntryTable;
}

/** Query functions take this first, so they run inside or outside a transaction alike. */
export type Executor = Kysely<DB> | Transaction<DB>;
export type Database = Kysely<DB>;
