import { backupSqlite } from '../db/backup.js';
import { copyDatabase, CopyRefused, unknownTables } from '../db/copy.js';
import { DatabaseSetupError, migrateToLatest } from '../db/database.js';
import { openPostgres } from '../db/postgres-store.js';
import { CliError, type Command } from './command.js';

/** Commands about the database as a whole: a backup, and the move from SQLite to PostgreSQL. */
export const databaseCommands: Record<string, Command> = {
  backup: {
    usage: 'backup FILE',
    arguments: ['FILE'],
    summary: 'copy the live database into FILE (safe while the server runs)',
    async run(ctx, args) {
      if (ctx.store.dialect !== 'sqlite') {
        throw new CliError('on PostgreSQL, back up with PostgreSQL\'s own tools: pg_dump --format=custom --file=FILE "$DATABASE_URL" (see the README)');
      }
      try {
        ctx.out(`backup written to ${await backupSqlite(ctx.db, args.positional[0] as string)}`);
      } catch (e) {
        throw new CliError(e instanceof Error ? e.message : String(e));
      }
    },
  },
  'migrate-to-postgres': {
    usage: 'migrate-to-postgres POSTGRES_URL',
    arguments: ['POSTGRES_URL'],
    summary: 'copy everything from this SQLite installation into an empty PostgreSQL database and check the counts',
    async run(ctx, args) {
      const url = args.positional[0] as string;
      if (!/^postgres(ql)?:\/\/./.test(url))
        throw new CliError(`not a PostgreSQL connection string: it should look like postgres://user:password@host/database`);
      if (ctx.store.dialect !== 'sqlite')
        throw new CliError(
          'this installation already runs on PostgreSQL (DATABASE_URL is set); run the command with DATA_DIR pointing at the SQLite installation instead',
        );
      const extra = await unknownTables(ctx.db);
      if (extra.length) throw new CliError(`the database holds tables this version does not know (${extra.join(', ')}); use the Pingyi version that made it`);
      const target = openPostgres(url, { max: 2 });
      try {
        try {
          await migrateToLatest(target);
        } catch (e) {
          throw new CliError(
            e instanceof DatabaseSetupError ? e.message : `cannot prepare the PostgreSQL database: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
        const copied = await copyDatabase(ctx.db, target).catch((e: unknown) => {
          throw e instanceof CopyRefused ? new CliError(e.message) : e;
        });
        const width = Math.max(...copied.map((c) => c.table.length));
        for (const { table, rows } of copied) ctx.out(`${table.padEnd(width)}  ${rows}`);
        const where = new URL(url);
        ctx.out(`copied ${copied.reduce((s, c) => s + c.rows, 0)} rows into PostgreSQL ${where.host}${where.pathname}; the counts match.`);
        ctx.out(
          `Next: start every server with DATABASE_URL set to that database and SECRET set to the contents of ${ctx.config.dataDir}/secret (the links already sent out depend on it).`,
        );
      } finally {
        await target.destroy();
      }
    },
  },
};
