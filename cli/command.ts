import type { ClientSettings } from '../infra/config.js';
import type { Use } from './iamTargets.js';
import { type OptionTable, optionLines, synopsis } from './options.js';

// Defined once, in the error family of domain/errors.ts; re-exported for the command files.
export { UsageError } from '../domain/errors.js';

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
  /**
   * Each way of running it that calls AWS, with exactly what it calls: cli/iamPolicy.ts makes the IAM
   * policies of `ecs-events iam-policy` from these, and test/iamPolicy.test.ts runs each `argv` and
   * fails when the command calls what its use lacks, or its use grants what it never calls. `[]`: it
   * calls no AWS API (it prints, or runs DynamoDB Local).
   */
  readonly uses: readonly Use[];
  /** Runs the command; resolves to the process exit code. */
  run(args: CommandArgs): Promise<number>;
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
