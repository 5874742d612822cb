import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { callKeys, clusterOfCallKey } from '../domain/apiCalls/callIndex.js';
import type { CallEntry } from '../domain/apiCalls/joins.js';
import { KINDS, partitionKeyOf, resourceOfPartitionKey } from '../domain/kinds.js';
import { queryLog } from './logQueries.js';
import { logContext } from './logTable.js';
import { type PageOptions, queryItems } from './paging.js';
import model from './tables.cjs';

// Reads of the calls index (infra/tables.cjs byClusterCalls): a cluster's ECS API calls by day.

/** The calls index of the log, by its name in the table model. */
export const CALLS_INDEX = model.tables.eventLog.indexes.find((i) => i.partitionKey === 'callKey')?.name as string;

/** Day partitions read at once: a 30-day window is 31 Queries. */
const PARALLEL_DAYS = 8;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One index entry (or call item) as the joins take it; the resource is the item's key without its `#call`. */
export function callEntryOf(item: Record<string, unknown>, clusterArn: string): CallEntry & { clusterArn: string } {
  const principalArn = text(item.principalArn);
  const errorCode = text(item.errorCode);
  const deploymentId = text(item.deploymentId);
  return {
    eventId: text(item.eventId) ?? `${item.arn}#${item.version}`,
    action: text(item.eventName) ?? 'unknown',
    principal: text(item.principal) ?? 'unknown',
    ...(principalArn !== undefined && { principalArn }),
    ...(errorCode !== undefined && { errorCode }),
    resourceArn: resourceOfPartitionKey(KINDS.apiCall, item.arn) ?? String(item.arn),
    eventTime: item.eventTime as number,
    ...(deploymentId !== undefined && { deploymentId }),
    clusterArn,
  };
}

/**
 * The calls of one or more clusters with an event time in [sinceMs, untilMs), oldest first (ties by
 * resource): one Query per cluster and UTC day, several days at once. Index entries only: no item
 * is fetched.
 */
export async function queryCalls(
  doc: DynamoDBDocumentClient,
  table: string,
  clusterArns: string | readonly string[],
  window: { readonly sinceMs: number; readonly untilMs: number },
  options: PageOptions = {},
): Promise<(CallEntry & { clusterArn: string })[]> {
  if (window.untilMs <= window.sinceMs) return [];
  const clusters = typeof clusterArns === 'string' ? [clusterArns] : clusterArns;
  const days = clusters.flatMap((c) => callKeys(c, window.sinceMs, window.untilMs - 1).map((key) => [c, key]));
  const read = async ([clusterArn, key]: string[]) => {
    const input: QueryCommandInput = {
      TableName: table,
      IndexName: CALLS_INDEX,
      KeyConditionExpression: '#k = :k AND #t BETWEEN :since AND :until',
      ExpressionAttributeNames: { '#k': 'callKey', '#t': 'eventTime' },
      ExpressionAttributeValues: { ':k': key, ':since': window.sinceMs, ':until': window.untilMs - 1 },
    };
    const out: (CallEntry & { clusterArn: string })[] = [];
    for await (const item of queryItems(doc, input, logContext(table, CALLS_INDEX), options)) {
      out.push(callEntryOf(item, clusterArn as string));
    }
    return out;
  };
  const results: (CallEntry & { clusterArn: string })[][] = [];
  for (let i = 0; i < days.length; i += PARALLEL_DAYS) {
    results.push(...(await Promise.all(days.slice(i, i + PARALLEL_DAYS).map(read))));
  }
  return results.flat().sort((a, b) => a.eventTime - b.eventTime || a.resourceArn.localeCompare(b.resourceArn));
}

/**
 * The calls filed under one resource (its `<arn>#call` partition) with an event time in the window,
 * oldest first: one Query, what `history` and `deployments` join on.
 */
export async function queryResourceCalls(
  doc: DynamoDBDocumentClient,
  table: string,
  resourceArn: string,
  window: { readonly sinceMs?: number; readonly untilMs?: number },
  options: PageOptions = {},
): Promise<(CallEntry & { clusterArn: string })[]> {
  const out: (CallEntry & { clusterArn: string })[] = [];
  for await (const item of queryLog(doc, table, partitionKeyOf(KINDS.apiCall, resourceArn), {
    ...window,
    ...options,
  })) {
    out.push(callEntryOf(item as unknown as Record<string, unknown>, clusterOfCallKey(String(item.callKey))));
  }
  return out.sort((a, b) => a.eventTime - b.eventTime);
}
