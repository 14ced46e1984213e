import { randomBytes } from 'node:crypto';
import { SqliteAdapter, type Kysely } from 'kysely';

// Frozen in time: never import app code here.

/**
 * What follows the ranking: liaisons (a second role of console account, bound to one unit), the comments handed to
 * the units and their replies, rectification items with their dated updates, and the measures taken.
 *
 * A handed comment is a row of its own with a random id and no reference to its ballot, so that two comments of one
 * ballot cannot be matched by id. On SQLite the id is the INTEGER PRIMARY KEY (the rowid itself, as for ballots), and
 * rows are inserted in id order on both databases, so neither the key nor the place of a row says anything about
 * the ballot it came from. Rounds already closed get their comments here; later rounds get them when they close.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isSqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .alterTable('admins')
    .addColumn('role', 'varchar(16)', (c) => c.notNull().defaultTo('admin'))
    .execute();
  await db.schema.alterTable('admins').addColumn('unit_code', 'varchar(32)').execute();
  await db.schema
    .alterTable('admins')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('unit_comments')
    .addColumn('id', isSqlite ? 'integer' : 'bigint', (c) => c.primaryKey())
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('unit_code', 'varchar(32)', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    // pending (not yet screened), released (to its unit) or withheld (with a reason, never shown to the unit).
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('screened_at', 'varchar(32)')
    .addColumn('due_on', 'varchar(10)')
    .addColumn('reply', 'text')
    .addColumn('replied_at', 'varchar(32)')
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('unit_comments_round_unit').on('unit_comments').columns(['round_id', 'unit_code']).execute();

  await db.schema
    .createTable('rectification_items')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('unit_code', 'varchar(32)', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('problem', 'text', (c) => c.notNull())
    .addColumn('measure', 'text', (c) => c.notNull())
    .addColumn('deadline', 'varchar(10)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('rectification_items_position', ['round_id', 'unit_code', 'position'])
    .execute();

  await db.schema
    .createTable('rectification_updates')
    .addColumn('item_id', 'varchar(36)', (c) => c.notNull().references('rectification_items.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('date', 'varchar(10)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('rectification_updates_pk', ['item_id', 'seq'])
    .execute();

  await db.schema
    .createTable('measures')
    .addColumn('round_id', 'varchar(36)', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('unit_code', 'varchar(32)', (c) => c.notNull())
    .addColumn('measure', 'text', (c) => c.notNull())
    .addColumn('decided_on', 'varchar(10)', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('measures_pk', ['round_id', 'unit_code'])
    .execute();

  await handOverClosedRounds(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['measures', 'rectification_updates', 'rectification_items', 'unit_comments']) await db.schema.dropTable(t).execute();
  for (const column of ['active', 'unit_code', 'role']) await db.schema.alterTable('admins').dropColumn(column).execute();
}

/** Every unit comment of the rounds closed so far, as rows of their own under fresh random ids, in id order. */
async function handOverClosedRounds(db: Kysely<any>): Promise<void> {
  const rounds = await db.selectFrom('rounds').select('id').where('status', 'in', ['closed', 'published']).execute();
  const ids = new Set<number>();
  for (const { id: roundId } of rounds) {
    const ballots = await db.selectFrom('ballots').select('comments').where('round_id', '=', roundId).execute();
    const rows: { id: number; round_id: string; unit_code: string; text: string; status: string }[] = [];
    for (const b of ballots) {
      for (const [unit, text] of Object.entries(JSON.parse(b.comments as string) as Record<string, string>)) {
        let id = randomInteger();
        while (ids.has(id)) id = randomInteger();
        ids.add(id);
        rows.push({ id, round_id: roundId as string, unit_code: unit, text, status: 'pending' });
      }
    }
    rows.sort((a, b) => a.id - b.id);
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto('unit_comments')
        .values(rows.slice(i, i + 500))
        .execute();
  }
}

function randomInteger(): number {
  const b = randomBytes(7);
  return (b[0]! & 0x1f) * 2 ** 48 + b.readUIntBE(1, 6) || 1;
}
