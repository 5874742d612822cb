import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import type { TableNames } from './config.js';
import { explainDynamoError } from './dynamoErrors.js';
import model, { type TableKind } from './tables.cjs';

// Table administration: create, delete, describe. Tables come from the table model (infra/tables.cjs),
// the same definitions CloudFormation deploys.

const KINDS = Object.keys(model.tables) as TableKind[];

/** Creates one table from the model if it does not exist, waits until it is active, enables TTL. */
export async function createTable(client: DynamoDBClient, kind: TableKind, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(model.createTableInput(kind, tableName)));
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
  const ttl = model.tables[kind].ttlAttribute;
  if (ttl) {
    await client
      .send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: ttl, Enabled: true },
        }),
      )
      .catch((e: Error) => {
        // Enabling twice is refused by DynamoDB; TTL is then already on.
        if (!/already enabled/i.test(e.message)) throw e;
      });
  }
}

/** Creates the three tables (idempotent) and returns the log's stream ARN, as DescribeTable gives it. */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<{ streamArn: string }> {
  await Promise.all(KINDS.map((kind) => createTable(client, kind, names[kind])));
  return { streamArn: await logStreamArn(client, names.eventLog) };
}

async function logStreamArn(client: DynamoDBClient, eventLogTable: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: eventLogTable }));
  if (!Table?.LatestStreamArn) throw new Error(`table ${eventLogTable} has no stream`);
  return Table.LatestStreamArn;
}

export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return;
    throw e;
  }
  await waitUntilTableNotExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
}

/** Creates a table from the model when it does not exist; true when it was created. */
export async function ensureTable(client: DynamoDBClient, kind: TableKind, tableName: string): Promise<boolean> {
  if (await tableExists(client, tableName)) return false;
  await createTable(client, kind, tableName);
  return true;
}

export async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return false;
    throw explainDynamoError(e, { table: tableName });
  }
}

/** The log's ItemCount from DescribeTable (DynamoDB refreshes it about every six hours): good enough for an ETA. */
export async function approximateItemCount(client: DynamoDBClient, eventLog: string): Promise<number> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: eventLog }));
    return Table?.ItemCount ?? 0;
  } catch (e) {
    throw explainDynamoError(e, { table: eventLog, envVar: model.tables.eventLog.envVar });
  }
}
