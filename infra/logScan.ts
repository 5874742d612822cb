import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { FindingError } from '../domain/errors.js';
import {
  detailTypesOf,
  isObservedKind,
  kindOfDetailType,
  resourceArnOfPartition,
  rowKindOf,
  rowKindsOf,
  type StateKind,
} from '../domain/kinds.js';
import { type MissingMark, type Projection, project } from '../domain/projection.js';
import { reduceStep } from '../domain/reduceLatest.js';
import { PROJECTABLE_FIELDS } from '../domain/tamper.js';
import { projectionOf } from './batchGet.js';
import { countRetries, type OnRetries } from './client.js';
import { explainDynamoError } from './dynamoErrors.js';
import type { LogKey } from './logQueries.js';
import { logContext, TIMELINE_INDEX } from './logTable.js';
import { type PagingOptions, scanPages } from './paging.js';

// Whole-log reads: one segment of a parallel Scan at a time (rebuild, verify).

/** The log attributes projection reads (domain/projection.ts ProjectableItem), for scans that only project. */
export const PROJECTABLE_ATTRIBUTES = projectionOf(PROJECTABLE_FIELDS);

/** `#detailType IN (...)` over the detail-types of these kinds, with its values. */
function detailTypeFilter(kinds: readonly StateKind[]) {
  // The kinds' own events, and what the reconciler observed of them (observations, missing marks).
  const values = Object.fromEntries(detailTypesOf(rowKindsOf(kinds)).map((t, i) => [`:t${i}`, t]));
  return { condition: `#detailType IN (${Object.keys(values).join(', ')})`, values };
}

interface SegmentScan extends PagingOptions {
  readonly eventLog: string;
  readonly segment: number;
  readonly totalSegments: number;
  /** Which latest-state kinds to read; service and deployment events are history only and never read. */
  readonly kinds: readonly StateKind[];
  readonly ttlDays: number;
  /** The run in progress when the previous page ended (restored from a checkpoint). */
  readonly pending?: Projection | undefined;
  /** Log items to project; others (tampered keys: domain/tamper.ts TamperedKeys) are counted as excluded. */
  readonly trusts?: ((item: Record<string, unknown>) => boolean) | undefined;
}

interface LatestPage {
  /** Items DynamoDB read for this page (ScannedCount, service events included). */
  readonly scanned: number;
  /** Latest projections of the resources whose run ended on this page (the segment's last run included). */
  readonly emitted: Projection[];
  /** Log items that cannot be projected (kept in the log, counted, never written). */
  readonly poison: string[];
  /** Missing marks read on this page: folded into rows once the states are written (rebuild). */
  readonly marks: MissingMark[];
  /** Log items at tampered keys that `trusts` refused: never projected. */
  readonly excluded: number;
  /** Where the next page starts (a checkpoint keeps it); undefined when the segment is finished. */
  readonly lastEvaluatedKey: Record<string, unknown> | undefined;
  /** The run still in progress at the end of the page (its resource may continue on the next page). */
  readonly pending: Projection | undefined;
}

/**
 * One segment of a parallel Scan of the log, page by page, reduced on the fly to the latest
 * projection per resource (domain/reduceLatest.ts): memory holds one page and one pending run.
 * The filter on detailType saves transfer and parsing only: DynamoDB bills the items it reads.
 */
export async function* scanLatest(doc: DynamoDBDocumentClient, scan: SegmentScan): AsyncGenerator<LatestPage> {
  const filter = detailTypeFilter(scan.kinds);
  const pages = scanPages(
    doc,
    {
      TableName: scan.eventLog,
      Segment: scan.segment,
      TotalSegments: scan.totalSegments,
      FilterExpression: filter.condition,
      ...PROJECTABLE_ATTRIBUTES,
      ExpressionAttributeValues: filter.values,
    },
    logContext(scan.eventLog),
    scan,
  );
  let pending = scan.pending;
  for await (const page of pages) {
    const emitted: Projection[] = [];
    const poison: string[] = [];
    const marks: MissingMark[] = [];
    let excluded = 0;
    for (const item of page.Items ?? []) {
      if (scan.trusts && !scan.trusts(item)) {
        excluded++;
        continue;
      }
      const outcome = project(item as never, { ttlDays: scan.ttlDays });
      if (outcome.type === 'poison') poison.push(outcome.message);
      if (outcome.type === 'mark') marks.push(outcome.mark);
      if (outcome.type !== 'state') continue;
      const step = reduceStep(pending, outcome.projection);
      pending = step.pending;
      if (step.emit) emitted.push(step.emit);
    }
    const lastEvaluatedKey = page.LastEvaluatedKey;
    if (!lastEvaluatedKey && pending) {
      emitted.push(pending);
      pending = undefined;
    }
    yield { scanned: page.ScannedCount ?? 0, emitted, poison, marks, excluded, lastEvaluatedKey, pending };
  }
}

/** The projection of one log item, by key (to restore a checkpoint's pending run). */
export async function projectLogItem(
  doc: DynamoDBDocumentClient,
  eventLog: string,
  key: LogKey,
  ttlDays: number,
  onRetries?: OnRetries,
): Promise<Projection> {
  const { Item } = await countRetries(
    doc.send(new GetCommand({ TableName: eventLog, Key: { arn: key.arn, version: key.version } })),
    onRetries,
  ).catch((e: unknown) => {
    throw explainDynamoError(e, logContext(eventLog));
  });
  const outcome = Item ? project(Item as never, { ttlDays }) : undefined;
  if (outcome?.type !== 'state')
    throw new FindingError('LOG_ITEM_CORRUPT', `log item ${key.arn} v${key.version} cannot be projected any more`);
  return outcome.projection;
}

/** A resource that has a latest-state row. */
export interface StateResource {
  readonly stateKind: StateKind;
  readonly arn: string;
}

/**
 * The tasks and container instances (of these kinds) with a log event at or after `sinceMs`, from one
 * segment of a Scan of the byClusterTime index: small items (no event body) filtered on eventTime.
 * Yields each page's resources and how many index items DynamoDB read for it.
 */
export async function* scanChangedSince(
  doc: DynamoDBDocumentClient,
  scan: PagingOptions & {
    readonly eventLog: string;
    readonly segment: number;
    readonly totalSegments: number;
    readonly kinds: readonly StateKind[];
    readonly sinceMs: number;
  },
): AsyncGenerator<{ readonly scanned: number; readonly resources: StateResource[] }> {
  const filter = detailTypeFilter(scan.kinds);
  const pages = scanPages(
    doc,
    {
      TableName: scan.eventLog,
      IndexName: TIMELINE_INDEX,
      Segment: scan.segment,
      TotalSegments: scan.totalSegments,
      FilterExpression: `#eventTime >= :since AND ${filter.condition}`,
      ProjectionExpression: '#arn, #detailType',
      ExpressionAttributeNames: { '#arn': 'arn', '#detailType': 'detailType', '#eventTime': 'eventTime' },
      ExpressionAttributeValues: { ':since': scan.sinceMs, ...filter.values },
    },
    logContext(scan.eventLog, TIMELINE_INDEX),
    scan,
  );
  for await (const page of pages) {
    const resources: StateResource[] = [];
    for (const item of page.Items ?? []) {
      const kind = kindOfDetailType(item.detailType);
      const stateKind = kind === undefined ? undefined : rowKindOf(kind);
      // An observation or a missing mark changes the row of the resource its partition names.
      const arn = kind !== undefined && isObservedKind(kind) ? resourceArnOfPartition(kind, item.arn) : item.arn;
      if (stateKind !== undefined && typeof arn === 'string') resources.push({ stateKind, arn });
    }
    yield { scanned: page.ScannedCount ?? 0, resources };
  }
}

/** One segment of a parallel Scan of the whole log, every attribute, page by page (verify --log). */
export async function* scanLogItems(
  doc: DynamoDBDocumentClient,
  scan: PagingOptions & { readonly eventLog: string; readonly segment: number; readonly totalSegments: number },
): AsyncGenerator<{ readonly scanned: number; readonly items: Record<string, unknown>[] }> {
  const pages = scanPages(
    doc,
    { TableName: scan.eventLog, Segment: scan.segment, TotalSegments: scan.totalSegments },
    logContext(scan.eventLog),
    scan,
  );
  for await (const page of pages) yield { scanned: page.ScannedCount ?? 0, items: page.Items ?? [] };
}
