import { writeFileSync } from 'node:fs';
import type { AuditTrail } from '../audit/log.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import type { Store } from '../db/store.js';
import type { Translate } from '../i18n/catalogue.js';

/** What a CLI command gets: the opened database and a place to print. */
export interface CliContext {
  /** The opened database (db/store.ts); `db` is its Kysely. */
  store: Store;
  db: Database;
  config: Config;
  clock: Clock;
  /** Records the command's changes in the audit log. */
  audit: AuditTrail;
  t: Translate;
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  /** Asks for a secret on the terminal without echo; undefined when there is no terminal. */
  askSecret: (prompt: string) => Promise<string | undefined>;
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export interface Command {
  /** e.g. `pool import FILE.csv [--deactivate-missing]` */
  usage: string;
  summary: string;
  /** Its positional arguments, by name (`['FILE.csv']`); none when absent. The dispatcher refuses another count. */
  arguments?: readonly string[];
  /** True when any number of further arguments may follow those (`audit verify [FILE.json ...]`). */
  moreArguments?: boolean;
  /** Options that take a value (`--year 2026`); anything not listed here or in `switches` is refused. */
  flags?: readonly string[];
  /** Options that take no value (`--no-stratify`). */
  switches?: readonly string[];
  /** True for commands that work on files alone (they run on any machine, without DATA_DIR). */
  noDatabase?: boolean;
  run(ctx: CliContext, args: ParsedArgs): Promise<void>;
}

/** A refusal the user can act on: printed as is, exit code 1, nothing changed. */
export class CliError extends Error {}

/** `--name value`, `--name=value` and bare `--switch`; everything else is positional. */
export function parseArgs(argv: readonly string[], booleanFlags: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (booleanFlags.includes(a.slice(2)) || i + 1 >= argv.length || (argv[i + 1] as string).startsWith('--')) flags.set(a.slice(2), true);
    else flags.set(a.slice(2), argv[++i] as string);
  }
  return { positional, flags };
}

export function flagText(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new CliError(`--${name} needs a value`);
  return v;
}

/** `--year YYYY`, which every command about one year's round requires. */
export function yearFlag(args: ParsedArgs): number {
  const y = flagText(args, 'year');
  if (!y || !/^\d{4}$/.test(y)) throw new CliError('--year YYYY is required');
  return Number(y);
}

/** A flag that must be given, with a value that is not blank. */
export function requiredFlag(args: ParsedArgs, name: string): string {
  const v = flagText(args, name);
  if (v === undefined || v.trim() === '') throw new CliError(`--${name} is required`);
  return v;
}

/** Writes a file of personal data or links: readable by its owner only; a failure is the user's to act on. */
export function writeExport(file: string, data: string | Uint8Array): void {
  try {
    writeFileSync(file, data, { mode: 0o600 });
  } catch (e) {
    throw new CliError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
