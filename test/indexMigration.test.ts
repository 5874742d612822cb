import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../domain/eventTypes.js';
import { toLogItem } from '../domain/logItem.js';
import { parseEvent } from '../domain/parseEvent.js';
import { latestPerResource, project } from '../domain/projection.js';
import { createDocumentClient } from '../infra/client.js';
import { queryClusterState } from '../infra/stateQueries.js';
import { putIfNewer, stateTableName } from '../infra/stateWrites.js';
import { createTables, migrateIndexes } from '../infra/tableAdmin.js';
import model from '../infra/tables.cjs';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { seededRandom } from '../sim/random.js';
import { uniqueTables } from './support/pipeline.js';
import { runCli } from './support/runCli.js';

// The latest-state tables' cluster index changed its projection (ALL → keys only), so it has a new name
// (byClusterKeys). Tables outside CloudFormation migrate in place, the steps of docs/operations.md#index-migration:
// create the new index (DynamoDB backfills it from the rows), wait until it is ACTIVE, delete the old one.

const client = new DynamoDBClient({});
const doc = createDocumentClient();
const tables = uniqueTables(import.meta.filename);
let events: EcsEvent[];

/** The table as the model before issue 15 created it: the same keys, index `byCluster` projecting ALL. */
async function createOldTable(kind: 'taskState' | 'instanceState', name: string) {
  const input = model.createTableInput(kind, name);
  const index = model.tables[kind].indexes[0] as { partitionKey: string; sortKey?: string };
  await client.send(
    new CreateTableCommand({
      ...input,
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byCluster',
          KeySchema: model.keySchema(index.partitionKey, index.sortKey),
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}

/** Rows of one cluster through the old index (what `tasks` read before). */
async function oldIndexRows(table: string, clusterArn: string) {
  const out = await client.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'byCluster',
      KeyConditionExpression: 'clusterArn = :c',
      ExpressionAttributeValues: { ':c': { S: clusterArn } },
    }),
  );
  return (out.Items ?? []).map((i) => unmarshall(i));
}

const indexes = async (table: string) => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  return (Table?.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName, g.IndexStatus, g.Projection?.ProjectionType]);
};

const byArn = (rows: Record<string, unknown>[], key: string) =>
  [...rows].sort((a, b) => String(a[key]).localeCompare(String(b[key])));

beforeAll(async () => {
  await Promise.all([
    createOldTable('taskState', tables.taskState),
    createOldTable('instanceState', tables.instanceState),
  ]);
  events = generateWorkload(seededRandom(15), { tasks: 30, instances: 3, clusters: 2 });
  const projections = events.flatMap((e) => {
    const parsed = parseEvent(e, { redactEnvironment: true });
    if (!parsed.ok) throw new Error(parsed.rejection.message);
    const out = project(toLogItem(parsed.value, { ingestedAt: 0, ingestId: 'x' }), { ttlDays: 0 });
    return out.type === 'state' ? [out.projection] : [];
  });
  for (const p of latestPerResource(projections).values()) await putIfNewer(doc, stateTableName(tables, p.kind), p);
});
afterAll(() => {
  client.destroy();
  doc.destroy();
});

// Index backfills on DynamoDB Local take tens of seconds when the machine is busy with the rest of the suite.
describe('in-place migration of the latest-state tables to byClusterKeys', { timeout: 240_000 }, () => {
  const clusters = () => [...new Set(events.map((e) => e.detail.clusterArn as string))].sort();

  it('creates the new index from the rows, waits until it is ACTIVE, then deletes the old one', async () => {
    const before = await Promise.all(clusters().map((c) => oldIndexRows(tables.taskState, c)));
    expect(before.flat().length).toBeGreaterThan(0);

    const migrated = await Promise.all([
      migrateIndexes(client, 'taskState', tables.taskState),
      migrateIndexes(client, 'instanceState', tables.instanceState),
    ]);
    expect(migrated).toEqual([
      { created: ['byClusterKeys'], deleted: ['byCluster'] },
      { created: ['byClusterKeys'], deleted: ['byCluster'] },
    ]);
    expect(await indexes(tables.taskState)).toEqual([['byClusterKeys', 'ACTIVE', 'KEYS_ONLY']]);
    expect(await indexes(tables.instanceState)).toEqual([['byClusterKeys', 'ACTIVE', 'KEYS_ONLY']]);

    // Every row the old index listed, the new one lists, whole (the rows come from the table).
    for (const [i, c] of clusters().entries()) {
      const after: Record<string, unknown>[] = [];
      for await (const row of queryClusterState(doc, tables, 'task', c, { pageSize: 7 })) after.push(row);
      expect(byArn(after, 'taskArn')).toEqual(byArn(before[i] ?? [], 'taskArn'));
    }
  });

  it('is idempotent, and the local stack runs it on tables it finds', async () => {
    expect(await migrateIndexes(client, 'taskState', tables.taskState)).toEqual({ created: [], deleted: [] });
    await createTables(client, tables);
    expect(await indexes(tables.instanceState)).toEqual([['byClusterKeys', 'ACTIVE', 'KEYS_ONLY']]);
  });

  it('serves `tasks` and `instances` from the migrated tables', async () => {
    for (const c of clusters()) {
      const r = await runCli(['tasks', '--cluster', c, '--json'], tables);
      expect(r.code, r.stderr).toBe(0);
      const listed = (JSON.parse(r.stdout).items as { taskArn: string }[]).map((t) => t.taskArn).sort();
      expect(listed).toEqual((await oldIndexArns(c)).sort());
      const i = await runCli(['instances', '--cluster', c, '--status', 'ACTIVE', '--json'], tables);
      expect(i.code, i.stderr).toBe(0);
    }
  });
});

/** The tasks of a cluster as the rows written in beforeAll say (the oracle of the CLI's output). */
async function oldIndexArns(clusterArn: string): Promise<string[]> {
  const latest = new Map<string, string>();
  for (const e of events)
    if (e.detail.taskArn && e.detail.clusterArn === clusterArn) latest.set(String(e.detail.taskArn), '');
  return [...latest.keys()];
}
