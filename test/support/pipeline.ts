import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../../infra/config.js';
import { createPipeline, type Pipeline } from '../../local/localStack.js';
import type { LogScanOptions } from '../../usecases/segments.js';

/** Fresh table names for one test file (all files share one DynamoDB Local). */
export function uniqueTables(label: string): TableNames {
  const suffix = `${basename(label).replace(/\W+/g, '-')}-${randomBytes(3).toString('hex')}`;
  return {
    eventLog: `ECSEventLog-${suffix}`,
    taskState: `ECSTaskState-${suffix}`,
    instanceState: `ECSCtrInstanceState-${suffix}`,
  };
}

/** A pipeline on fresh tables in the run's DynamoDB Local. */
export const testPipeline = (label: string): Promise<Pipeline> => createPipeline(uniqueTables(label));

/** What rebuild and verify scan on a pipeline: its clients, its log and both latest-state tables. */
export const logScanOf = (p: Pipeline): LogScanOptions => ({
  doc: p.doc,
  client: p.client,
  eventLog: p.tables.eventLog,
  targets: { task: p.tables.taskState, instance: p.tables.instanceState },
});

/** Every item of a table (paged). */
export async function scanAll(doc: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
