import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { KINDS, type StateKind } from '../domain/kinds.js';
import { batchGetAll } from './batchGet.js';
import type { TableNames } from './config.js';
import { explainDynamoError, type TableContext } from './dynamoErrors.js';
import { type PageOptions, type PagingOptions, queryItems, scanPages } from './paging.js';
import model from './tables.cjs';

// Reads of the latest-state tables (ECSTaskState, ECSCtrInstanceState).

const BY_CLUSTER = 'byCluster';

/** A latest-state row as stored. */
type Row = Record<string, unknown>;

/** Names the table (and the variable that names it) in an explained error. */
const stateContext = (kind: StateKind, table: string, index?: string): TableContext => ({
  table,
  index,
  envVar: model.tables[KINDS[kind].state.table].envVar,
});

/** The byCluster index of a latest-state table, as the table model defines it. */
function byClusterIndex(kind: StateKind) {
  const tableKind = KINDS[kind].state.table;
  const index = model.tables[tableKind].indexes.find((i) => i.name === BY_CLUSTER);
  if (!index?.sortKey) throw new Error(`table model: ${tableKind} has no ${BY_CLUSTER} index with a sort key`);
  return { ...index, sortKey: index.sortKey };
}

/**
 * The current rows of one cluster's tasks or container instances, from the latest-state table's
 * byCluster index (clusterArn, then lastStatus for tasks / status for instances), page by page.
 */
export function queryClusterState(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  kind: StateKind,
  clusterArn: string,
  options: PageOptions & { readonly status?: string | undefined } = {},
): AsyncGenerator<Row> {
  const index = byClusterIndex(kind);
  const table = tables[KINDS[kind].state.table];
  const status = options.status !== undefined;
  return queryItems(
    doc,
    {
      TableName: table,
      IndexName: index.name,
      KeyConditionExpression: `#c = :c${status ? ' AND #s = :s' : ''}`,
      ExpressionAttributeNames: { '#c': index.partitionKey, ...(status && { '#s': index.sortKey }) },
      ExpressionAttributeValues: { ':c': clusterArn, ...(status && { ':s': options.status }) },
    },
    stateContext(kind, table, index.name),
    options,
  );
}

const SCAN_SEGMENTS = 4;

/** Distinct values of `clusterArn` ending in `suffix` in one table: a parallel Scan projecting only that attribute. */
async function clusterArnsIn(doc: DynamoDBDocumentClient, kind: StateKind, table: string, suffix: string) {
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
          FilterExpression: 'contains(#c, :suffix)',
          ExpressionAttributeNames: { '#c': 'clusterArn' },
          ExpressionAttributeValues: { ':suffix': suffix },
        },
        stateContext(kind, table),
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const arn = item.clusterArn;
          if (typeof arn === 'string' && arn.endsWith(suffix)) found.add(arn);
        }
      }
    }),
  );
  return found;
}

/**
 * Cluster ARNs ending in `:cluster/<name>` that the latest-state tables know (both of them: one
 * name can exist in several accounts or regions, and the caller must hear about it). A Scan reads
 * the whole table, so this costs as much as the tables are large; a cluster ARN skips it.
 */
export async function clusterArnsNamed(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  name: string,
): Promise<string[]> {
  const suffix = `:cluster/${name}`;
  const found = await Promise.all(
    (['instance', 'task'] as const).map((kind) => clusterArnsIn(doc, kind, tables[KINDS[kind].state.table], suffix)),
  );
  return [...new Set(found.flatMap((s) => [...s]))].sort();
}

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
): AsyncGenerator<{ readonly arn: string; readonly version: unknown }[]> {
  const key = KINDS[scan.kind].state.key;
  const pages = scanPages(
    doc,
    {
      TableName: scan.table,
      Segment: scan.segment,
      TotalSegments: scan.totalSegments,
      ProjectionExpression: '#key, #version',
      ExpressionAttributeNames: { '#key': key, '#version': 'version' },
    },
    stateContext(scan.kind, scan.table),
    scan,
  );
  for await (const page of pages)
    yield (page.Items ?? []).map((row) => ({ arn: row[key] as string, version: row.version }));
}
