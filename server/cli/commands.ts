import { adminCommands } from '../admin/cli.js';
import { auditCommands } from '../admin/audit-cli.js';
import { drawCommands } from '../draw/cli.js';
import { paperCommands } from '../paper/cli.js';
import { poolCommands } from '../pool/cli.js';
import { linkCommands } from '../links/cli.js';
import { followUpCommands } from '../rectification/cli.js';
import { resultsCommands } from '../results/cli.js';
import { roundCommands } from '../rounds/cli.js';
import { unitCommands } from '../units/cli.js';
import type { Command } from './command.js';
import { databaseCommands } from './database-commands.js';

/** Every CLI command, by its words. Each capability owns its commands. */
export const commands: Record<string, Command> = {
  ...unitCommands,
  ...poolCommands,
  ...roundCommands,
  ...linkCommands,
  ...paperCommands,
  ...resultsCommands,
  ...followUpCommands,
  ...adminCommands,
  ...auditCommands,
  ...databaseCommands,
  ...drawCommands,
};

/** Finds the longest command name that the arguments start with. */
export function findCommand(argv: readonly string[]): { name: string; command: Command; rest: string[] } | undefined {
  for (const n of [2, 1]) {
    const name = argv.slice(0, n).join(' ');
    const command = commands[name];
    if (command && argv.length >= n) return { name, command, rest: argv.slice(n) };
  }
  return undefined;
}
