import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { isEcsArnOf } from '../domain/arn.js';
import { mergeByTime } from '../domain/audit/merge.js';
import type { StoredEvent } from '../domain/audit/storedEvent.js';
import { compareTimeline, type TimelineEntry } from '../domain/audit/timeline.js';
import { intersectVersions, serviceVersionRange, type TimeWindow, type VersionRange } from '../domain/audit/window.js';
import type { LogItem } from '../domain/logItem.js';
import { type Projection, project } from '../domain/projection.js';
import { timelineKeys } from '../domain/timeline.js';
import { batchGetAll } from './batchGet.js';
import type { TableContext } from './dynamoErrors.js';
import { type PageOptions, queryItems } from './paging.js';
import model from './tables.cjs';

// Reads of the event log by key: one resource's history, the cluster timeline, items by (arn, version).

const TIMELINE_INDEX = 'byClusterTime';

/** The key of one log item. */
export interface LogKey {
  readonly arn: string;
  readonly version: number;
}

interface LogQuery extends VersionRange, TimeWindow, PageOptions {
  /** Newest version first. */
  readonly descending?: boolean;
}

/** Conditions of a Query, with the attribute names and values they use. */
class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly key: string[] = [];
  private readonly filter: string[] = [];
  private n = 0;

  value(v: unknown): string {
    const placeholder = `:v${this.n++}`;
    this.values[placeholder] = v;
    return placeholder;
  }
  name(attribute: string): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }
  keyCondition(condition: string): this {
    this.key.push(condition);
    return this;
  }
  filterCondition(condition: string): this {
    this.filter.push(condition);
    return this;
  }
  /** The expression parts of a QueryCommandInput. */
  input(): Pick<
    QueryCommandInput,
    'KeyConditionExpression' | 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
  > {
    return {
      KeyConditionExpression: this.key.join(' AND '),
      ...(this.filter.length > 0 && { FilterExpression: this.filter.join(' AND ') }),
      ...(Object.keys(this.names).length > 0 && { ExpressionAttributeNames: this.names }),
      ExpressionAttributeValues: this.values,
    };
  }
}

function sortKeyCondition(x: Expression, attribute: string, range: VersionRange): void {
  const { fromVersion: lo, toVersion: hi } = range;
  if (lo === undefined && hi === undefined) return;
  const a = x.name(attribute);
  if (lo !== undefined && hi !== undefined) x.keyCondition(`${a} BETWEEN ${x.value(lo)} AND ${x.value(hi)}`);
  else if (lo !== undefined) x.keyCondition(`${a} >= ${x.value(lo)}`);
  else x.keyCondition(`${a} <= ${x.value(hi)}`);
}

function timeFilter(x: Expression, window: TimeWindow): void {
  if (window.sinceMs !== undefined) x.filterCondition(`${x.name('eventTime')} >= ${x.value(window.sinceMs)}`);
  if (window.untilMs !== undefined) x.filterCondition(`${x.name('eventTime')} < ${x.value(window.untilMs)}`);
}

const logContext = (table: string, index?: string): TableContext => ({
  table,
  index,
  envVar: model.tables.eventLog.envVar,
});

/**
 * Every log item of one task, container instance or service, oldest version first (or newest first),
 * within a version range and an event-time window [since, until). For a service ARN the time window
 * also narrows the key range, because its versions encode the event time.
 */
export async function* queryLog(
  doc: DynamoDBDocumentClient,
  table: string,
  arn: string,
  query: LogQuery = {},
): AsyncGenerator<LogItem> {
  const range = isEcsArnOf(arn, 'service') ? intersectVersions(query, serviceVersionRange(query)) : query;
  if (range.fromVersion !== undefined && range.toVersion !== undefined && range.fromVersion > range.toVersion) return;
  const x = new Expression();
  x.keyCondition(`${x.name('arn')} = ${x.value(arn)}`);
  sortKeyCondition(x, 'version', range);
  timeFilter(x, query);
  const input: QueryCommandInput = { TableName: table, ...x.input(), ScanIndexForward: !query.descending };
  yield* queryItems(doc, input, logContext(table), query) as AsyncGenerator<LogItem>;
}

/** The first item of an async sequence, closing it after. */
async function first<T>(items: AsyncIterable<T>): Promise<T | undefined> {
  for await (const item of items) return item;
  return undefined;
}

/**
 * The resource as it was at `atMs`: the highest version whose event time is at or before it
 * (domain/audit/stateAt.ts). Reads newest first and stops at the first visible version.
 */
export const logStateAt = (
  doc: DynamoDBDocumentClient,
  table: string,
  arn: string,
  atMs: number,
  options: PageOptions = {},
): Promise<LogItem | undefined> =>
  first(queryLog(doc, table, arn, { ...options, untilMs: atMs + 1, descending: true }));

/** The oldest log item of a resource, if the log has any. */
export const firstLogItem = (
  doc: DynamoDBDocumentClient,
  table: string,
  arn: string,
  options: PageOptions = {},
): Promise<LogItem | undefined> => first(queryLog(doc, table, arn, { pageSize: options.pageSize ?? 1 }));

interface TimelineQuery extends PageOptions {
  readonly sinceMs: number;
  readonly untilMs: number;
  /** Only these detail-types (default all). */
  readonly detailTypes?: readonly string[] | undefined;
  /** Only events whose lastStatus, status or eventName is this (domain/audit/timeline.ts). */
  readonly status?: string | undefined;
  /** Hour buckets whose first pages are requested ahead of reading them (default 4). */
  readonly prefetchHours?: number | undefined;
}

/** Starts the first request of a sequence now, so that several partitions are read concurrently. */
function eager<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  const it = source[Symbol.asyncIterator]();
  let head: Promise<IteratorResult<T>> | undefined = it.next();
  // Observed later (or dropped when the reader stops early); never an unhandled rejection.
  head.catch(() => {});
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        const p = head ?? it.next();
        head = undefined;
        return p;
      },
      return: async (value?: unknown) => {
        head = undefined;
        return (await it.return?.(value as T)) ?? { done: true, value: value as T };
      },
    }),
  };
}

/**
 * Every event of a cluster with an event time in [since, until), in timeline order (event time,
 * then ARN, then version). Reads the byClusterTime index: each hour bucket is spread over
 * TIMELINE_SHARDS partitions (domain/timeline.ts), which are queried concurrently and merged; hours
 * follow each other in time, so they are read one after another with a few prefetched. Memory holds a
 * page per partition being read, never the window.
 */
export async function* queryTimeline(
  doc: DynamoDBDocumentClient,
  table: string,
  clusterArn: string,
  query: TimelineQuery,
): AsyncGenerator<TimelineEntry> {
  if (query.untilMs <= query.sinceMs) return;
  const hours = timelineKeys(clusterArn, query.sinceMs, query.untilMs - 1);
  const partition = (timelineKey: string): AsyncIterable<TimelineEntry> => {
    const x = new Expression();
    x.keyCondition(`${x.name('timelineKey')} = ${x.value(timelineKey)}`);
    x.keyCondition(`${x.name('eventTime')} BETWEEN ${x.value(query.sinceMs)} AND ${x.value(query.untilMs - 1)}`);
    if (query.detailTypes) {
      x.filterCondition(`${x.name('detailType')} IN (${query.detailTypes.map((t) => x.value(t)).join(', ')})`);
    }
    if (query.status !== undefined) {
      const s = x.value(query.status);
      x.filterCondition(`(${['lastStatus', 'status', 'eventName'].map((f) => `${x.name(f)} = ${s}`).join(' OR ')})`);
    }
    const input: QueryCommandInput = { TableName: table, IndexName: TIMELINE_INDEX, ...x.input() };
    return eager(queryItems(doc, input, logContext(table, TIMELINE_INDEX), query) as AsyncGenerator<TimelineEntry>);
  };
  const ahead = Math.max(1, query.prefetchHours ?? 4);
  const started: AsyncIterable<TimelineEntry>[][] = [];
  let next = 0;
  while (next < hours.length || started.length > 0) {
    while (started.length < ahead && next < hours.length) started.push((hours[next++] as string[]).map(partition));
    yield* mergeByTime(started.shift() as AsyncIterable<TimelineEntry>[], (e) => e.eventTime, compareTimeline);
  }
}

/** The attributes of a stored event (domain/audit/storedEvent.ts), which the timeline index does not project. */
const STORED_EVENT_ATTRIBUTES = ['arn', 'version', 'detailType', 'eventTime', 'eventId', 'event'] as const;

/** Only the key attributes: BatchGetItem refuses a key with more (timeline entries carry their summary). */
const logKey = (k: LogKey) => ({ arn: k.arn, version: k.version });

/** The stored events of these keys that the log holds, in no particular order (one BatchGetItem per 100). */
export const readStoredEvents = (
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly LogKey[],
): Promise<StoredEvent[]> =>
  batchGetAll<StoredEvent>(doc, table, keys.map(logKey), {
    attributes: STORED_EVENT_ATTRIBUTES,
    context: logContext(table),
  });

/** Which of these keys the log holds (a key-only BatchGetItem). */
export const existingLogKeys = (
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly LogKey[],
): Promise<LogKey[]> =>
  batchGetAll<LogKey>(doc, table, keys.map(logKey), { attributes: ['arn', 'version'], context: logContext(table) });

/**
 * The log's latest projectable state of one resource: newest version first, past any poison item.
 * Undefined when the log holds no projectable event for it. Strongly consistent: used to recheck.
 */
export async function latestFromLog(
  doc: DynamoDBDocumentClient,
  table: string,
  arn: string,
  ttlDays: number,
): Promise<Projection | undefined> {
  const items = queryItems(
    doc,
    {
      TableName: table,
      KeyConditionExpression: '#arn = :arn',
      ExpressionAttributeNames: { '#arn': 'arn' },
      ExpressionAttributeValues: { ':arn': arn },
      ScanIndexForward: false,
      ConsistentRead: true,
    },
    logContext(table),
    // The newest item is nearly always projectable: small pages, so one request usually suffices.
    { pageSize: 4 },
  );
  for await (const item of items) {
    const outcome = project(item as never, { ttlDays });
    if (outcome.type === 'state') return outcome.projection;
  }
  return undefined;
}
