import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AwsFailure } from '../domain/errors.js';
import { stateKindOfTable } from '../domain/kinds.js';
import { PHASE } from '../domain/projection.js';
import type { TableNames } from './config.js';
import { explainDynamoError } from './dynamoErrors.js';
import { addMissingPhases } from './stateWrites.js';
import model, { type TableKind } from './tables.cjs';

// Table administration: create, delete, describe. Tables come from the table model (infra/tables.cjs),
// the same definitions CloudFormation deploys.

const KINDS = Object.keys(model.tables) as TableKind[];

/** Creates one table from the model if it does not exist, waits until it is active, enables TTL. */
export async function createTable(client: DynamoDBClient, kind: TableKind, tableName: string): Promise<void> {
  let existed = false;
  try {
    await client.send(new CreateTableCommand(model.createTableInput(kind, tableName)));
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
    existed = true;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
  // A table that already existed may predate an index change of the model; a new one is the model.
  if (existed) await migrateIndexes(client, kind, tableName);
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The indexes of a table as DescribeTable gives them: name → status. */
async function indexStatuses(client: DynamoDBClient, tableName: string): Promise<Map<string, string>> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return new Map((Table?.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName as string, g.IndexStatus ?? '']));
}

/** Polls until `done` holds of the table's indexes, or fails after `timeoutMs`. */
async function waitForIndexes(
  client: DynamoDBClient,
  tableName: string,
  what: string,
  done: (indexes: Map<string, string>) => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done(await indexStatuses(client, tableName))) {
    if (Date.now() > deadline)
      throw new AwsFailure('AWS_TIMEOUT', `table ${tableName}: ${what} did not finish within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

/**
 * Brings the indexes of an existing table to the model, in place, for tables outside CloudFormation
 * (the local stack, tables made by hand): creates each index of the model the table lacks, waiting
 * until DynamoDB has backfilled it from the existing items (ACTIVE), then deletes the indexes the model
 * retired. One UpdateTable per index, as DynamoDB takes one index creation or deletion at a time.
 * An index on `phase` lists only rows that hold one, so rows written before it get theirs first.
 * Readers of a retired index keep working until the new one is active. A deployed stack switches to a
 * fresh pair of latest-state tables instead (docs/operations.md#index-migration).
 */
export async function migrateIndexes(
  client: DynamoDBClient,
  kind: TableKind,
  tableName: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<{ readonly created: string[]; readonly deleted: string[]; readonly phased?: number }> {
  const def = model.tables[kind];
  const timeoutMs = options.timeoutMs ?? 600_000;
  const created: string[] = [];
  const deleted: string[] = [];
  let phased: number | undefined;
  const have = await indexStatuses(client, tableName);
  for (const index of def.indexes.filter((i) => !have.has(i.name))) {
    const stateKind = stateKindOfTable(kind);
    if (index.sortKey === PHASE && stateKind && phased === undefined)
      phased = await addMissingPhases(DynamoDBDocumentClient.from(client), stateKind, tableName);
    const keys = [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])];
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k, AttributeType: def.attributes[k] })),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.name,
              KeySchema: model.keySchema(index.partitionKey, index.sortKey),
              Projection: index.projection,
            },
          },
        ],
      }),
    );
    await waitForIndexes(
      client,
      tableName,
      `creating index ${index.name}`,
      (i) => i.get(index.name) === 'ACTIVE',
      timeoutMs,
    );
    created.push(index.name);
  }
  for (const name of (def.retiredIndexes ?? []).filter((n) => have.has(n))) {
    await client.send(
      new UpdateTableCommand({ TableName: tableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: name } }] }),
    );
    await waitForIndexes(client, tableName, `deleting index ${name}`, (i) => !i.has(name), timeoutMs);
    deleted.push(name);
  }
  return { created, deleted, ...(phased !== undefined && { phased }) };
}

/** Creates the three tables (idempotent) and returns the log's stream ARN, as DescribeTable gives it. */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<{ streamArn: string }> {
  await Promise.all(KINDS.map((kind) => createTable(client, kind, names[kind])));
  return { streamArn: await logStreamArn(client, names.eventLog) };
}

async function logStreamArn(client: DynamoDBClient, eventLogTable: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: eventLogTable }));
  if (!Table?.LatestStreamArn) throw new AwsFailure('RESOURCE_MISSING', `table ${eventLogTable} has no stream`);
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
