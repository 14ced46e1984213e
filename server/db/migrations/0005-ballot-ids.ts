import { randomBytes, randomUUID } from 'node:crypto';
import { sql, SqliteAdapter, type Kysely } from 'kysely';

// Frozen in time: never import app code here.

/**
 * Ballot ids become random integers (1 to 2^53 − 1) instead of random UUIDs. Anonymity is unchanged: the id is
 * still random and still the table's key, and ballots still carry nothing else but the round, the receipt and
 * the answers. On SQLite the id is now the INTEGER PRIMARY KEY, which is the rowid itself: rows are stored in the
 * order of their random id and there is no other, hidden counter. The WITHOUT ROWID table of 0003 stored whole
 * ballots (about 1 KB each) in its interior pages too, a few per page, so every insert walked and split a deep
 * tree; an ordinary table's interior pages hold ids only. Existing ballots get new random ids.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isSqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await rebuild(
    db,
    'ballots_old',
    () =>
      db.schema
        .createTable('ballots')
        // SQLite makes a column the rowid only when its type is exactly INTEGER.
        .addColumn('id', isSqlite ? 'integer' : 'bigint', (c) => c.primaryKey())
        .$call(rest)
        .execute(),
    randomInteger,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  const isSqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await rebuild(
    db,
    'ballots_new',
    () =>
      db.schema
        .createTable('ballots')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .$call(rest)
        .$call((b) => (isSqlite ? b.modifyEnd(sql`without rowid`) : b))
        .execute(),
    () => randomUUID(),
  );
}

/** The columns besides the id, as in 0003. */
function rest<T extends { addColumn: any }>(b: T): T {
  return b
    .addColumn('round_id', 'varchar(36)', (c: any) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('receipt', 'varchar(16)', (c: any) => c.notNull())
    .addColumn('answers', 'text', (c: any) => c.notNull())
    .addColumn('comments', 'text', (c: any) => c.notNull())
    .addColumn('comment', 'text')
    .addUniqueConstraint('ballots_receipt', ['round_id', 'receipt']);
}

/** Moves `ballots` aside, creates the new table, copies every ballot under a fresh id, drops the old table. */
async function rebuild(db: Kysely<any>, aside: string, create: () => Promise<void>, newId: () => number | string): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
    // PostgreSQL names constraints per schema; the new table takes the old names.
    await sql`alter table ballots rename constraint ballots_pkey to ${sql.raw(`${aside}_pkey`)}`.execute(db);
    await sql`alter table ballots rename constraint ballots_receipt to ${sql.raw(`${aside}_receipt`)}`.execute(db);
    await sql`alter table ballots rename constraint ballots_round_id_fkey to ${sql.raw(`${aside}_round_id_fkey`)}`.execute(db);
  }
  await db.schema.alterTable('ballots').renameTo(aside).execute();
  await create();
  const rows = await db.selectFrom(aside).select(['round_id', 'receipt', 'answers', 'comments', 'comment']).execute();
  const ids = new Set<number | string>();
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => {
      let id = newId();
      while (ids.has(id)) id = newId();
      ids.add(id);
      return { id, ...r };
    });
    await db.insertInto('ballots').values(chunk).execute();
  }
  await db.schema.dropTable(aside).execute();
}

function randomInteger(): number {
  const b = randomBytes(7);
  return (b[0]! & 0x1f) * 2 ** 48 + b.readUIntBE(1, 6) || 1;
}
