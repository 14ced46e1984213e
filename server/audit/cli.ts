import { CliError, type Command } from '../cli/command.js';
import { verifyAudit } from './log.js';

export const auditCommands: Record<string, Command> = {
  'audit verify': {
    usage: 'audit verify',
    summary: 'check the hash chain of the audit log; exit 1 at the first edited, inserted or deleted row',
    async run(ctx) {
      const verdict = await verifyAudit(ctx.db);
      if (!verdict.ok) throw new CliError(ctx.t('admin.audit.chainBroken', { seq: verdict.seq, problem: verdict.problem }));
      ctx.out(ctx.t('admin.audit.chainOk', { n: verdict.rows }));
    },
  },
};
