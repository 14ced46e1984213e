import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { CliError, type Command } from '../cli/command.js';
import { dialectOf } from './database.js';

export const backupCommands: Record<string, Command> = {
  backup: {
    usage: 'backup FILE',
    arguments: ['FILE'],
    summary: 'copy the live database into FILE (safe while the server runs)',
    async run(ctx, args) {
      if (dialectOf(ctx.db) !== 'sqlite') {
        throw new CliError('on PostgreSQL, back up with PostgreSQL\'s own tools: pg_dump --format=custom --file=FILE "$DATABASE_URL" (see the README)');
      }
      const file = args.positional[0] as string;
      const target = resolve(file);
      if (existsSync(target)) throw new CliError(`${target} already exists; choose a new file name`);
      // VACUUM INTO writes a consistent snapshot from one read transaction; writers are not blocked.
      await sql`vacuum into ${target}`.execute(ctx.db);
      ctx.out(`backup written to ${target}`);
    },
  },
};
