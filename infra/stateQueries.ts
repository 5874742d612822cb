import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type ClusterFilter, clusterArnPart, clusterMatches } from '../domain/clusterScope.js';
import { InternalError } from '../domain/errors.js';
import { KINDS, type StateKind } from '../domain/kinds.js';
import { OBSERVED_AT, type Phase, phaseOfStatus } from '../domain/projection.js';
import { batchGetAll } from './batchGet.js';
import type { TableNames } from './config.js';
import { explainDynamoError, type TableContext } from './dynamoErrors.js';
import { type PageOptions, type PagingOptions, queryItems, scanPages } from './paging.js';
import model from './tables.cjs';

// Reads of the latest-state tables (ECSTaskState, ECSCtrInstanceState).

const BY_CLUSTER = 'byClusterPhase';

/** Keys per BatchGetItem when an index page's keys are turned into rows (its limit). */
const ROWS_PER_BATCH = 100;

/** A latest-state row as stored. */
type Row = Record<string, unknown>;

/** Names the table (and the variable that names it) in an explained error. */
const stateContext = (kind: StateKind, table: string, index?: string): TableContext => ({
  table,
  index,
  envVar: model.tables[KINDS[kind].state.table].envVar,
});

/** The byClusterPhase index of a latest-state table, as the table model defines it. */
function byClusterIndex(kind: StateKind) {
  const tableKind = KINDS[kind].state.table;
  const index = model.tables[tableKind].indexes.find((i) => i.name === BY_CLUSTER);
  if (!index?.sortKey) throw new InternalError(`table model: ${tableKind} has no ${BY_CLUSTER} index with a sort key`);
  return { ...index, sortKey: index.sortKey };
}

/**
 * The rows of the keys a keys-only index query yields, in the index's order, read 100 at a time
 * (BatchGetItem, eventually consistent like the index). A row that is gone by then (TTL), or that
 * does not pass `keep` (another status of its phase, or it moved since the index was read), is skipped.
 */
async function* rowsOfKeys(
  doc: DynamoDBDocumentClient,
  kind: StateKind,
  table: string,
  keys: AsyncIterable<Row>,
  keep: (row: Row) => boolean,
): AsyncGenerator<Row> {
  const key = KINDS[kind].state.key;
  let batch: string[] = [];
  const flush = async function* () {
    const rows = await readStateRows(doc, table, kind, batch);
    for (const arn of batch) {
      const row = rows.get(arn);
      if (row && keep(row)) yield row;
    }
    batch = [];
  };
  for await (const k of keys) {
    batch.push(k[key] as string);
    if (batch.length === ROWS_PER_BATCH) yield* flush();
  }
  if (batch.length > 0) yield* flush();
}

/** The keys of one cluster's rows in the byClusterPhase index, of one phase or of both. */
function clusterKeys(
  doc: DynamoDBDocumentClient,
  kind: StateKind,
  table: string,
  clusterArn: string,
  phase: Phase | undefined,
  options: PageOptions,
): AsyncIterable<Row> {
  const index = byClusterIndex(kind);
  const byPhase = phase !== undefined;
  return queryItems(
    doc,
    {
      TableName: table,
      IndexName: index.name,
      KeyConditionExpression: `#c = :c${byPhase ? ' AND #p = :p' : ''}`,
      ExpressionAttributeNames: { '#c': index.partitionKey, ...(byPhase && { '#p': index.sortKey }) },
      ExpressionAttributeValues: { ':c': clusterArn, ...(byPhase && { ':p': phase }) },
    },
    stateContext(kind, table, index.name),
    options,
  );
}

/**
 * The current rows of one cluster's tasks or container instances, from the latest-state table's
 * byClusterPhase index (clusterArn, then the phase), page by page, then the rows themselves (the index
 * holds keys only). With a status, only the rows of its phase are read, and those of that status kept.
 */
export function queryClusterState(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  kind: StateKind,
  clusterArn: string,
  options: PageOptions & { readonly status?: string | undefined } = {},
): AsyncGenerator<Row> {
  const table = tables[KINDS[kind].state.table];
  const { status } = options;
  const phase = status === undefined ? undefined : phaseOfStatus(kind, status);
  const keys = clusterKeys(doc, kind, table, clusterArn, phase, options);
  const { statusField } = KINDS[kind].state;
  return rowsOfKeys(doc, kind, table, keys, (row) => status === undefined || row[statusField] === status);
}

const SCAN_SEGMENTS = 4;

/**
 * Distinct values of `clusterArn` in one table that contain `part` (the server-side filter) and pass
 * `keep` (the exact test): a parallel Scan projecting only that attribute.
 */
async function clusterArnsIn(
  doc: DynamoDBDocumentClient,
  kind: StateKind,
  table: string,
  part: string,
  keep: (clusterArn: string) => boolean,
) {
  const found = new Set<string>();
  await Promise.all(
    Array.from({ length: SCAN_SEGMENTS }, async (_, Segment) => {
      const pages = scanPages(
        doc,
        {
          TableName: table,
          Segment,
          TotalSegments: SCAN_SEGMENTS,
          ProjectionExpression: '#c',
          FilterExpression: 'contains(#c, :part)',
          ExpressionAttributeNames: { '#c': 'clusterArn' },
          ExpressionAttributeValues: { ':part': part },
        },
        stateContext(kind, table),
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const arn = item.clusterArn;
          if (typeof arn === 'string' && keep(arn)) found.add(arn);
        }
      }
    }),
  );
  return found;
}

/**
 * Cluster ARNs that the latest-state tables know (both of them) and that match `filter`: a name, an
 * account, a region, or any of them together (domain/clusterScope.ts). One name can exist in several
 * accounts or regions, and the caller must hear about it. A Scan reads the whole tables, so this costs
 * as much as they are large; a cluster ARN skips it.
 */
export async function clusterArnsWhere(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  filter: ClusterFilter,
): Promise<string[]> {
  const part = clusterArnPart(filter);
  const found = await Promise.all(
    (['instance', 'task'] as const).map((kind) =>
      clusterArnsIn(doc, kind, tables[KINDS[kind].state.table], part, (arn) => clusterMatches(arn, filter)),
    ),
  );
  return [...new Set(found.flatMap((s) => [...s]))].sort();
}

/** Cluster ARNs ending in `:cluster/<name>` that the latest-state tables know ({@link clusterArnsWhere}). */
export const clusterArnsNamed = (doc: DynamoDBDocumentClient, tables: TableNames, name: string): Promise<string[]> =>
  clusterArnsWhere(doc, tables, { name });

/** One resource's row, strongly consistent (verify's recheck). */
export async function readStateRow(
  doc: DynamoDBDocumentClient,
  table: string,
  kind: StateKind,
  arn: string,
): Promise<Row | undefined> {
  try {
    const { Item } = await doc.send(
      new GetCommand({ TableName: table, Key: { [KINDS[kind].state.key]: arn }, ConsistentRead: true }),
    );
    return Item;
  } catch (e) {
    throw explainDynamoError(e, stateContext(kind, table));
  }
}

/** The rows of these resources that exist, by ARN (BatchGetItem, 100 keys a request). */
export async function readStateRows(
  doc: DynamoDBDocumentClient,
  table: string,
  kind: StateKind,
  arns: readonly string[],
): Promise<Map<string, Row>> {
  const key = KINDS[kind].state.key;
  const items = await batchGetAll(
    doc,
    table,
    arns.map((arn) => ({ [key]: arn })),
    { context: stateContext(kind, table) },
  );
  return new Map(items.map((item) => [item[key] as string, item]));
}

/**
 * One segment of a parallel Scan of a latest-state table, reading only each row's key and version:
 * page by page, the rows as `{ arn, version }` (version as stored, which corruption may have changed).
 */
export async function* scanStateVersions(
  doc: DynamoDBDocumentClient,
  scan: PagingOptions & {
    readonly table: string;
    readonly kind: StateKind;
    readonly segment: number;
    readonly totalSegments: number;
  },
): AsyncGenerator<{ readonly arn: string; readonly version: unknown; readonly observed: boolean }[]> {
  const key = KINDS[scan.kind].state.key;
  const pages = scanPages(
    doc,
    {
      TableName: scan.table,
      Segment: scan.segment,
      TotalSegments: scan.totalSegments,
      ProjectionExpression: '#key, #version, #observedAt',
      ExpressionAttributeNames: { '#key': key, '#version': 'version', '#observedAt': OBSERVED_AT },
    },
    stateContext(scan.kind, scan.table),
    scan,
  );
  for await (const page of pages)
    yield (page.Items ?? []).map((row) => ({
      arn: row[key] as string,
      version: row.version,
      // A state the reconciler observed: its log key is `<arn>#observed`.
      observed: row[OBSERVED_AT] !== undefined,
    }));
}

/**
 * The rows of one cluster whose status is not terminal (tasks not STOPPED, instances not INACTIVE):
 * the rows that could be ghosts. One Query of the byClusterPhase index for the `live` phase, so the
 * (many) ended rows waiting for their TTL are never read.
 */
export function queryLiveClusterRows(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  kind: StateKind,
  clusterArn: string,
  options: PageOptions = {},
): AsyncGenerator<Row> {
  const table = tables[KINDS[kind].state.table];
  const keys = clusterKeys(doc, kind, table, clusterArn, 'live', options);
  const { statusField } = KINDS[kind].state;
  return rowsOfKeys(doc, kind, table, keys, (row) => phaseOfStatus(kind, row[statusField]) === 'live');
}
