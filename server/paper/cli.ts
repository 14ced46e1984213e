import { CliError, requiredFlag, yearFlag, type CliContext, type Command } from '../cli/command.js';
import type { Round } from '../rounds/rounds.js';
import { problemText } from '../validate.js';
import { reconcile, reconciliationTotal } from './entry.js';
import { FEW_PAPER_SEATS, setPaperSeat } from './seats.js';

export const paperCommands: Record<string, Command> = {
  'round paper': {
    usage: 'round paper --year Y --code C [--undo]',
    summary: "puts a drawn representative's seat on paper (their link stops working online); --undo puts it back online",
    flags: ['year', 'code'],
    switches: ['undo'],
    async run(ctx, args) {
      const year = yearFlag(args);
      const code = requiredFlag(args, 'code').trim();
      const paper = !args.flags.has('undo');
      const outcome = await setPaperSeat(ctx.db, ctx.audit, { year, code, paper }, 'cli');
      if (!outcome.ok) throw new CliError(outcome.problems.map((p) => problemText(ctx.t, p)).join('\n'));
      const v = outcome.value;
      ctx.out(ctx.t(paper ? 'paper.marked' : 'paper.unmarked', { code: v.code, stratum: v.stratum, n: v.paperSeats }));
      if (paper && v.paperSeats < FEW_PAPER_SEATS) ctx.out(ctx.t('paper.fewSeats', { strata: v.stratum, min: FEW_PAPER_SEATS }));
    },
  },
};

/** The paper ballots' reconciliation, for `round status`: nothing when the round has no paper seat or serial. */
export async function paperStatusLines(ctx: CliContext, round: Round): Promise<string[]> {
  const rows = await reconcile(ctx.db, round.id);
  if (!rows.length) return [];
  const line = (label: string, r: Omit<(typeof rows)[number], 'stratum'>) =>
    `  ${label}: ${ctx.t('paper.statusLine', { seats: r.paperSeats, issued: r.issued, returned: r.returned, entered: r.entered, disputed: r.disputed })}`;
  return [`${ctx.t('paper.title')}:`, line(ctx.t('common.total'), reconciliationTotal(rows)), ...rows.map((r) => line(r.stratum, r))];
}
