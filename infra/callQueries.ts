import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { CALL_DETAIL_TYPE } from '../domain/apiCalls/actions.js';
import { callKeys, clusterOfCallKey } from '../domain/apiCalls/callIndex.js';
import type { CallEntry } from '../domain/apiCalls/joins.js';
import { compareTimeline, type TimelineEntry } from '../domain/audit/timeline.js';
import { KINDS, partitionKeyOf, resourceOfPartitionKey } from '../domain/kinds.js';
import type { LogItem } from '../domain/logItem.js';
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
  const out: (CallEntry & { clusterArn: string })[] = [];
  const clusters = typeof clusterArns === 'string' ? [clusterArns] : clusterArns;
  await readCallIndex(doc, table, clusters, window, options, (item, clusterArn) =>
    out.push(callEntryOf(item, clusterArn)),
  );
  return out.sort((a, b) => a.eventTime - b.eventTime || a.resourceArn.localeCompare(b.resourceArn));
}

/** Every index entry of these clusters in [sinceMs, untilMs), to `take`: PARALLEL_DAYS day partitions at a time. */
async function readCallIndex(
  doc: DynamoDBDocumentClient,
  table: string,
  clusters: readonly string[],
  window: { readonly sinceMs: number; readonly untilMs: number },
  options: PageOptions,
  take: (item: Record<string, unknown>, clusterArn: string) => void,
): Promise<void> {
  if (window.untilMs <= window.sinceMs) return;
  const days = clusters.flatMap((c) => callKeys(c, window.sinceMs, window.untilMs - 1).map((key) => [c, key]));
  const read = async ([clusterArn, key]: string[]) => {
    const input: QueryCommandInput = {
      TableName: table,
      IndexName: CALLS_INDEX,
      KeyConditionExpression: '#k = :k AND #t BETWEEN :since AND :until',
      ExpressionAttributeNames: { '#k': 'callKey', '#t': 'eventTime' },
      ExpressionAttributeValues: { ':k': key, ':since': window.sinceMs, ':until': window.untilMs - 1 },
    };
    for await (const item of queryItems(doc, input, logContext(table, CALLS_INDEX), options)) {
      take(item, clusterArn as string);
    }
  };
  for (let i = 0; i < days.length; i += PARALLEL_DAYS) await Promise.all(days.slice(i, i + PARALLEL_DAYS).map(read));
}

/** A call item of a resource's `#call` partition, with its join entry. */
export type ResourceCall = CallEntry & { readonly clusterArn: string; readonly item: LogItem };

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
): Promise<ResourceCall[]> {
  const out: ResourceCall[] = [];
  for await (const item of queryLog(doc, table, partitionKeyOf(KINDS.apiCall, resourceArn), {
    ...window,
    ...options,
  })) {
    const entry = callEntryOf(item as unknown as Record<string, unknown>, clusterOfCallKey(String(item.callKey)));
    out.push({ ...entry, item });
  }
  return out.sort((a, b) => a.eventTime - b.eventTime);
}

/** A call on the cluster timeline: its index entry as a timeline row, with who made it and its error. */
export type CallTimelineEntry = TimelineEntry & { readonly principal?: string; readonly errorCode?: string };

/**
 * A cluster's calls in [sinceMs, untilMs) as timeline rows, in timeline order (`timeline` merges
 * them with the cluster timeline index's events): the calls index, one Query per UTC day.
 */
export async function* queryCallTimeline(
  doc: DynamoDBDocumentClient,
  table: string,
  clusterArn: string,
  window: { readonly sinceMs: number; readonly untilMs: number; readonly action?: string },
  options: PageOptions = {},
): AsyncGenerator<CallTimelineEntry> {
  const rows: CallTimelineEntry[] = [];
  await readCallIndex(doc, table, [clusterArn], window, options, (item) => {
    if (window.action !== undefined && item.eventName !== window.action) return;
    rows.push({
      arn: String(item.arn),
      version: item.version as number,
      eventTime: item.eventTime as number,
      detailType: CALL_DETAIL_TYPE,
      clusterArn,
      ...(typeof item.eventId === 'string' && { eventId: item.eventId }),
      ...(typeof item.eventName === 'string' && { eventName: item.eventName }),
      ...(typeof item.principal === 'string' && { principal: item.principal }),
      ...(typeof item.errorCode === 'string' && { errorCode: item.errorCode }),
    });
  });
  yield* rows.sort(compareTimeline);
}
