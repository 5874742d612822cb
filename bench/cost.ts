// Figure 7, what DynamoDB bills: capacity units per path, bytes stored, read units per query, and the
// log append of every AWS sample event. Units are DynamoDB Local's ConsumedCapacity on every call
// (bench/support/requestCounter.ts), plus the refused conditional writes it does not report; bytes follow
// DynamoDB's item-size rules (bench/support/itemSize.ts) over what the tables hold after a run.
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import type { EcsEvent } from '../domain/eventTypes.js';
import { createIngestHandler } from '../functions/ingest.js';
import type { TableNames } from '../infra/config.js';
import { queryLog, queryTimeline } from '../infra/logQueries.js';
import { queryClusterState } from '../infra/stateQueries.js';
import { createPipeline } from '../local/localStack.js';
import { loadSamples } from '../sim/samples.js';
import { tallyStopped } from '../usecases/audit.js';
import { attributeMapSize, type IndexShape, indexItem, STORAGE_OVERHEAD_BYTES } from './support/itemSize.js';
import { benchDocumentClient, benchTables, dropTables } from './support/localDb.js';
import { say } from './support/measure.js';
import { countRequests, countsSince, type RequestCounts } from './support/requestCounter.js';
import type { BenchWorkload } from './support/workload.js';
import type { BundleFigures } from './wholeBill.js';

/** Items and billed bytes (item size + 100 bytes each) of one table or index. */
export interface Stored {
  readonly items: number;
  readonly bytes: number;
}

export interface TableStorage extends Stored {
  /** Per index of the table, as DescribeTable defines it. */
  readonly indexes: Record<string, Stored & { readonly projection: string }>;
}

/** What one kind of audit query read. */
export interface QueryReads {
  readonly query: 'timeline' | 'stopped' | 'tasks' | 'tasks --status RUNNING' | 'instances' | 'history';
  readonly queries: number;
  /** Items (entries, rows, groups) the queries returned. */
  readonly items: number;
  readonly readUnits: number;
  readonly requests: number;
}

export interface SampleAppend {
  readonly sample: string;
  readonly detailType: string;
  /** The event's JSON (JSON.stringify, as ingest receives it). */
  readonly eventBytes: number;
  /** The log item DynamoDB holds (item size rules). */
  readonly itemBytes: number;
  readonly tableUnits: number;
  readonly indexUnits: number;
  /** Set when ingest refused the sample (an event type this version does not log). */
  readonly rejected?: string;
}

const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** The read units a snapshot difference holds. */
export const readUnitsOf = (c: RequestCounts): number => sum(c.capacity.read);

/** Every item of one table, in DynamoDB JSON, with the index shapes DescribeTable gives. */
export async function tableStorage(client: DynamoDBClient, table: string): Promise<TableStorage> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  const tableKeys = (Table?.KeySchema ?? []).map((k) => k.AttributeName as string);
  const shapes: IndexShape[] = (Table?.GlobalSecondaryIndexes ?? []).map((g) => ({
    name: g.IndexName as string,
    keys: [...new Set([...(g.KeySchema ?? []).map((k) => k.AttributeName as string), ...tableKeys])],
    projectionType: g.Projection?.ProjectionType ?? 'ALL',
    nonKeyAttributes: g.Projection?.NonKeyAttributes ?? [],
  }));
  let items = 0;
  let bytes = 0;
  const indexes = Object.fromEntries(
    shapes.map((s) => [s.name, { items: 0, bytes: 0, projection: s.projectionType.toLowerCase() }]),
  );
  for await (const page of paginateScan({ client }, { TableName: table })) {
    for (const item of page.Items ?? []) {
      items++;
      bytes += attributeMapSize(item) + STORAGE_OVERHEAD_BYTES;
      for (const s of shapes) {
        const projected = indexItem(item, s);
        const into = indexes[s.name];
        if (!projected || !into) continue;
        into.items++;
        into.bytes += attributeMapSize(projected) + STORAGE_OVERHEAD_BYTES;
      }
    }
  }
  return { items, bytes, indexes };
}

/** The clusters of a workload and the time span of its events. */
function scope(workload: BenchWorkload) {
  const clusters = [...new Set(workload.events.map((e) => e.detail.clusterArn).filter((c) => typeof c === 'string'))];
  const times = workload.logItems.map((i) => i.eventTime);
  return {
    clusters: (clusters as string[]).sort(),
    sinceMs: Math.min(...times),
    untilMs: Math.max(...times) + 1,
    arns: [...new Set(workload.logItems.map((i) => i.arn))].sort().slice(0, 100),
  };
}

/**
 * Read units of the audit queries on a filled pipeline: `timeline` and `stopped` over the whole span of
 * the workload per cluster, `tasks` (all, and RUNNING only) and `instances` per cluster, `history` of
 * 100 resources.
 */
export async function measureQueries(tables: TableNames, workload: BenchWorkload): Promise<QueryReads[]> {
  const doc = benchDocumentClient();
  const counter = countRequests(doc);
  const { clusters, sinceMs, untilMs, arns } = scope(workload);
  const run = async (query: QueryReads['query'], targets: readonly string[], read: (t: string) => Promise<number>) => {
    const before = counter.snapshot();
    let items = 0;
    for (const t of targets) items += await read(t);
    const d = countsSince(before, counter.snapshot());
    return { query, queries: targets.length, items, readUnits: readUnitsOf(d), requests: d.reads };
  };
  const count = async (it: AsyncIterable<unknown>) => {
    let n = 0;
    for await (const _ of it) n++;
    return n;
  };
  try {
    return [
      await run('timeline', clusters, (c) => count(queryTimeline(doc, tables.eventLog, c, { sinceMs, untilMs }))),
      await run('stopped', clusters, async (c) => {
        const tally = await tallyStopped(doc, tables.eventLog, c, { sinceMs, untilMs }, {});
        return tally.taskCount;
      }),
      await run('tasks', clusters, (c) => count(queryClusterState(doc, tables, 'task', c))),
      // Reads the live phase of the index only, never the STOPPED rows waiting for their TTL.
      await run('tasks --status RUNNING', clusters, (c) =>
        count(queryClusterState(doc, tables, 'task', c, { status: 'RUNNING' })),
      ),
      await run('instances', clusters, (c) => count(queryClusterState(doc, tables, 'instance', c))),
      await run('history', arns, (arn) => count(queryLog(doc, tables.eventLog, arn))),
    ];
  } finally {
    counter.detach();
    doc.destroy();
  }
}

/** Bytes held by every table of a pipeline (and their indexes), by table. */
export async function measureStorage(tables: TableNames): Promise<Record<string, TableStorage>> {
  const client = new DynamoDBClient({});
  try {
    return {
      ECSEventLog: await tableStorage(client, tables.eventLog),
      ECSTaskState: await tableStorage(client, tables.taskState),
      ECSCtrInstanceState: await tableStorage(client, tables.instanceState),
    };
  } finally {
    client.destroy();
  }
}

/**
 * Every AWS sample event (samples/aws-docs) through the real ingest handler into a fresh log table of the
 * project's model, one at a time: the bytes of its log item and the units of its append (table, index).
 */
export async function measureSamples(): Promise<SampleAppend[]> {
  const pipeline = await createPipeline(benchTables('samples'));
  const raw = new DynamoDBClient({});
  const doc = benchDocumentClient();
  const counter = countRequests(doc);
  try {
    const ingest = createIngestHandler({ doc, eventLogTable: pipeline.tables.eventLog, redactEnvironment: true });
    const found: SampleAppend[] = [];
    for (const [sample, event] of loadSamples()) {
      const e = event as EcsEvent;
      const before = counter.snapshot();
      let key: { arn: string; version: number } | undefined;
      let rejected: string | undefined;
      try {
        key = await ingest(e);
      } catch (error) {
        rejected = (error as Error).message;
      }
      const d = countsSince(before, counter.snapshot()).capacity.write;
      const log = Object.entries(d);
      const itemBytes = key ? await storedSize(raw, pipeline.tables.eventLog, key) : 0;
      found.push({
        sample,
        detailType: e['detail-type'],
        eventBytes: Buffer.byteLength(JSON.stringify(e)),
        itemBytes,
        tableUnits: log.filter(([k]) => !k.includes('.')).reduce((n, [, v]) => n + v, 0),
        indexUnits: log.filter(([k]) => k.includes('.')).reduce((n, [, v]) => n + v, 0),
        ...(rejected !== undefined && { rejected }),
      });
    }
    say(`  samples: ${found.length} AWS sample events appended one by one`);
    return found;
  } finally {
    counter.detach();
    await dropTables(pipeline.client, pipeline.tables);
    for (const c of [pipeline.client, pipeline.doc, raw, doc]) c.destroy();
  }
}

async function storedSize(client: DynamoDBClient, table: string, key: { arn: string; version: number }) {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: table, Key: { arn: { S: key.arn }, version: { N: String(key.version) } } }),
  );
  return Item ? attributeMapSize(Item) : 0;
}

/** One duplication profile: our pipeline and the AWS guide's function on the very same deliveries. */
export interface CostProfile {
  readonly name: 'copies' | 'copiesLive' | 'redelivered';
  readonly label: string;
  readonly deliveries: number;
  readonly distinctEvents: number;
  /** Tasks and container instances the events are about (rows of the latest-state tables). */
  readonly resources: number;
  /** Requests and capacity of the whole-pipeline run (ingest and projector clients). */
  readonly ingest: RequestCounts;
  readonly projector: RequestCounts;
  readonly pipelineSeconds: number;
  readonly requestsPerDelivery: number;
  /** The guide's function, one invocation per delivery, 16 in flight, on its own tables. */
  readonly guide: RequestCounts;
  readonly guideStaleRows: number;
  readonly storage: Record<string, TableStorage>;
  readonly queries: QueryReads[];
  /** Figure 8: the deployed bundles run on a sample of these deliveries (profiles copies, redelivered). */
  readonly bundles?: BundleFigures;
  /** Mean JSON bytes of a distinct event of the profile (what the EventBridge archive keeps). */
  readonly eventBytes?: number;
}

export interface CostResults {
  readonly profiles: CostProfile[];
  readonly samples: SampleAppend[];
}
