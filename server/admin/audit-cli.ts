import { readFileSync } from 'node:fs';
import { CliError, type Command } from '../cli/command.js';
import { checkBody } from '../results/snapshot.js';
import { auditKey, publishedAuditHead, rekeyAudit, verifyAudit, type PublishedHead } from '../audit/log.js';

/** The chain heads stated by published results files an operator kept or downloaded (`/results/{year}.json`). */
function headsOfFiles(files: readonly string[]): PublishedHead[] {
  return files.map((file) => {
    let body: string;
    try {
      body = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new CliError(`${file}: cannot read it (${(e as Error).message})`);
    }
    if (!checkBody(body)) throw new CliError(`${file}: not a published results file, or changed since (its sha256 does not match)`);
    const audit = publishedAuditHead(body);
    if (!audit) throw new CliError(`${file}: states no audit chain head (published before heads were recorded)`);
    return { source: file, audit };
  });
}

export const auditCommands: Record<string, Command> = {
  'audit verify': {
    usage: 'audit verify [FILE.json ...]',
    moreArguments: true,
    summary: 'check the audit chain under the installation key, and the heads published with results (and in FILE.json); exit 1 at the first break',
    async run(ctx, args) {
      const files = headsOfFiles(args.positional);
      const verdict = await verifyAudit(ctx.db, auditKey(ctx.config.secret), files);
      if (!verdict.ok) throw new CliError(ctx.t('admin.audit.chainBroken', { seq: verdict.seq, problem: verdict.problem }));
      ctx.out(ctx.t('admin.audit.chainOk', { n: verdict.rows }));
      ctx.out(ctx.t('admin.audit.headsOk', { n: verdict.heads }));
    },
  },
  'audit rekey': {
    usage: 'audit rekey',
    summary: 'once, after upgrading: hash a chain begun before it was keyed again under the installation key',
    async run(ctx) {
      const done = await rekeyAudit(ctx.db, auditKey(ctx.config.secret), ctx.audit, 'cli');
      if (!done.ok) throw new CliError(ctx.t('admin.audit.chainBroken', { seq: done.seq, problem: done.problem }));
      ctx.out(ctx.t('admin.audit.rekeyed', { n: done.rows, unkeyed: done.unkeyed }));
    },
  },
};
