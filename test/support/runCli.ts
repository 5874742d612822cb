import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TableNames } from '../../infra/config.js';

const BIN = fileURLToPath(new URL('../../bin/ecs-events.mjs', import.meta.url));

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real `ecs-events` binary against a test's tables in the run's DynamoDB Local (the SDK
 * endpoint variables come from the global setup; `env` adds or overrides variables). stdout is a
 * pipe, so tables come out tab-separated.
 */
export function runCli(
  args: readonly string[],
  tables: TableNames,
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const childEnv = {
    ...process.env,
    EVENT_LOG_TABLE: tables.eventLog,
    TASK_STATE_TABLE: tables.taskState,
    INSTANCE_STATE_TABLE: tables.instanceState,
    ...env,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: childEnv, encoding: 'utf8' }, (error, stdout, stderr) => {
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
