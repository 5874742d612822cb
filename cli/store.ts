import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../infra/client.js';
import { type TableNames, tableNamesFromEnv } from '../infra/config.js';
import { clusterArnsNamed } from '../infra/stateQueries.js';
import { resolveCluster } from './args.js';

/**
 * What a query command reads: the document client (endpoint and credentials from the SDK's own
 * variables and chain) and the table names (EVENT_LOG_TABLE, TASK_STATE_TABLE, INSTANCE_STATE_TABLE).
 */
export interface Store {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: TableNames;
  /** A cluster ARN from `--cluster <arn or name>` (cli/args.ts resolveCluster). */
  cluster(value: unknown, option?: string): Promise<string>;
}

/** Runs `fn` with a store and closes its connections after, so the process exits promptly. */
export async function withStore<T>(fn: (store: Store) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const doc = createDocumentClient();
  const tables = tableNamesFromEnv(env);
  const store: Store = {
    doc,
    tables,
    cluster: (value, option) => resolveCluster(value, (name) => clusterArnsNamed(doc, tables, name), option),
  };
  try {
    return await fn(store);
  } finally {
    doc.destroy();
  }
}
