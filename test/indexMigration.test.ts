import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../domain/eventTypes.js';
import { toLogItem } from '../domain/logItem.js';
import { parseEvent } from '../domain/parseEvent.js';
import { latestPerResource, PHASE, project } from '../domain/projection.js';
import { createDocumentClient } from '../infra/client.js';
import { queryClusterState } from '../infra/stateQueries.js';
import { putIfNewer, stateTableName } from '../infra/stateWrites.js';
import { createTables, migrateIndexes } from '../infra/tableAdmin.js';
import model from '../infra/tables.cjs';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { seededRandom } from '../sim/random.js';
import { scanAll, uniqueTables } from './support/pipeline.js';
import { runCli } from './support/runCli.js';

// The latest-state tables' cluster index changed its projection (ALL → keys only) and its sort key
// (the status → the phase, a row attribute written since), so it has a new name (byClusterPhase).
// Tables outside CloudFormation migrate in place, the steps of docs/operations.md#index-migration: give
// the rows their phase, create the new index (DynamoDB backfills it from the rows), wait until it is
// ACTIVE, delete the old one. The task table starts as the model before issue 15 made it (byCluster),
// the instance table as the first keys-only version did (byClusterKeys).

const client = new DynamoDBClient({});
const doc = createDocumentClient();
const tables = uniqueTables(import.meta.filename);
let events: EcsEvent[];

/** The earlier indexes: on the status, projecting the whole row (byCluster) or keys only (byClusterKeys). */
const OLD_INDEX = {
  taskState: { name: 'byCluster', sortKey: 'lastStatus', projection: 'ALL' },
  instanceState: { name: 'byClusterKeys', sortKey: 'status', projection: 'KEYS_ONLY' },
} as const;

/** A table as an earlier model created it: the same key, the old index, rows without `phase`. */
async function createOldTable(kind: 'taskState' | 'instanceState', name: string) {
  const input = model.createTableInput(kind, name);
  const old = OLD_INDEX[kind];
  const key = model.tables[kind].partitionKey;
  await client.send(
    new CreateTableCommand({
      ...input,
      AttributeDefinitions: [key, 'clusterArn', old.sortKey].map((AttributeName) => ({
        AttributeName,
        AttributeType: 'S',
      })),
      GlobalSecondaryIndexes: [
        {
          IndexName: old.name,
          KeySchema: model.keySchema('clusterArn', old.sortKey),
          Projection: { ProjectionType: old.projection },
        },
      ],
    }),
  );
}

/** Rows of one cluster through the old index of the task table (what `tasks` read before). */
async function oldIndexRows(table: string, clusterArn: string) {
  const out = await client.send(
    new QueryCommand({
      TableName: table,
      IndexName: OLD_INDEX.taskState.name,
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
  // Rows as the earlier projector wrote them: without `phase`.
  for (const p of latestPerResource(projections).values()) {
    const { [PHASE]: _, ...row } = p.row;
    await putIfNewer(doc, stateTableName(tables, p.kind), { ...p, row });
  }
});
afterAll(() => {
  client.destroy();
  doc.destroy();
});

// Index backfills on DynamoDB Local take tens of seconds when the machine is busy with the rest of the suite.
describe('in-place migration of the latest-state tables to byClusterPhase', { timeout: 240_000 }, () => {
  const clusters = () => [...new Set(events.map((e) => e.detail.clusterArn as string))].sort();

  it('gives the rows their phase, creates the new index, waits until it is ACTIVE, then deletes the old one', async () => {
    const before = await Promise.all(clusters().map((c) => oldIndexRows(tables.taskState, c)));
    expect(before.flat().length).toBeGreaterThan(0);
    const rows = await Promise.all([tables.taskState, tables.instanceState].map((t) => scanAll(doc, t)));

    const migrated = await Promise.all([
      migrateIndexes(client, 'taskState', tables.taskState),
      migrateIndexes(client, 'instanceState', tables.instanceState),
    ]);
    expect(migrated).toEqual([
      { created: ['byClusterPhase'], deleted: ['byCluster'], phased: rows[0]?.length },
      { created: ['byClusterPhase'], deleted: ['byClusterKeys'], phased: rows[1]?.length },
    ]);
    expect(await indexes(tables.taskState)).toEqual([['byClusterPhase', 'ACTIVE', 'KEYS_ONLY']]);
    expect(await indexes(tables.instanceState)).toEqual([['byClusterPhase', 'ACTIVE', 'KEYS_ONLY']]);

    // Every row the old index listed, the new one lists, whole (the rows come from the table), now with
    // its phase and nothing else changed.
    for (const [i, c] of clusters().entries()) {
      const after: Record<string, unknown>[] = [];
      for await (const row of queryClusterState(doc, tables, 'task', c, { pageSize: 7 })) after.push(row);
      const phased = (before[i] ?? []).map((r) => ({ ...r, phase: r.lastStatus === 'STOPPED' ? 'ended' : 'live' }));
      expect(byArn(after, 'taskArn')).toEqual(byArn(phased, 'taskArn'));
    }
  });

  it('is idempotent, and the local stack runs it on tables it finds', async () => {
    expect(await migrateIndexes(client, 'taskState', tables.taskState)).toEqual({ created: [], deleted: [] });
    await createTables(client, tables);
    expect(await indexes(tables.instanceState)).toEqual([['byClusterPhase', 'ACTIVE', 'KEYS_ONLY']]);
  });

  it('serves `tasks` and `instances` from the migrated tables', async () => {
    for (const c of clusters()) {
      const r = await runCli(['tasks', '--cluster', c, '--json'], tables);
      expect(r.code, r.stderr).toBe(0);
      const listed = (JSON.parse(r.stdout).items as { taskArn: string }[]).map((t) => t.taskArn).sort();
      expect(listed).toEqual((await oldIndexArns(c)).sort());
    }
    // A status reads its phase of the index and keeps the rows of that status.
    const [taskRows, instanceRows] = await Promise.all(
      [tables.taskState, tables.instanceState].map((t) => scanAll(doc, t)),
    );
    for (const [command, status, rows, key, field] of [
      ['tasks', 'STOPPED', taskRows, 'taskArn', 'lastStatus'],
      ['tasks', 'RUNNING', taskRows, 'taskArn', 'lastStatus'],
      ['instances', 'ACTIVE', instanceRows, 'containerInstanceArn', 'status'],
    ] as const) {
      for (const c of clusters()) {
        const r = await runCli([command, '--cluster', c, '--status', status, '--json'], tables);
        expect(r.code, r.stderr).toBe(0);
        const listed = (JSON.parse(r.stdout).items as Record<string, string>[]).map((t) => t[key]).sort();
        const expected = (rows ?? [])
          .filter((row) => row.clusterArn === c && row[field] === status)
          .map((row) => row[key]);
        expect(listed).toEqual(expected.sort());
      }
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
