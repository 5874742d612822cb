// What `rebuild` and `verify` work on: the log and the latest-state tables named by --table and a suffix.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StateKind } from '../domain/eventTypes.js';
import { createDocumentClient } from '../infra/client.js';
import { envInteger, tableNamesFromEnv } from '../infra/config.js';
import { MAX_SEGMENTS } from '../usecases/rebuild.js';
import { parseInteger } from './args.js';
import { UsageError } from './command.js';

export const TABLE_USAGE = '  --table T         task, instance or all (default all)';

/** DynamoDB table names: 3 to 255 of letters, digits, _ - and . */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

export interface Targets {
  readonly eventLog: string;
  /** The latest-state tables, task before instance. */
  readonly targets: Partial<Record<StateKind, string>>;
}

/**
 * The log and the chosen latest-state tables. Names come from EVENT_LOG_TABLE, TASK_STATE_TABLE and
 * INSTANCE_STATE_TABLE (or the defaults); a suffix is appended to the latest-state names, as the
 * deploy parameter `stateTableSuffix` does (the blue/green switch).
 */
export function parseTargets(
  table: unknown,
  suffix: unknown,
  option: string,
  env: NodeJS.ProcessEnv = process.env,
): Targets {
  const which = table ?? 'all';
  if (which !== 'task' && which !== 'instance' && which !== 'all') {
    throw new UsageError(`--table must be task, instance or all, got ${JSON.stringify(which)}`);
  }
  if (suffix !== undefined && (typeof suffix !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(suffix))) {
    throw new UsageError(
      `${option} must be letters, digits, _ - or . (a table-name suffix), got ${JSON.stringify(suffix)}`,
    );
  }
  const names = tableNamesFromEnv(env);
  const name = (base: string) => {
    const full = `${base}${suffix ?? ''}`;
    if (!TABLE_NAME.test(full)) throw new UsageError(`${option}: table name ${full} is longer than 255 characters`);
    return full;
  };
  const targets: Partial<Record<StateKind, string>> = {};
  if (which !== 'instance') targets.task = name(names.taskState);
  if (which !== 'task') targets.instance = name(names.instanceState);
  return { eventLog: names.eventLog, targets };
}

/** STATE_TTL_DAYS as the projector reads it: rebuild and verify must project exactly as it does. */
export const ttlDaysFromEnv = (env: NodeJS.ProcessEnv = process.env): number => envInteger(env, 'STATE_TTL_DAYS', 30);

/** A client for table administration and a document client for items; both closed after `fn`. */
export async function withClients<T>(
  fn: (clients: { client: DynamoDBClient; doc: DynamoDBDocumentClient }) => Promise<T>,
): Promise<T> {
  const client = new DynamoDBClient({});
  const doc = createDocumentClient();
  try {
    return await fn({ client, doc });
  } finally {
    doc.destroy();
    client.destroy();
  }
}

/** `ECSTaskState` and `ECSCtrInstanceState`, for report headings. */
export const targetList = (t: Targets): string => Object.values(t.targets).join(', ');

/** `--segments N`: 1 to MAX_SEGMENTS parallel scan segments, or undefined for the default. */
export function parseSegments(value: unknown): number | undefined {
  const segments = parseInteger(value, '--segments', 1);
  if (segments !== undefined && segments > MAX_SEGMENTS) {
    throw new UsageError(`--segments must be at most ${MAX_SEGMENTS}, got ${segments}`);
  }
  return segments;
}
