import { CliError, type Command } from '../cli/command.js';
import { readBytes } from '../units/cli.js';
import type { DrawRecord } from './record.js';
import { verifyDrawRecord } from './verify.js';

export const drawCommands: Record<string, Command> = {
  'verify-draw': {
    usage: 'verify-draw FILE.json',
    arguments: ['FILE.json'],
    summary: 'recompute a published draw from its file alone; exit 0 only if it matches',
    noDatabase: true,
    async run(ctx, args) {
      const file = args.positional[0] as string;
      let record: DrawRecord;
      try {
        record = JSON.parse(new TextDecoder().decode(readBytes(file))) as DrawRecord;
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError(`${file} is not a JSON file: ${(e as Error).message}`);
      }
      if (typeof record !== 'object' || record === null || record.algorithm !== 'pingyi-draw-v1') {
        throw new CliError(`${file} is not a pingyi-draw-v1 record (algorithm: ${(record as { algorithm?: unknown })?.algorithm ?? 'missing'})`);
      }
      const verdict = verifyDrawRecord(record);
      if (!verdict.ok) throw new CliError(`MISMATCH — ${verdict.difference}`);
      ctx.out(`OK — ${record.year}: ${verdict.checked.join(', ')} match${record.publicRandom === null ? ' (frozen, not drawn yet)' : ''}`);
    },
  },
};
