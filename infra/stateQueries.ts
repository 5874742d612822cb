import { type DynamoDBDocumentClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { StateKind } from '../domain/eventTypes.js';
import type { TableNames } from './config.js';
import { explainDynamoError } from './dynamoErrors.js';
import { type PageOptions, queryItems } from './logQueries.js';
import model, { type TableKind } from './tables.cjs';

const TABLE_OF: Record<StateKind, TableKind> = { task: 'taskState', instance: 'instanceState' };
const BY_CLUSTER = 'byCluster';

/** The byCluster index of a latest-state table, as the table model defines it. */
function byClusterIndex(kind: StateKind) {
  const index = model.tables[TABLE_OF[kind]].indexes.find((i) => i.name === BY_CLUSTER);
  if (!index?.sortKey) throw new Error(`table model: ${TABLE_OF[kind]} has no ${BY_CLUSTER} index with a sort key`);
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
): AsyncGenerator<Record<string, unknown>> {
  const index = byClusterIndex(kind);
  const table = tables[TABLE_OF[kind]];
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
    { table, index: index.name, envVar: model.tables[TABLE_OF[kind]].envVar },
    options,
  );
}

const SCAN_SEGMENTS = 4;

/** Distinct values of `clusterArn` ending in `suffix` in one table: a parallel Scan projecting only that attribute. */
async function clusterArnsIn(doc: DynamoDBDocumentClient, table: string, envVar: string, suffix: string) {
  const found = new Set<string>();
  await Promise.all(
    Array.from({ length: SCAN_SEGMENTS }, async (_, Segment) => {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        let page: ScanCommandOutput;
        try {
          page = await doc.send(
            new ScanCommand({
              TableName: table,
              Segment,
              TotalSegments: SCAN_SEGMENTS,
              ProjectionExpression: '#c',
              FilterExpression: 'contains(#c, :suffix)',
              ExpressionAttributeNames: { '#c': 'clusterArn' },
              ExpressionAttributeValues: { ':suffix': suffix },
              ExclusiveStartKey,
            }),
          );
        } catch (e) {
          throw explainDynamoError(e, { table, envVar });
        }
        for (const item of page.Items ?? []) {
          const arn = item.clusterArn;
          if (typeof arn === 'string' && arn.endsWith(suffix)) found.add(arn);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
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
    (['instance', 'task'] as const).map((kind) =>
      clusterArnsIn(doc, tables[TABLE_OF[kind]], model.tables[TABLE_OF[kind]].envVar, suffix),
    ),
  );
  return [...new Set(found.flatMap((s) => [...s]))].sort();
}
