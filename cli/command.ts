import type { ParseArgsConfig } from 'node:util';

/** One `ecs-events <name>` subcommand: a module in cli/commands/<name>.ts whose default export is this. */
export interface Command {
  /** One line for `ecs-events --help`. */
  readonly summary: string;
  /** Usage text for `ecs-events <name> --help`. */
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments it takes (default none); more is a usage error. */
  readonly positionals?: number;
  /** Runs the command; resolves to the process exit code. */
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
