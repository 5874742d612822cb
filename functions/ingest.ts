import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { parseEvent } from '../domain/parseEvent.js';
import { describeRejection, type Rejection } from '../domain/rejection.js';
import { createDocumentClient } from '../infra/client.js';
import { envFlag, envInteger, tableNamesFromEnv } from '../infra/config.js';
import { type AppendOutcome, appendEvent } from '../infra/logAppend.js';
import { createLogger, createMetrics, publishCounts } from './observability.js';

/**
 * Thrown for a refused event. Lambda then parks the event, with this message, in the function's
 * on-failure destination. The message starts `rejected [REASON_CODE]:` so operators can search it.
 */
export class IngestRejectedError extends Error {
  override readonly name = 'IngestRejectedError';
  readonly reason: Rejection['reason'];
  constructor(readonly rejection: Rejection) {
    super(describeRejection(rejection));
    this.reason = rejection.reason;
  }
}

export interface IngestResult {
  readonly outcome: AppendOutcome['type'];
  readonly arn: string;
  readonly version: number;
}

export interface IngestDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly eventLogTable: string;
  /** Replace container-override environment values by a marker before anything is stored or logged. */
  readonly redactEnvironment: boolean;
  /** Days the log keeps an event (LOG_RETENTION_DAYS; 0 = forever, the default). */
  readonly logRetentionDays?: number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

export function createIngestHandler(deps: IngestDeps): (event: unknown) => Promise<IngestResult> {
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? createMetrics();
  return async (event) => {
    const parsed = parseEvent(event, { redactEnvironment: deps.redactEnvironment });
    if (!parsed.ok) {
      const { reason } = parsed.rejection;
      // Never log the event itself: it may hold secrets. The id finds it in the on-failure queue.
      // (`message` is reserved by the logger, so the text goes in `rejection`, as in the thrown error.)
      logger.error('event rejected', {
        reason,
        rejection: describeRejection(parsed.rejection),
        eventId: (event as { id?: unknown } | null)?.id,
      });
      metrics.singleMetric().addDimension('reason', reason).addMetric('Rejected', MetricUnit.Count, 1);
      publishCounts(metrics, { Rejected: 1 });
      throw new IngestRejectedError(parsed.rejection);
    }
    const { arn, version, detailType } = parsed.value;
    let outcome: AppendOutcome;
    try {
      outcome = await appendEvent(deps.doc, deps.eventLogTable, parsed.value, {
        ingestedAt: Date.now(),
        ingestId: ulid(),
        retentionDays: deps.logRetentionDays ?? 0,
      });
    } catch (e) {
      // Thrown on so that Lambda retries the event; counted so that an operator sees failures before the queue fills.
      logger.error('append failed; the event will be retried', { arn, version, detailType, error: String(e) });
      publishCounts(metrics, { AppendFailed: 1 });
      throw e;
    }
    const stored = outcome.item.version;
    if (outcome.type === 'conflict') {
      logger.warn('conflicting event: same ARN and version, different content; the first one is kept', {
        arn,
        version,
        eventId: parsed.value.eventId,
        storedEventId: outcome.stored.eventId,
      });
    } else {
      logger.debug(outcome.type, { arn, version: stored, detailType });
    }
    publishCounts(metrics, {
      Appended: outcome.type === 'appended' ? 1 : 0,
      Duplicate: outcome.type === 'duplicate' ? 1 : 0,
      Conflict: outcome.type === 'conflict' ? 1 : 0,
    });
    return { outcome: outcome.type, arn, version: stored };
  };
}

/** Ingest settings from the environment: the Lambda's, the local stack's or the CLI's. */
export const ingestSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env) => ({
  eventLogTable: tableNamesFromEnv(env).eventLog,
  redactEnvironment: envFlag(env, 'REDACT_OVERRIDE_ENVIRONMENT', true),
  logRetentionDays: envInteger(env, 'LOG_RETENTION_DAYS', 0),
});

/** The Lambda entry point: one EventBridge event per invocation. */
export const handler = createIngestHandler({ doc: createDocumentClient(), ...ingestSettingsFromEnv() });
