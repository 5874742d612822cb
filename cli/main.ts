import { parseArgs } from 'node:util';
import { EcsEventsError, type ErrorKind, InternalError, UsageError } from '../domain/errors.js';
import { awsFailureOf, sdkConfigErrorOf } from '../infra/awsErrors.js';
import { type CliContext, type Command, usage } from './command.js';
import { COMMANDS } from './commands/index.js';
import { missingRequired, parserOptions } from './options.js';

function help(): string {
  const lines = ['Usage: ecs-events <command> [options]   (ecs-events <command> --help for its options)', ''];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(16)} ${command.summary}`);
  return `${lines.join('\n')}\n`;
}

const commandOf = (name: string): Command | undefined => (Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined);

/**
 * The exit code of each kind of error (domain/errors.ts; docs/cli.md "Exit codes"), so that a script
 * can tell a finding from a mistake in its call from AWS being down. A command returns 0, 1 (a finding
 * in its answer: drift, a rejected record, differences) or 130 (interrupted) itself.
 */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = { finding: 1, usage: 2, aws: 3, internal: 70 };

/** A Node file-system error (it names the file): `--out`, `--checkpoint` or an input in a place that cannot be used. */
const fileErrorOf = (e: unknown): UsageError | undefined => {
  const err = e as NodeJS.ErrnoException | undefined;
  return err?.syscall && err.path && err.code
    ? new UsageError(`cannot ${err.syscall} ${err.path}: ${err.code}`, { code: 'FILE_UNUSABLE', cause: e })
    : undefined;
};

/** Whatever a command threw, as one of the family: ours as it is, the SDK's classified, anything else a bug. */
function classify(e: unknown): EcsEventsError {
  if (e instanceof EcsEventsError) return e;
  const err = e as (Error & { code?: string }) | undefined;
  // node:util parseArgs: an unknown option, a missing value.
  if (err?.code?.startsWith('ERR_PARSE_ARGS')) return new UsageError(err.message, { cause: e });
  return (
    sdkConfigErrorOf(e) ??
    awsFailureOf(e) ??
    fileErrorOf(e) ??
    new InternalError(err?.message ?? String(e), { cause: e })
  );
}

/** `ecs-events <name>: <message> [CODE]`, the code at the end of the first line (the one that names the failure). */
function errorLines(name: string, error: EcsEventsError): string {
  const [first, ...rest] = error.message.split('\n');
  return [`ecs-events ${name}: ${first} [${error.code}]`, ...rest].join('\n');
}

/**
 * Runs one CLI invocation and resolves to its exit code: 0 ok, 1 a finding (drift, a rejected record,
 * differences), 2 a usage error, 3 AWS or the endpoint failed, 70 an internal error, 130 interrupted
 * (EXIT_CODES). An error is one line on stderr, `ecs-events <name>: <message> [CODE]` (a usage error
 * with the command's usage after it). `--help` (of the tool or of a command) only prints; it creates no client.
 *
 * @example
 * ```ts
 * import { main } from './cli/main.js';
 *
 * process.exitCode = await main(['tasks', '--help']); // prints the usage; exit code 0, no client made
 * // In the process of a local stack (local/localStack.ts), pass its endpoint: process.env stays as it is.
 * // await main(['tasks', '--cluster', clusterArn, '--json'], { env: process.env, clients: stack.clientSettings });
 * ```
 */
export async function main(argv: string[], context: CliContext = { env: process.env }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  const command = commandOf(name);
  if (!command) {
    process.stderr.write(`ecs-events: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${usage(name, command)}\n`);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: parserOptions(command.options),
      allowPositionals: true,
      strict: true,
    });
    const extra = positionals[command.positionals?.length ?? 0];
    if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
    const missing = missingRequired(command.options, values);
    if (missing) throw new UsageError(`${missing} is required (${command.options[missing.slice(2)]?.help})`);
    return await command.run({ values, positionals, context });
  } catch (e) {
    const error = classify(e);
    const after = error.kind === 'usage' ? `\n\n${usage(name, command)}` : '';
    process.stderr.write(`${errorLines(name, error)}${after}\n`);
    return EXIT_CODES[error.kind];
  }
}
