import { CliError, flagText, type CliContext, type Command } from '../cli/command.js';
import { createAdmin } from './accounts.js';
import { createLiaison } from './liaisons.js';

/** The new account's password: from PASSWORD, or asked twice on the terminal. */
async function newPassword(ctx: CliContext): Promise<string> {
  const password = ctx.env.PASSWORD;
  if (password !== undefined) return password;
  const first = await ctx.askSecret(`${ctx.t('admin.login.password')}: `);
  if (first === undefined) throw new CliError('no terminal to ask for a password: set the PASSWORD environment variable');
  const again = await ctx.askSecret(`${ctx.t('admin.setup.confirm')}: `);
  if (again !== first) throw new CliError(ctx.t('admin.error.passwordMismatch'));
  return first;
}

export const adminCommands: Record<string, Command> = {
  'admin add': {
    usage: 'admin add NAME',
    arguments: ['NAME'],
    summary: 'create an administrator (password from PASSWORD or a prompt)',
    async run(ctx, args) {
      const username = args.positional[0] as string;
      const password = await newPassword(ctx);
      const result = await createAdmin(ctx.db, ctx.audit, { username, password, actor: 'cli' });
      if (!result.ok) throw new CliError(result.problems.map((k) => ctx.t(k)).join('\n'));
      ctx.out(`administrator ${username.trim()} created; log in at ${ctx.config.baseUrl}/admin/login`);
    },
  },
  'liaison add': {
    usage: 'liaison add NAME --unit CODE',
    arguments: ['NAME'],
    flags: ['unit'],
    summary: "create a unit's liaison, who reaches only that unit's page (password from PASSWORD or a prompt)",
    async run(ctx, args) {
      const username = args.positional[0] as string;
      const unit = flagText(args, 'unit');
      if (!unit) throw new CliError('--unit CODE is required');
      // The unit is checked before a password is asked for.
      if (!(await ctx.db.selectFrom('units').select('code').where('code', '=', unit).executeTakeFirst())) throw new CliError(ctx.t('liaisons.error.unit'));
      const password = await newPassword(ctx);
      const result = await createLiaison(ctx.db, ctx.audit, { username, password, unit, actor: 'cli' });
      if (!result.ok) throw new CliError(result.problems.map((p) => ctx.t(p.key)).join('\n'));
      ctx.out(`liaison ${username.trim()} of unit ${unit} created; log in at ${ctx.config.baseUrl}/admin/login`);
    },
  },
};
