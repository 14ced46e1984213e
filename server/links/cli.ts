import { recordExport } from '../audit/log.js';
import { CliError, requiredFlag, writeExport, yearFlag, type Command } from '../cli/command.js';
import { findRound } from '../rounds/rounds.js';
import { encodeTable, formatOf } from '../sheets/write.js';
import { problemText } from '../validate.js';
import { fillCodeHashes } from './code-hashes.js';
import { smsList } from './sms.js';

export const linkCommands: Record<string, Command> = {
  'round sms': {
    usage: 'round sms --year Y --out FILE.csv|FILE.xlsx [--unused]',
    summary: 'the SMS list (CSV with BOM, or Excel for .xlsx): code,name,phone,text with each seat’s 测评码 address; --unused for reminders',
    flags: ['year', 'out'],
    switches: ['unused'],
    async run(ctx, args) {
      const y = yearFlag(args);
      const out = requiredFlag(args, 'out');
      const round = await findRound(ctx.db, y);
      if (!round) throw new CliError(ctx.t('rounds.error.notFound', { year: y }));
      if (!round.drawn_at) throw new CliError(ctx.t('rounds.error.notDrawn', { year: y }));
      // Links issued before codes existed get their code's hash now, so that every code sent out works.
      await fillCodeHashes(ctx.db, ctx.config.secret);
      const unusedOnly = args.flags.has('unused');
      const list = await smsList(ctx.db, round, ctx.config, { unusedOnly });
      if (!list.ok) throw new CliError(list.problems.map((p) => problemText(ctx.t, p)).join('\n'));
      const { table, count } = list.value;
      const bytes = await encodeTable(table, formatOf(out));
      await recordExport(ctx.db, ctx.audit, 'cli', 'sms', { year: y, rows: count, unused: unusedOnly }, () => writeExport(out, bytes));
      ctx.out(`${count} → ${out}`);
    },
  },
};
