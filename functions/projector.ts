import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { latestPerResource, type Projection, project } from '../domain/projection.js';
import { createDocumentClient } from '../infra/client.js';
import { envInteger, type TableNames, tableNamesFromEnv } from '../infra/config.js';
import { isUnwritable, putIfNewer, stateTableOf } from '../infra/stateTables.js';
import { createLogger, createMetrics, publishCounts } from './observability.js';

export interface ProjectorDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: TableNames;
  /** Days a STOPPED task's or INACTIVE instance's row is kept (0 = forever). */
  readonly ttlDays: number;
  readonly logger?: Logger;
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
          const outcome = await putIfNewer(deps.doc, stateTableOf(deps.tables, projection), projection);
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

/** The Lambda entry point, on the event log's DynamoDB Stream. */
export const handler = createProjectorHandler({
  doc: createDocumentClient(),
  tables: tableNamesFromEnv(),
  ttlDays: envInteger(process.env, 'STATE_TTL_DAYS', 30),
});
