import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { latestPerResource, type MissingMark, type Projection, project } from '../domain/projection.js';
import { classifyLogChange, isTamperMarker, type TamperReport } from '../domain/tamper.js';
import { createDocumentClient } from '../infra/client.js';
import { readConfig, type TableNames } from '../infra/config.js';
import { applyMark, isUnwritable, putIfNewer, stateTableName } from '../infra/stateWrites.js';
import { queueTamperSink, type TamperSink } from '../infra/tamperQueue.js';
import { createLogger, createMetrics, publishCounts } from './observability.js';
import { onFirstCall } from './onFirstCall.js';
import { createStoredVersions, type StoredVersions } from './storedVersions.js';
import { unmarshallImage } from './streamImage.js';
import { keepTampering } from './tampering.js';

export interface ProjectorDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: TableNames;
  /** Days a STOPPED task's or INACTIVE instance's row is kept (STATE_TTL_DAYS; 0 = forever). */
  readonly ttlDays: number;
  /**
   * Whether DynamoDB TTL may remove log items (LOG_RETENTION_DAYS > 0). False: a TTL removal is
   * tampering too (domain/tamper.ts). Default true (the TTL exception kept); the Lambda entry point
   * passes the deployment's setting.
   */
  readonly ttlExpected?: boolean;
  /** Default: a Powertools Logger named by the configuration (POWERTOOLS_SERVICE_NAME). */
  readonly logger?: Logger;
  /** Default: Powertools Metrics (POWERTOOLS_METRICS_NAMESPACE). */
  readonly metrics?: Metrics;
  /**
   * Where a tampering's old image is kept (the deployment's tamper queue, LOG_TAMPER_QUEUE_URL).
   * Without one it is only in the handler's result (`tampered`) and the log line.
   */
  readonly tamperSink?: TamperSink | undefined;
  /** Default Date.now: the `detectedAt` of tamper reports. */
  readonly now?: () => number;
  /** What this container knows its rows hold (functions/storedVersions.ts); default: a fresh memory. */
  readonly storedVersions?: StoredVersions;
}

/** What one batch did; also returned to local callers (the stream poller) for their reports. */
export interface ProjectorCounts {
  projected: number;
  staleSkipped: number;
  historyOnly: number;
  poison: number;
  failed: number;
  /** MODIFY and non-TTL REMOVE records of the log: never projected, kept and reported (domain/tamper.ts). */
  tampered: number;
}

/** Counts of nothing yet: the start of a batch, or of a sum over batches. */
export const noProjectorCounts = (): ProjectorCounts => ({
  projected: 0,
  staleSkipped: 0,
  historyOnly: 0,
  poison: 0,
  failed: 0,
  tampered: 0,
});

/** Adds one batch's counts into a running sum (a poller's report over many batches). */
export function addProjectorCounts(into: ProjectorCounts, add: Partial<ProjectorCounts>): void {
  for (const k of Object.keys(into) as (keyof ProjectorCounts)[]) into[k] += add[k] ?? 0;
}

type Decoded = { readonly record: DynamoDBRecord; readonly projection: Projection };

/**
 * The projector function, on the event log's DynamoDB Stream: turns each INSERT (a new log item)
 * into the latest-state row of its task or container instance (ECSTaskState, ECSCtrInstanceState)
 * with one conditional put that only ever moves a row to a higher version. Service and deployment
 * events are history only. Of several versions of one resource in a batch only the highest is written,
 * and none at all when this handler already wrote or saw refused that version or a higher one
 * (functions/storedVersions.ts): a refused put is billed like a write.
 * The reconciler's observations (`<arn>#observed`, the ECS API's version) are states of `<arn>` under
 * the same rule (an equal version changes nothing); its missing marks (`<arn>#observed-missing`) set
 * `lastSeenMissingAt` on the row of exactly their version, after the batch's states, never its version.
 *
 * Tampering: the log is append-only, so a MODIFY, or a REMOVE that is not DynamoDB's TTL deletion, is
 * tampering (domain/tamper.ts). It is never projected; it is logged with its key, counted as
 * `LogTampered`, its old image handed to `tamperSink` and returned in `tampered`, and its key recorded
 * in the log (a marker under `<arn>#tampered`) for rebuild and verify to exclude. It never blocks
 * the shard: only a failure to keep it is reported for retry, like a failed write.
 *
 * Failure semantics: the handler never throws for a record.
 * - A write that fails and may succeed later (throttling beyond the SDK's retries, a network error)
 *   is reported in `batchItemFailures` by its sequence number; with `ReportBatchItemFailures`, Lambda
 *   retries the batch from the lowest one (records before it are not re-run; after it, re-runs are no-ops).
 * - A record that can never be projected (an unreadable image, a malformed event, a row DynamoDB
 *   refuses) is poison: logged with its key, counted, and not reported, so it never blocks the shard;
 *   `ecs-events rebuild` or `verify --repair` recovers it from the log once fixed.
 * - `counts` says what the batch did (for local callers; Lambda ignores it).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { marshall } from '@aws-sdk/util-dynamodb';
 * import type { DynamoDBStreamEvent } from 'aws-lambda';
 * import { createProjectorHandler } from './functions/projector.js';
 * import { createDocumentClient } from './infra/client.js';
 * import { readConfig } from './infra/config.js';
 *
 * const config = readConfig();
 * const project = createProjectorHandler({ doc: createDocumentClient(), tables: config.tables, ttlDays: config.stateTtlDays });
 * // A stream record as Lambda delivers it: the new log item, in DynamoDB JSON.
 * const event = JSON.parse(readFileSync('samples/aws-docs/task-1.json', 'utf8'));
 * const logItem = { arn: event.detail.taskArn, version: event.detail.version, detailType: event['detail-type'], event: JSON.stringify(event) };
 * const batch = { Records: [{ eventName: 'INSERT', dynamodb: { SequenceNumber: '1', NewImage: marshall(logItem) } }] };
 * const { batchItemFailures, counts } = await project(batch as DynamoDBStreamEvent);
 * console.log(batchItemFailures, counts.projected); // [] 1 (0 again: the row already has this version)
 * ```
 */
export function createProjectorHandler(
  deps: ProjectorDeps,
): (
  event: DynamoDBStreamEvent,
) => Promise<DynamoDBBatchResponse & { counts: ProjectorCounts; tampered: TamperReport[] }> {
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? createMetrics();
  const storedVersions = deps.storedVersions ?? createStoredVersions();
  return async (event) => {
    const counts = noProjectorCounts();
    const tamperings: { readonly record: DynamoDBRecord; readonly change: 'MODIFY' | 'REMOVE' }[] = [];
    const decoded: Decoded[] = [];
    // Missing marks (the reconciler's "ECS did not know it"), folded in after the batch's states.
    const marks: { readonly record: DynamoDBRecord; readonly mark: MissingMark }[] = [];
    let marked = 0;
    for (const record of event.Records) {
      // The log is append-only: only INSERTs carry events. A TTL expiry (opted-in log retention) is no news.
      const change = classifyLogChange(record, { ttlExpected: deps.ttlExpected ?? true });
      if (change.type === 'tampering') {
        tamperings.push({ record, change: change.change });
        continue;
      }
      if (change.type === 'unknown') {
        logger.warn('stream record of an unknown kind skipped', {
          eventName: change.eventName,
          keys: record.dynamodb?.Keys,
          sequenceNumber: record.dynamodb?.SequenceNumber,
        });
      }
      if (change.type !== 'append') continue;
      let item: Record<string, unknown>;
      try {
        item = unmarshallImage(record.dynamodb?.NewImage);
      } catch (e) {
        item = { arn: record.dynamodb?.Keys?.arn?.S, version: record.dynamodb?.Keys?.version?.N, event: undefined };
        logger.error('poison stream record: NewImage cannot be read', {
          keys: record.dynamodb?.Keys,
          error: String(e),
        });
      }
      // The log's record of a tampering (appended below, by a projector) is history, never a state.
      if (isTamperMarker(item)) {
        counts.historyOnly++;
        continue;
      }
      const outcome = project(item as never, { ttlDays: deps.ttlDays });
      if (outcome.type === 'historyOnly') counts.historyOnly++;
      else if (outcome.type === 'poison') {
        // Never blocks the shard: logged with its key, counted; `rebuild` recovers it once fixed.
        counts.poison++;
        logger.error('poison stream record skipped', {
          error: outcome.message, // `message` is reserved by the logger
          keys: record.dynamodb?.Keys,
          sequenceNumber: record.dynamodb?.SequenceNumber,
        });
      } else if (outcome.type === 'mark') marks.push({ record, mark: outcome.mark });
      else decoded.push({ record, projection: outcome.projection });
    }

    // Several versions of one resource in a batch need one write: the highest.
    const winners = new Map<Projection, DynamoDBRecord>(decoded.map((d) => [d.projection, d.record]));
    const latest = [...latestPerResource(decoded.map((d) => d.projection)).values()];
    counts.staleSkipped += decoded.length - latest.length;

    const failedSequenceNumbers: string[] = [];
    await Promise.all(
      latest.map(async (projection) => {
        const table = stateTableName(deps.tables, projection.kind);
        // A version this container already wrote or saw refused: the put would be refused, and billed.
        if (storedVersions.covers(table, projection.arn, projection.version)) {
          counts.staleSkipped++;
          return;
        }
        try {
          const outcome = await putIfNewer(deps.doc, table, projection);
          storedVersions.record(table, projection.arn, projection.version);
          if (outcome === 'written') counts.projected++;
          else counts.staleSkipped++;
        } catch (e) {
          const sequenceNumber = winners.get(projection)?.dynamodb?.SequenceNumber;
          if (isUnwritable(e)) {
            // DynamoDB refuses this row whatever the retry (a number or name it cannot store): poison, not a
            // failure, so it never blocks the shard; rebuild or `verify --repair` recovers it once the log is fixed.
            counts.poison++;
            logger.error('poison stream record skipped: the row cannot be written', {
              arn: projection.arn,
              version: projection.version,
              sequenceNumber,
              error: String(e),
            });
            return;
          }
          counts.failed++;
          if (sequenceNumber) failedSequenceNumbers.push(sequenceNumber);
          logger.warn('projection failed; reported for retry', {
            arn: projection.arn,
            version: projection.version,
            sequenceNumber,
            error: String(e),
          });
        }
      }),
    );

    // A mark counts as projected when it landed on the row of its version, as stale when that row moved on.
    await Promise.all(
      marks.map(async ({ record, mark }) => {
        const sequenceNumber = record.dynamodb?.SequenceNumber;
        try {
          if (await applyMark(deps.doc, stateTableName(deps.tables, mark.kind), mark)) {
            counts.projected++;
            marked++;
          } else counts.staleSkipped++;
        } catch (e) {
          counts.failed++;
          if (sequenceNumber) failedSequenceNumbers.push(sequenceNumber);
          logger.warn('missing mark failed; reported for retry', {
            arn: mark.arn,
            version: mark.version,
            sequenceNumber,
            error: String(e),
          });
        }
      }),
    );

    const now = (deps.now ?? Date.now)();
    const kept = await Promise.all(
      tamperings.map(async ({ record, change }): Promise<TamperReport | undefined> => {
        counts.tampered++;
        try {
          const ctx = { doc: deps.doc, eventLogTable: deps.tables.eventLog, sink: deps.tamperSink, logger, now };
          return await keepTampering(record, change, ctx);
        } catch (e) {
          // Logged with its key already; only keeping it failed: retried like a failed write.
          counts.failed++;
          const sequenceNumber = record.dynamodb?.SequenceNumber;
          if (sequenceNumber) failedSequenceNumbers.push(sequenceNumber);
          logger.warn('keeping a log tampering failed; reported for retry', {
            keys: record.dynamodb?.Keys,
            sequenceNumber,
            error: String(e),
          });
          return undefined;
        }
      }),
    );
    // In stream order, as the records came.
    const tampered = kept.filter((r): r is TamperReport => r !== undefined);

    publishCounts(metrics, {
      LogTampered: counts.tampered,
      MissingMarked: marked,
      Projected: counts.projected,
      StaleSkipped: counts.staleSkipped,
      HistoryOnly: counts.historyOnly,
      Poison: counts.poison,
      ProjectionFailed: counts.failed,
    });
    // Lambda retries from the lowest reported sequence number; later records are re-read and are harmless.
    return {
      batchItemFailures: failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })),
      counts,
      tampered,
    };
  };
}

/**
 * The Lambda entry point, on the event log's DynamoDB Stream. Its client and settings
 * (infra/config.ts) are made on the first invocation, so importing this module creates nothing.
 */
export const handler = onFirstCall(() => {
  const config = readConfig();
  return createProjectorHandler({
    doc: createDocumentClient(),
    tables: config.tables,
    ttlDays: config.stateTtlDays,
    // Log retention off (LOG_RETENTION_DAYS 0): no TTL removal of a log item is expected.
    ttlExpected: config.logRetentionDays > 0,
    tamperSink: config.tamperQueueUrl ? queueTamperSink(config.tamperQueueUrl) : undefined,
  });
});
