import { type DynamoDBDocumentClient, GetCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { isEcsArnOf } from '../domain/arn.js';
import { mergeByTime } from '../domain/audit/merge.js';
import type { StoredEvent } from '../domain/audit/storedEvent.js';
import { compareTimeline, type TimelineEntry } from '../domain/audit/timeline.js';
import { derivedVersionRange, intersectVersions, type TimeWindow, type VersionRange } from '../domain/audit/window.js';
import {
  DETAIL_TYPE_NAMES,
  KINDS,
  missingKindOf,
  observationKindOf,
  observedPartition,
  resourceOfPartitionKey,
  type StateKind,
} from '../domain/kinds.js';
import type { LogItem } from '../domain/logItem.js';
import { isOtherPartition } from '../domain/otherEvents.js';
import { LAST_SEEN_MISSING_AT, type Projection, project } from '../domain/projection.js';
import { PROJECTABLE_FIELDS } from '../domain/tamper.js';
import { timelineKeys } from '../domain/timeline.js';
import { batchGetAll } from './batchGet.js';
import { explainDynamoError } from './dynamoErrors.js';
import { logContext, TIMELINE_INDEX } from './logTable.js';
import { type PageOptions, queryItems } from './paging.js';

// Reads of the event log by key: one resource's history, the cluster timeline, items by (arn, version).

/** The key of one log item. */
export interface LogKey {
  readonly arn: string;
  readonly version: number;
}

export interface LogQuery extends VersionRange, TimeWindow, PageOptions {
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

/**
 * Every log item of one partition (a task, container instance or service, or a resource's `#other`
 * partition), oldest version first (or newest first), within a version range and an event-time
 * window [since, until). For a service or `#other` partition the time window also narrows the key
 * range, because its versions are derived from the event time.
 */
export async function* queryLog(
  doc: DynamoDBDocumentClient,
  table: string,
  arn: string,
  query: LogQuery = {},
): AsyncGenerator<LogItem> {
  // Versions derived from the event time: a service's, a `#other` or a `#call` partition's.
  const derived =
    isEcsArnOf(arn, 'service') || isOtherPartition(arn) || resourceOfPartitionKey(KINDS.apiCall, arn) !== undefined;
  const range = derived ? intersectVersions(query, derivedVersionRange(query)) : query;
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

/**
 * The newest log item of one detail-type in a partition (the latest health change in an instance's
 * `#other` partition, ...), if the log has one. Reads newest first, filtered on the detail-type,
 * in small pages: the newest items of a partition are mostly of the type asked for.
 */
export async function latestOfDetailType(
  doc: DynamoDBDocumentClient,
  table: string,
  arn: string,
  detailType: string,
  options: PageOptions = {},
): Promise<LogItem | undefined> {
  const x = new Expression();
  x.keyCondition(`${x.name('arn')} = ${x.value(arn)}`);
  x.filterCondition(`${x.name('detailType')} = ${x.value(detailType)}`);
  const input: QueryCommandInput = { TableName: table, ...x.input(), ScanIndexForward: false };
  return first(
    queryItems(doc, input, logContext(table), { pageSize: options.pageSize ?? 10 }) as AsyncGenerator<LogItem>,
  );
}

interface TimelineQuery extends PageOptions {
  readonly sinceMs: number;
  readonly untilMs: number;
  /** Only these detail-types (default all, unless otherTypes is given). */
  readonly detailTypes?: readonly string[] | undefined;
  /**
   * With detailTypes: also every detail-type not named in domain/kinds.ts (kind `other`). Alone
   * (detailTypes absent): only those.
   */
  readonly otherTypes?: boolean | undefined;
  /** Only events whose lastStatus, status or eventName is this (domain/audit/timeline.ts). */
  readonly status?: string | undefined;
  /** Hour buckets whose first pages are requested ahead of reading them (default 4). */
  readonly prefetchHours?: number | undefined;
}

/**
 * Timeline entries with their cluster: the one queried, since every entry of a timeline partition is
 * of that cluster. Items written before issue 15 also hold it as an attribute; newer ones do not.
 */
async function* withCluster(items: AsyncIterable<Record<string, unknown>>, clusterArn: string) {
  for await (const item of items) yield { ...item, clusterArn } as unknown as TimelineEntry;
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
  if (query.detailTypes?.length === 0 && !query.otherTypes) return;
  const hours = timelineKeys(clusterArn, query.sinceMs, query.untilMs - 1);
  const partition = (timelineKey: string): AsyncIterable<TimelineEntry> => {
    const x = new Expression();
    x.keyCondition(`${x.name('timelineKey')} = ${x.value(timelineKey)}`);
    x.keyCondition(`${x.name('eventTime')} BETWEEN ${x.value(query.sinceMs)} AND ${x.value(query.untilMs - 1)}`);
    const named = (types: readonly string[]) =>
      `${x.name('detailType')} IN (${types.map((t) => x.value(t)).join(', ')})`;
    const listed = query.detailTypes && query.detailTypes.length > 0 ? named(query.detailTypes) : undefined;
    const others = query.otherTypes ? `NOT (${named(DETAIL_TYPE_NAMES)})` : undefined;
    if (listed && others) x.filterCondition(`(${listed} OR ${others})`);
    else if (listed || others) x.filterCondition((listed ?? others) as string);
    if (query.status !== undefined) {
      const s = x.value(query.status);
      x.filterCondition(`(${['lastStatus', 'status', 'eventName'].map((f) => `${x.name(f)} = ${s}`).join(' OR ')})`);
    }
    const input: QueryCommandInput = { TableName: table, IndexName: TIMELINE_INDEX, ...x.input() };
    return eager(withCluster(queryItems(doc, input, logContext(table, TIMELINE_INDEX), query), clusterArn));
  };
  const ahead = Math.max(1, query.prefetchHours ?? 4);
  const started: AsyncIterable<TimelineEntry>[][] = [];
  let next = 0;
  while (next < hours.length || started.length > 0) {
    while (started.length < ahead && next < hours.length) started.push((hours[next++] as string[]).map(partition));
    yield* mergeByTime(started.shift() as AsyncIterable<TimelineEntry>[], (e) => e.eventTime, compareTimeline);
  }
}

/** Only the key attributes: BatchGetItem refuses a key with more (timeline entries carry their summary). */
const logKey = (k: LogKey) => ({ arn: k.arn, version: k.version });

/** The stored events of these keys that the log holds, in no particular order (one BatchGetItem per 100). */
export const readStoredEvents = (
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly LogKey[],
): Promise<StoredEvent[]> =>
  batchGetAll<StoredEvent>(doc, table, keys.map(logKey), {
    attributes: PROJECTABLE_FIELDS,
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
async function latestFromLog(
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

/**
 * What a fresh projection of the log gives for one task or instance, observations included: the
 * latest state over its events (`<arn>`) and its observations (`<arn>#observed`), with the missing
 * mark of that version (`<arn>#observed-missing`) folded in as `lastSeenMissingAt`. At an equal
 * version an event and an observation are two accounts of one state (ECS: an equal version is a
 * duplicate) and the first to reach the row stays: `expected` is the event's, `alternatives` holds
 * the other, which a row may equally hold. Strongly consistent: used to recheck.
 */
export async function latestStateFromLog(
  doc: DynamoDBDocumentClient,
  table: string,
  kind: StateKind,
  arn: string,
  ttlDays: number,
): Promise<{ readonly expected: Projection | undefined; readonly alternatives: Projection[] }> {
  const [event, observed] = await Promise.all([
    latestFromLog(doc, table, arn, ttlDays),
    latestFromLog(doc, table, observedPartition(observationKindOf(kind), arn), ttlDays),
  ]);
  const candidates = [event, observed].filter((p): p is Projection => p !== undefined);
  const top = Math.max(...candidates.map((p) => p.version));
  const [expected, ...alternatives] = candidates.filter((p) => p.version === top);
  if (!expected) return { expected: undefined, alternatives: [] };
  const { Item } = await doc
    .send(
      new GetCommand({
        TableName: table,
        Key: { arn: observedPartition(missingKindOf(kind), arn), version: top },
        ConsistentRead: true,
      }),
    )
    .catch((e: unknown) => {
      throw explainDynamoError(e, logContext(table));
    });
  const mark = Item ? project(Item as never, { ttlDays }) : undefined;
  const marked = (p: Projection): Projection =>
    mark?.type === 'mark' ? { ...p, row: { ...p.row, [LAST_SEEN_MISSING_AT]: mark.mark.at } } : p;
  return { expected: marked(expected), alternatives: alternatives.map(marked) };
}
