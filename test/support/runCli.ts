import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { TableNames } from '../../infra/config.js';

/** The real binary (tsx compiles the sources as it loads them): what a user runs. */
export const REAL_BIN = fileURLToPath(new URL('../../bin/ecs-events.mjs', import.meta.url));

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCliOptions {
  /** Run bin/ecs-events.mjs itself rather than the run's bundle of it. */
  readonly realBin?: boolean;
}

/**
 * The file a test runs as `ecs-events`: the run's bundle of bin/ecs-events.mjs (test/support/cliBundle.ts,
 * built from the current sources when the run starts), or the binary itself when there is no bundle (a
 * config without that setup, or ECS_EVENTS_TEST_CLI=bin), when asked, or when the process preloads a module (NODE_OPTIONS
 * `--require`/`--import`, e.g. test/support/sdkFault.cjs): a preload patches dependencies as Node loads
 * them from node_modules, and in the bundle they are compiled in.
 */
export function cliEntry(env: Record<string, string | undefined> = {}, options: RunCliOptions = {}): string {
  // ECS_EVENTS_TEST_CLI=bin: the binary for every run (to compare, or to rule the bundle out).
  const bundle = process.env.ECS_EVENTS_TEST_CLI === 'bin' ? undefined : inject('cliBundle');
  const preloads = /--(require|import)\b|(^|\s)-r\b/.test(env.NODE_OPTIONS ?? '');
  return options.realBin || preloads || !bundle ? REAL_BIN : bundle;
}

/**
 * Runs `ecs-events` (see cliEntry) in its own process against a test's tables in the run's DynamoDB
 * Local (the SDK endpoint variables come from the global setup; `env` adds or overrides variables).
 * stdout is a pipe, so tables come out tab-separated.
 */
export function runCli(
  args: readonly string[],
  tables: TableNames,
  env: Record<string, string | undefined> = {},
  options: RunCliOptions = {},
): Promise<CliResult> {
  const childEnv = {
    ...process.env,
    EVENT_LOG_TABLE: tables.eventLog,
    TASK_STATE_TABLE: tables.taskState,
    INSTANCE_STATE_TABLE: tables.instanceState,
    ...env,
  };
  const entry = cliEntry(childEnv, options);
  return new Promise((resolve) => {
    execFile(process.execPath, [entry, ...args], { env: childEnv, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The items of a `--json` document, after checking its envelope. */
export function jsonItems<T = Record<string, unknown>>(result: CliResult): T[] {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  const doc = JSON.parse(result.stdout) as { items: T[]; count: number; truncated: boolean };
  if (doc.count !== doc.items.length) throw new Error(`count ${doc.count} but ${doc.items.length} items`);
  return doc.items;
}
