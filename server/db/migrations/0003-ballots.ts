import { sql, SqliteAdapter, type Kysely } from 'kysely';

// Frozen in time: never import app code here.

/**
 * Ballots are anonymous by construction: no representative, no token or token hash, no date or time. The id and
 * the receipt are random, and on SQLite the tables are WITHOUT ROWID, so rows are stored in the order of their
 * random id and the file's layout says nothing about when a ballot came. Answers live in the ballot row (one
 * JSON object), so casting a ballot is one insert.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isSqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('ballots')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('receipt', 'varchar(16)', (c) => c.notNull())
    // {unitCode: "satisfied" | "basic" | "dissatisfied" | "unknown" | 0..100}
    .addColumn('answers', 'text', (c) => c.notNull())
    // {unitCode: "comment"}: only units that got one
    .addColumn('comments', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addUniqueConstraint('ballots_receipt', ['round_id', 'receipt'])
    .$call((b) => (isSqlite ? b.modifyEnd(sql`without rowid`) : b))
    .execute();
  // (round_id, receipt) is unique and indexed, which also serves every lookup by round.
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ballots').execute();
}
