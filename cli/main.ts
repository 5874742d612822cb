import { parseArgs } from 'node:util';
import { type CliContext, type Command, UsageError, usage } from './command.js';
import { COMMANDS } from './commands/index.js';
import { missingRequired, parserOptions } from './options.js';

function help(): string {
  const lines = ['Usage: ecs-events <command> [options]   (ecs-events <command> --help for its options)', ''];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(16)} ${command.summary}`);
  return `${lines.join('\n')}\n`;
}

const commandOf = (name: string): Command | undefined => (Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined);

/**
 * Runs one CLI invocation and resolves to its exit code: 0 ok, 1 failure or drift, 2 usage error.
 * `--help` (of the tool or of a command) only prints; it creates no client.
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
    const err = e as Error & { code?: string };
    if (e instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`ecs-events ${name}: ${err.message}\n\n${usage(name, command)}\n`);
      return 2;
    }
    process.stderr.write(`ecs-events ${name}: ${err.message}\n`);
    return 1;
  }
}
