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
import model, { type TableKind } from './tables.cjs';

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

export async function logStreamArn(client: DynamoDBClient, eventLogTable: string): Promise<string> {
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
