/*
 * `npm run cli -- <command>`: every command reads DATA_DIR, prints a clear error and exits non-zero on failure,
 * and changes nothing when it fails.
 */
import { createInterface } from 'node:readline';
import { auditTrail } from '../server/audit/log.js';
import { systemClock } from '../server/clock.js';
import { CliError, parseArgs } from '../server/cli/command.js';
import { commands, findCommand } from '../server/cli/commands.js';
import { ConfigError, loadConfig } from '../server/config.js';
import { translator } from '../server/i18n/catalogue.js';
import { DatabaseSetupError, openStore } from '../server/db/database.js';

function usage(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.length));
  return ['usage: npm run cli -- <command>', '', ...Object.values(commands).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`)].join('\n');
}

function askSecret(prompt: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return Promise.resolve(undefined);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const internal = rl as unknown as { _writeToOutput: (s: string) => void };
  let prompted = false;
  internal._writeToOutput = (s) => {
    if (!prompted) process.stdout.write(s);
    prompted = true;
  };
  return new Promise((resolve) =>
    rl.question(prompt, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    }),
  );
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help') {
    console.log(usage());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    console.error(`unknown command: ${argv.join(' ')}\n\n${usage()}`);
    return 2;
  }
  const switches = found.command.switches ?? [];
  const args = parseArgs(found.rest, switches);
  const unknown = [...args.flags.keys()].filter((f) => !(found.command.flags ?? []).includes(f) && !switches.includes(f));
  if (unknown.length) {
    console.error(`${found.name}: unknown option ${unknown.map((f) => `--${f}`).join(', ')}\nusage: ${found.command.usage}`);
    return 2;
  }
  const names = found.command.arguments ?? [];
  if (args.positional.length < names.length || (args.positional.length > names.length && !found.command.moreArguments)) {
    const given = args.positional.length;
    const what = given < names.length ? `missing ${names.slice(given).join(' ')}` : `unexpected ${args.positional.slice(names.length).join(' ')}`;
    console.error(`${found.name}: ${what}\nusage: ${found.command.usage}`);
    return 2;
  }
  const lang = /^zh/i.test(process.env.LC_ALL || process.env.LANG || '') ? 'zh-CN' : 'en';
  const t = translator(lang);
  const out = (l: string) => console.log(l);
  if (found.command.noDatabase) {
    // Checking a published file needs no installation: no DATA_DIR, no secret, no database.
    await found.command.run(
      {
        store: undefined as never,
        db: undefined as never,
        config: undefined as never,
        clock: systemClock,
        audit: undefined as never,
        t,
        env: process.env,
        out,
        askSecret,
      },
      args,
    );
    return 0;
  }
  const config = loadConfig(process.env);
  const store = await openStore(config);
  try {
    await found.command.run(
      { store, db: store.db, config, clock: systemClock, audit: auditTrail(config.secret, systemClock), t, env: process.env, out, askSecret },
      args,
    );
    return 0;
  } finally {
    await store.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof CliError || e instanceof ConfigError || e instanceof DatabaseSetupError) console.error(e.message);
    else console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
