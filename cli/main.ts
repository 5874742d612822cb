import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Command, UsageError } from './command.js';

const COMMANDS_DIR = fileURLToPath(new URL('./commands/', import.meta.url));

const commandNames = (): string[] =>
  readdirSync(COMMANDS_DIR)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.(ts|js|mjs)$/, ''))
    .sort();

async function loadCommand(name: string): Promise<Command | undefined> {
  if (!commandNames().includes(name)) return undefined;
  return ((await import(`./commands/${name}.js`)) as { default: Command }).default;
}

async function help(): Promise<string> {
  const lines = ['Usage: ecs-events <command> [options]   (ecs-events <command> --help for its options)', ''];
  for (const name of commandNames()) lines.push(`  ${name.padEnd(16)} ${(await loadCommand(name))?.summary ?? ''}`);
  return `${lines.join('\n')}\n`;
}

/** Runs one CLI invocation and resolves to its exit code: 0 ok, 1 failure or drift, 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await help());
    return name ? 0 : 2;
  }
  const command = await loadCommand(name);
  if (!command) {
    process.stderr.write(`ecs-events: unknown command "${name}"\n\n${await help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage.trim()}\n`);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
    const extra = positionals[command.positionals ?? 0];
    if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
    return await command.run({ values, positionals });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`ecs-events ${name}: ${err.message}\n\n${command.usage.trim()}\n`);
      return 2;
    }
    process.stderr.write(`ecs-events ${name}: ${err.message}\n`);
    return 1;
  }
}
