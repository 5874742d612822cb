import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../../infra/config.js';
import { createTable, deleteTable } from '../../infra/tableAdmin.js';
import { createGuideTables } from '../baseline/awsGuideProjector.js';
import { scanAll } from './localDb.js';
import { stateKey } from './workload.js';

export type StateTables = Pick<TableNames, 'taskState' | 'instanceState'>;

/**
 * Creates the two latest-state tables: from the project's one table model (same keys, GSIs, TTL), or as
 * the AWS guide describes them (`guide`: key only) for the baseline.
 */
export async function createStateTables(tables: StateTables, shape: 'project' | 'guide' = 'project'): Promise<void> {
  const client = new DynamoDBClient({});
  try {
    if (shape === 'guide') await createGuideTables(client, tables);
    else
      await Promise.all([
        createTable(client, 'taskState', tables.taskState),
        createTable(client, 'instanceState', tables.instanceState),
      ]);
  } finally {
    client.destroy();
  }
}

export async function dropStateTables(tables: StateTables): Promise<void> {
  const client = new DynamoDBClient({});
  try {
    await Promise.all([deleteTable(client, tables.taskState), deleteTable(client, tables.instanceState)]);
  } finally {
    client.destroy();
  }
}

export interface Correctness {
  readonly rows: number;
  /** Rows holding an older version than the highest one delivered: a wrong answer that stays. */
  readonly staleRows: number;
  /** Resources with no row at all. */
  readonly missingRows: number;
}

/** Compares the latest-state rows to the oracle (highest version per ARN). */
export async function checkRows(
  doc: DynamoDBDocumentClient,
  tables: StateTables,
  oracle: ReadonlyMap<string, number>,
): Promise<Correctness> {
  const found = new Map<string, number>();
  for (const [kind, table, key] of [
    ['task', tables.taskState, 'taskArn'],
    ['instance', tables.instanceState, 'containerInstanceArn'],
  ] as const) {
    for (const row of await scanAll(doc, table)) found.set(stateKey(kind, String(row[key])), Number(row.version));
  }
  let staleRows = 0;
  let missingRows = 0;
  for (const [key, version] of oracle) {
    const got = found.get(key);
    if (got === undefined) missingRows++;
    else if (got < version) staleRows++;
  }
  return { rows: found.size, staleRows, missingRows };
}
