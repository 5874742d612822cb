import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { latestPerResource, type Projection, project } from '../domain/projection.js';
import { createDocumentClient } from '../infra/client.js';
import { readConfig, type TableNames } from '../infra/config.js';
import { isUnwritable, putIfNewer, stateTableName } from '../infra/stateWrites.js';
import { createLogger, createMetrics, publishCounts } from './observability.js';
import { onFirstCall } from './onFirstCall.js';

export interface ProjectorDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: TableNames;
  /** Days a STOPPED task's or INACTIVE instance's row is kept (STATE_TTL_DAYS; 0 = forever). */
  readonly ttlDays: number;
  /** Default: a Powertools Logger named by the configuration (POWERTOOLS_SERVICE_NAME). */
  readonly logger?: Logger;
  /** Default: Powertools Metrics (POWERTOOLS_METRICS_NAMESPACE). */
  readonly metrics?: Metrics;
}

/** What one batch did; also returned to local callers (the stream poller) for their reports. */
export interface ProjectorCounts {
  projected: number;
  staleSkipped: number;
  historyOnly: number;
  poison: number;
  failed: number;
}

type Decoded = { readonly record: DynamoDBRecord; readonly projection: Projection };

/**
 * The projector function, on the event log's DynamoDB Stream: turns each INSERT (a new log item)
 * into the latest-state row of its task or container instance (ECSTaskState, ECSCtrInstanceState)
 * with one conditional put that only ever moves a row to a higher version. Service and deployment
 * events are history only; MODIFY and REMOVE records are skipped. Of several versions of one
 * resource in a batch only the highest is written.
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
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse & { counts: ProjectorCounts }> {
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? createMetrics();
  return async (event) => {
    const counts: ProjectorCounts = { projected: 0, staleSkipped: 0, historyOnly: 0, poison: 0, failed: 0 };
    const decoded: Decoded[] = [];
    for (const record of event.Records) {
      // The log is append-only: only INSERTs carry events (a REMOVE can only be an opted-in log TTL).
      if (record.eventName !== 'INSERT') continue;
      let item: Record<string, unknown>;
      try {
        item = unmarshall((record.dynamodb?.NewImage ?? {}) as Record<string, AttributeValue>);
      } catch (e) {
        item = { arn: record.dynamodb?.Keys?.arn?.S, version: record.dynamodb?.Keys?.version?.N, event: undefined };
        logger.error('poison stream record: NewImage cannot be read', {
          keys: record.dynamodb?.Keys,
          error: String(e),
        });
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
      } else decoded.push({ record, projection: outcome.projection });
    }

    // Several versions of one resource in a batch need one write: the highest.
    const winners = new Map<Projection, DynamoDBRecord>(decoded.map((d) => [d.projection, d.record]));
    const latest = [...latestPerResource(decoded.map((d) => d.projection)).values()];
    counts.staleSkipped += decoded.length - latest.length;

    const failedSequenceNumbers: string[] = [];
    await Promise.all(
      latest.map(async (projection) => {
        try {
          const outcome = await putIfNewer(deps.doc, stateTableName(deps.tables, projection.kind), projection);
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

    publishCounts(metrics, {
      Projected: counts.projected,
      StaleSkipped: counts.staleSkipped,
      HistoryOnly: counts.historyOnly,
      Poison: counts.poison,
      ProjectionFailed: counts.failed,
    });
    // Lambda retries from the lowest reported sequence number; later records are re-read and are harmless.
    return { batchItemFailures: failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })), counts };
  };
}

/**
 * The Lambda entry point, on the event log's DynamoDB Stream. Its client and settings
 * (infra/config.ts) are made on the first invocation, so importing this module creates nothing.
 */
export const handler = onFirstCall(() => {
  const config = readConfig();
  return createProjectorHandler({ doc: createDocumentClient(), tables: config.tables, ttlDays: config.stateTtlDays });
});
