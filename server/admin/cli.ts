import { CliError, type Command } from '../cli/command.js';
import { createAdmin } from './accounts.js';

export const adminCommands: Record<string, Command> = {
  'admin add': {
    usage: 'admin add NAME',
    arguments: ['NAME'],
    summary: 'create an administrator (password from PASSWORD or a prompt)',
    async run(ctx, args) {
      const username = args.positional[0] as string;
      let password = ctx.env.PASSWORD;
      if (password === undefined) {
        password = await ctx.askSecret(`${ctx.t('admin.login.password')}: `);
        if (password === undefined) throw new CliError('no terminal to ask for a password: set the PASSWORD environment variable');
        const again = await ctx.askSecret(`${ctx.t('admin.setup.confirm')}: `);
        if (again !== password) throw new CliError(ctx.t('admin.error.passwordMismatch'));
      }
      const result = await createAdmin(ctx.db, ctx.audit, { username, password, actor: 'cli' });
      if (!result.ok) throw new CliError(result.problems.map((k) => ctx.t(k)).join('\n'));
      ctx.out(`administrator ${username.trim()} created; log in at ${ctx.config.baseUrl}/admin/login`);
    },
  },
};
