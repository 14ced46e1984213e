import { CliError, flagText, type Command } from '../cli/command.js';
import { problemText } from '../validate.js';
import { publishResults } from './publish.js';

export const resultsCommands: Record<string, Command> = {
  'round publish': {
    usage: 'round publish --year Y [--note TEXT]',
    summary: 'freeze the results of a closed round into a published snapshot (a note is required for a correction)',
    flags: ['year', 'note'],
    async run(ctx, args) {
      const y = flagText(args, 'year');
      if (!y || !/^\d{4}$/.test(y)) throw new CliError('--year YYYY is required');
      const r = await publishResults(ctx.db, ctx.audit, { year: Number(y), note: flagText(args, 'note') ?? '' }, 'cli');
      if (!r.ok) throw new CliError(r.problems.map((p) => problemText(ctx.t, p)).join('\n'));
      ctx.out(ctx.t('results.published', { year: y, version: r.value.version, sha: r.value.sha256 }));
    },
  },
};
