import { readFileSync } from 'node:fs';
import { CliError, type Command } from '../cli/command.js';
import { parseUnitsFile } from './import.js';
import { upsertUnits } from './units.js';

export const unitCommands: Record<string, Command> = {
  'units import': {
    usage: 'units import FILE.csv|FILE.xlsx',
    arguments: ['FILE'],
    summary: 'add or update units by code (columns code,name,category[,active]); CSV or Excel',
    async run(ctx, args) {
      const file = args.positional[0] as string;
      const parsed = await parseUnitsFile(readBytes(file), file, ctx.t);
      if (!parsed.ok) throw new CliError(parsed.problems.map((p) => ctx.t('csv.problem', { line: p.line, message: p.message })).join('\n'));
      const summary = await upsertUnits(ctx.db, ctx.audit, parsed.rows, 'cli');
      ctx.out(ctx.t('units.importDone', { ...summary }));
    },
  },
};

/** Reads a whole file, turning "no such file" into a message a person can act on. */
export function readBytes(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
