import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../infra/client.js';
import type { TableNames } from '../../infra/config.js';
import { deleteTable } from '../../infra/tableAdmin.js';

/** Fresh table names for one figure: every figure starts from empty tables in the one DynamoDB Local. */
export function benchTables(label: string): TableNames {
  const suffix = `bench-${label.replace(/\W+/g, '-')}-${randomBytes(3).toString('hex')}`;
  return {
    eventLog: `ECSEventLog-${suffix}`,
    taskState: `ECSTaskState-${suffix}`,
    instanceState: `ECSCtrInstanceState-${suffix}`,
  };
}

/** Drops a figure's tables once it is measured, so DynamoDB Local's memory stays small. */
export async function dropTables(client: DynamoDBClient, tables: TableNames): Promise<void> {
  await Promise.all(Object.values(tables).map((name) => deleteTable(client, name)));
}

/** Every item of a table (paged). */
export async function scanAll(doc: DynamoDBDocumentClient, TableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: doc }, { TableName })) items.push(...(page.Items ?? []));
  return items;
}

/**
 * The document client both sides of a figure use: the project's own (same marshalling), with the SDK's
 * socket-queue warning pushed out. One process here stands for many Lambda instances, each with its own
 * sockets, so a long queue on the shared 50 sockets is expected and not worth a warning.
 */
export const benchDocumentClient = (): DynamoDBDocumentClient =>
  createDocumentClient({ requestHandler: { socketAcquisitionWarningTimeout: 600_000 } });
