import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { parseEvent } from '../domain/parseEvent.js';
import { describeRejection, type Rejection } from '../domain/rejection.js';
import { createDocumentClient } from '../infra/client.js';
import { type Config, readConfig } from '../infra/config.js';
import { type AppendOutcome, appendEvent } from '../infra/logAppend.js';
import { createLogger, createMetrics, publishCounts } from './observability.js';
import { onFirstCall } from './onFirstCall.js';

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

/** What became of one event that was not refused. */
export interface IngestResult {
  /** `appended`: a new log item; `duplicate`: already logged, nothing written; `conflict`: the same ARN and version with other content is logged, the first one is kept. */
  readonly outcome: AppendOutcome['type'];
  readonly arn: string;
  /** The logged item's version (`detail.version`). */
  readonly version: number;
}

export interface IngestDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly eventLogTable: string;
  /** Replace container-override environment values by a marker before anything is stored or logged. */
  readonly redactEnvironment: boolean;
  /** Days the log keeps an event (LOG_RETENTION_DAYS; 0 = forever, the default). */
  readonly logRetentionDays?: number;
  /** Default: a Powertools Logger named by the configuration (POWERTOOLS_SERVICE_NAME). */
  readonly logger?: Logger;
  /** Default: Powertools Metrics (POWERTOOLS_METRICS_NAMESPACE). */
  readonly metrics?: Metrics;
}

/** The {@link IngestDeps} settings of a configuration (infra/config.ts readConfig). */
export const ingestSettings = (
  config: Config,
): Pick<IngestDeps, 'eventLogTable' | 'redactEnvironment' | 'logRetentionDays'> => ({
  eventLogTable: config.tables.eventLog,
  redactEnvironment: config.redactOverrideEnvironment,
  logRetentionDays: config.logRetentionDays,
});

/**
 * The ingest function: takes one EventBridge event (`source` aws.ecs, any `ECS ...` detail-type),
 * validates it and appends it to the event log with one conditional put (key: ARN + detail.version).
 * Delivering the same event again is safe: it comes back as `duplicate` and writes nothing.
 *
 * Failure semantics:
 * - An event that can never be logged (not an ECS event, no ARN, no version, ...) is refused: the
 *   handler logs the reason (never the event), counts `Rejected`, and throws an
 *   {@link IngestRejectedError} whose message starts `rejected [REASON_CODE]:`. Invoked
 *   asynchronously by EventBridge, Lambda then parks the event with that message in the function's
 *   on-failure destination, from which `ecs-events load` replays it.
 * - A DynamoDB failure (throttling beyond the SDK's retries, a missing table, ...) is logged,
 *   counted as `AppendFailed` and thrown as it came, so that Lambda retries the event.
 * - A `conflict` does not throw: the first event of that ARN and version stays; a warning is logged.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { createIngestHandler, IngestRejectedError, ingestSettings } from './functions/ingest.js';
 * import { createDocumentClient } from './infra/client.js';
 * import { readConfig } from './infra/config.js';
 *
 * // Against `ecs-events local` (its exports set the endpoint and table names), or AWS.
 * const ingest = createIngestHandler({ doc: createDocumentClient(), ...ingestSettings(readConfig()) });
 * const event = JSON.parse(readFileSync('samples/aws-docs/task-1.json', 'utf8'));
 * console.log(await ingest(event)); // { outcome: 'appended', arn: 'arn:aws:ecs:…:task/…', version: 4 }
 * console.log((await ingest(event)).outcome); // 'duplicate': at least once is safe
 * try {
 *   await ingest({ ...event, detail: { ...event.detail, version: 'seven' } });
 * } catch (e) {
 *   if (!(e instanceof IngestRejectedError)) throw e;
 *   console.log(e.reason); // VERSION_NOT_INTEGER
 * }
 * ```
 */
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

/**
 * The Lambda entry point: one EventBridge event per invocation. Its client and settings
 * (infra/config.ts) are made on the first invocation, so importing this module creates nothing.
 */
export const handler = onFirstCall(() =>
  createIngestHandler({ doc: createDocumentClient(), ...ingestSettings(readConfig()) }),
);
