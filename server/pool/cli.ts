import { recordExport } from '../audit/log.js';
import { CliError, writeExport, type Command } from '../cli/command.js';
import { readBytes } from '../units/cli.js';
import { encodeTable, formatOf } from '../sheets/write.js';
import { parsePoolFile, poolTable } from './csv.js';
import { allRepresentatives, upsertRepresentatives } from './representatives.js';

export const poolCommands: Record<string, Command> = {
  'pool import': {
    usage: 'pool import FILE.csv|FILE.xlsx [--deactivate-missing]',
    arguments: ['FILE'],
    summary: 'add or update representatives by code; all or nothing; CSV or Excel',
    switches: ['deactivate-missing'],
    async run(ctx, args) {
      const file = args.positional[0] as string;
      const parsed = await parsePoolFile(readBytes(file), file, ctx.t);
      if (!parsed.ok) {
        const lines = parsed.problems.map((p) => `  ${ctx.t('csv.problem', { line: p.line, message: p.message })}`);
        throw new CliError([ctx.t('pool.importFailed', { n: lines.length }), ...lines].join('\n'));
      }
      const summary = await upsertRepresentatives(ctx.db, ctx.audit, parsed.rows, { actor: 'cli', deactivateMissing: args.flags.has('deactivate-missing') });
      ctx.out(ctx.t('pool.importDone', { ...summary, encoding: parsed.encoding }));
    },
  },
  'pool export': {
    usage: 'pool export FILE.csv|FILE.xlsx',
    arguments: ['FILE'],
    summary: 'write the whole pool as CSV (UTF-8 with BOM) or, for a .xlsx name, Excel; personal data included',
    async run(ctx, args) {
      const file = args.positional[0] as string;
      const reps = await allRepresentatives(ctx.db);
      const bytes = await encodeTable(poolTable(reps), formatOf(file));
      await recordExport(ctx.db, ctx.audit, 'cli', 'pool', { rows: reps.length }, () => writeExport(file, bytes));
      ctx.out(`${reps.length} → ${file}`);
    },
  },
};
