import { type DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DETAIL_TYPES, type DetailType, type StateKind } from '../domain/eventTypes.js';
import { type Projection, project } from '../domain/projection.js';
import { reduceStep } from '../domain/reduceLatest.js';
import { explainDynamoError } from './dynamoErrors.js';
import { type RetryOptions, withRetry } from './retry.js';
import model from './tables.cjs';

/** The log attributes projection reads (domain/projection.ts ProjectableItem), for scans that only project. */
export const PROJECTABLE_ATTRIBUTES = {
  ProjectionExpression: '#arn, #version, #detailType, #event, #eventTime, #eventId',
  ExpressionAttributeNames: {
    '#arn': 'arn',
    '#version': 'version',
    '#detailType': 'detailType',
    '#event': 'event',
    '#eventTime': 'eventTime',
    '#eventId': 'eventId',
  },
};

/** The key of one log item. */
export interface LogKey {
  readonly arn: string;
  readonly version: number;
}

export interface SegmentScan {
  readonly eventLog: string;
  readonly segment: number;
  readonly totalSegments: number;
  /** Which latest-state kinds to read; service and deployment events are history only and never read. */
  readonly kinds: readonly StateKind[];
  readonly ttlDays: number;
  /** DynamoDB `Limit` per Scan request; unset, DynamoDB's 1 MB page. */
  readonly pageSize?: number | undefined;
  /** Resume after this key (a previous page's LastEvaluatedKey). */
  readonly startKey?: Record<string, unknown> | undefined;
  /** The run in progress when the previous page ended (restored from a checkpoint). */
  readonly pending?: Projection | undefined;
  readonly retry?: RetryOptions;
}

export interface LatestPage {
  /** Items DynamoDB read for this page (ScannedCount, service events included). */
  readonly scanned: number;
  /** Latest projections of the resources whose run ended on this page (the segment's last run included). */
  readonly emitted: Projection[];
  /** Log items that cannot be projected (kept in the log, counted, never written). */
  readonly poison: string[];
  /** Where the next page starts; undefined when the segment is finished. */
  readonly lastEvaluatedKey: Record<string, unknown> | undefined;
  /** The run still in progress at the end of the page (its resource may continue on the next page). */
  readonly pending: Projection | undefined;
}

/** The detail-types whose events project into these kinds of latest-state rows. */
export const detailTypesOf = (kinds: readonly StateKind[]): DetailType[] =>
  (Object.keys(DETAIL_TYPES) as DetailType[]).filter((t) => (kinds as readonly string[]).includes(DETAIL_TYPES[t]));

/**
 * One segment of a parallel Scan of the log, page by page, reduced on the fly to the latest
 * projection per resource (domain/reduceLatest.ts): memory holds one page and one pending run.
 * The filter on detailType saves transfer and parsing only: DynamoDB bills the items it reads.
 */
export async function* scanLatest(doc: DynamoDBDocumentClient, scan: SegmentScan): AsyncGenerator<LatestPage> {
  const types = detailTypesOf(scan.kinds);
  const values = Object.fromEntries(types.map((t, i) => [`:t${i}`, t]));
  let pending = scan.pending;
  let startKey = scan.startKey;
  do {
    const page = await withRetry(
      () =>
        doc.send(
          new ScanCommand({
            TableName: scan.eventLog,
            Segment: scan.segment,
            TotalSegments: scan.totalSegments,
            Limit: scan.pageSize,
            ExclusiveStartKey: startKey,
            FilterExpression: `#detailType IN (${Object.keys(values).join(', ')})`,
            ...PROJECTABLE_ATTRIBUTES,
            ExpressionAttributeValues: values,
          }),
        ),
      scan.retry,
    ).catch((e: unknown) => {
      throw explainDynamoError(e, { table: scan.eventLog, envVar: model.tables.eventLog.envVar });
    });
    const emitted: Projection[] = [];
    const poison: string[] = [];
    for (const item of page.Items ?? []) {
      const outcome = project(item as never, { ttlDays: scan.ttlDays });
      if (outcome.type === 'poison') poison.push(outcome.message);
      if (outcome.type !== 'state') continue;
      const step = reduceStep(pending, outcome.projection);
      pending = step.pending;
      if (step.emit) emitted.push(step.emit);
    }
    startKey = page.LastEvaluatedKey;
    if (!startKey && pending) {
      emitted.push(pending);
      pending = undefined;
    }
    yield { scanned: page.ScannedCount ?? 0, emitted, poison, lastEvaluatedKey: startKey, pending };
  } while (startKey);
}

/** The projection of one log item, by key (to restore a checkpoint's pending run). */
export async function projectLogItem(
  doc: DynamoDBDocumentClient,
  eventLog: string,
  key: LogKey,
  ttlDays: number,
  retry?: RetryOptions,
): Promise<Projection> {
  const { Item } = await withRetry(
    () => doc.send(new GetCommand({ TableName: eventLog, Key: { arn: key.arn, version: key.version } })),
    retry,
  );
  const outcome = Item ? project(Item as never, { ttlDays }) : undefined;
  if (outcome?.type !== 'state') throw new Error(`log item ${key.arn} v${key.version} cannot be projected any more`);
  return outcome.projection;
}

/**
 * The log's latest projectable state of one resource: newest version first, past any poison item.
 * Undefined when the log holds no projectable event for it. Strongly consistent: used to recheck.
 */
export async function latestFromLog(
  doc: DynamoDBDocumentClient,
  eventLog: string,
  arn: string,
  ttlDays: number,
  retry?: RetryOptions,
): Promise<Projection | undefined> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await withRetry(
      () =>
        doc.send(
          new QueryCommand({
            TableName: eventLog,
            KeyConditionExpression: '#arn = :arn',
            ExpressionAttributeNames: { '#arn': 'arn' },
            ExpressionAttributeValues: { ':arn': arn },
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: 4,
            ExclusiveStartKey: startKey,
          }),
        ),
      retry,
    );
    for (const item of page.Items ?? []) {
      const outcome = project(item as never, { ttlDays });
      if (outcome.type === 'state') return outcome.projection;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return undefined;
}
