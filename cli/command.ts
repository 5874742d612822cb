import type { ClientSettings } from '../infra/config.js';
import { type OptionTable, optionLines, synopsis } from './options.js';

/** What a command runs in: the environment its settings come from, and where its clients connect. */
export interface CliContext {
  /** Read by infra/config.ts readConfig (table names, STATE_TTL_DAYS, ...). */
  readonly env: NodeJS.ProcessEnv;
  /** Set by a caller in the same process as a local stack; unset, the SDK's own variables decide. */
  readonly clients?: ClientSettings;
}

export interface CommandArgs {
  readonly values: Record<string, unknown>;
  readonly positionals: string[];
  readonly context: CliContext;
}

/** One `ecs-events <name>` subcommand (registered in cli/commands/index.ts). */
export interface Command {
  /** One line for `ecs-events --help`. */
  readonly summary: string;
  /** What it does, under the synopsis of `ecs-events <name> --help`. */
  readonly about: string;
  /** The positional arguments it takes, by name (`<arn>`); more is a usage error. */
  readonly positionals?: readonly string[];
  readonly options: OptionTable;
  /** Lines after the options (time forms, environment variables, exit codes). */
  readonly notes?: readonly string[];
  /** Runs the command; resolves to the process exit code. */
  run(args: CommandArgs): Promise<number>;
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `ecs-events <name> --help`, made from the command's option table. */
export function usage(name: string, command: Command): string {
  const line = ['Usage: ecs-events', name, ...(command.positionals ?? []), synopsis(command.options)];
  return [
    line.filter((part) => part !== '').join(' '),
    '',
    command.about.trim(),
    '',
    ...optionLines(command.options),
    ...(command.notes ?? []),
  ].join('\n');
}
