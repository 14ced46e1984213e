import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import type { Database } from './schema.js';

/**
 * Writes a consistent copy of a live SQLite database to a new file; resolves to its absolute path. VACUUM INTO
 * writes the snapshot of one read transaction, so writers are not blocked, and (like mixing) it writes every table in
 * key order, so the copy says nothing about the order ballots came in.
 */
export async function backupSqlite(db: Database, file: string): Promise<string> {
  const target = resolve(file);
  if (existsSync(target)) throw new Error(`${target} already exists; choose a new file name`);
  await sql`vacuum into ${target}`.execute(db);
  return target;
}
