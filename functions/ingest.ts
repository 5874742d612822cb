import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { type Invocation, type ParkedRefusal, parkedRefusal } from '../domain/audit/replayRecord.js';
import { metricDetailType } from '../domain/kinds.js';
import { logEntriesOf } from '../domain/logEntries.js';
import { countedAccounts, metricOrigin } from '../domain/origin.js';
import { parseEvent } from '../domain/parseEvent.js';
import { describeRejection, type Rejection } from '../domain/rejection.js';
import { createDocumentClient } from '../infra/client.js';
import { type Config, readConfig } from '../infra/config.js';
import { type AppendOutcome, appendEvent } from '../infra/logAppend.js';
import {
  createEmfTarget,
  createLogger,
  type EmfTarget,
  type InvocationMetrics,
  invocationMetrics,
} from './observability.js';
import { onFirstCall } from './onFirstCall.js';

/**
 * Thrown by {@link createIngestHandler} for a refused event: `ecs-events load` and the local stack
 * report it; the Lambda entry point parks the event once instead (see {@link createLambdaIngestHandler}).
 * The message starts `rejected [REASON_CODE]:` so operators can search it.
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
  /**
   * Where each invocation's one EMF document goes (functions/observability.ts). Default: stdout,
   * namespace POWERTOOLS_METRICS_NAMESPACE, service POWERTOOLS_SERVICE_NAME.
   */
  readonly metrics?: EmfTarget;
  /** Accounts counted under their own id in `Ingested` by account (METRIC_ACCOUNT_IDS); others as "other". */
  readonly metricAccountIds?: string | undefined;
  /** Count `Ingested` by account and region (METRIC_ORIGINS, infra/config.ts). Default: when accounts are listed. */
  readonly metricOrigins?: boolean;
}

/** The {@link IngestDeps} settings of a configuration (infra/config.ts readConfig). */
export const ingestSettings = (
  config: Config,
): Pick<
  IngestDeps,
  'eventLogTable' | 'redactEnvironment' | 'logRetentionDays' | 'metricAccountIds' | 'metricOrigins'
> => ({
  eventLogTable: config.tables.eventLog,
  redactEnvironment: config.redactOverrideEnvironment,
  logRetentionDays: config.logRetentionDays,
  metricAccountIds: config.metricAccountIds,
  metricOrigins: config.metricOrigins,
});

/**
 * The ingest function: takes one EventBridge event (`source` aws.ecs, any `ECS ...` detail-type),
 * validates it and appends it to the event log with one conditional put (key: ARN + detail.version).
 * Delivering the same event again is safe: it comes back as `duplicate` and writes nothing.
 *
 * Failure semantics:
 * - An event that can never be logged (not an ECS event, no ARN, no version, ...) is refused: the
 *   handler logs the reason (never the event), counts `Rejected` once, and throws an
 *   {@link IngestRejectedError} whose message starts `rejected [REASON_CODE]:`. The Lambda entry
 *   point parks it in the ingest failure queue and returns ({@link createLambdaIngestHandler});
 *   `ecs-events load` reports it.
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
  const ingest = ingestCore(deps);
  const target = deps.metrics ?? createEmfTarget();
  return async (event) => {
    const metrics = invocationMetrics(target);
    try {
      return await ingest(event, metrics);
    } finally {
      metrics.publish();
    }
  };
}

/**
 * The work of {@link createIngestHandler}, counting into the caller's {@link InvocationMetrics}, so
 * that an invocation writes one EMF document whatever else its entry point counts (ParkFailed).
 * Nothing is logged for an event that is appended or a duplicate: at the deployed level (INFO) the
 * document is the whole output of a normal invocation.
 */
function ingestCore(deps: IngestDeps): (event: unknown, metrics: InvocationMetrics) => Promise<IngestResult> {
  const logger = deps.logger ?? createLogger();
  const accounts = countedAccounts(deps.metricAccountIds);
  const origins = deps.metricOrigins ?? accounts.size > 0;
  return async (event, metrics) => {
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
      metrics.count('Rejected', 1, [{}, { reason }]);
      throw new IngestRejectedError(parsed.rejection);
    }
    const { arn, version, detailType } = parsed.value;
    let outcome: AppendOutcome;
    try {
      const stamp = { ingestedAt: Date.now(), ingestId: ulid(), retentionDays: deps.logRetentionDays ?? 0 };
      // One entry, or an API call's one per resource it acts on: each appended (a redelivery after a
      // crash between them appends the rest and finds the others as duplicates).
      const outcomes: AppendOutcome[] = [];
      for (const entry of logEntriesOf(parsed.value)) {
        outcomes.push(await appendEvent(deps.doc, deps.eventLogTable, entry, stamp));
      }
      outcome = combinedOutcome(outcomes);
    } catch (e) {
      // Thrown on so that Lambda retries the event; counted so that an operator sees failures before the queue fills.
      logger.error('append failed; the event will be retried', { arn, version, detailType, error: String(e) });
      metrics.count('AppendFailed');
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
    // Appended also per detail-type, a bounded dimension: the types ECS names (domain/kinds.ts metricDetailType).
    if (outcome.type === 'appended') metrics.count('Appended', 1, [{}, { detailType: metricDetailType(detailType) }]);
    else metrics.count(outcome.type === 'duplicate' ? 'Duplicate' : 'Conflict');
    // Bounded per-account and per-region series (domain/origin.ts): accounts + regions, not their product.
    // Only where events come from many (an organization): in one account's store they repeat the total.
    if (origins) {
      const origin = metricOrigin(event, accounts);
      metrics.count('Ingested', 1, [{ account: origin.account }, { region: origin.region }]);
    }
    return { outcome: outcome.type, arn, version: stored };
  };
}

/** The outcome of an event appended as several entries: appended if any was, else a conflict if any was. */
const combinedOutcome = (outcomes: readonly AppendOutcome[]): AppendOutcome =>
  outcomes.find((o) => o.type === 'appended') ??
  outcomes.find((o) => o.type === 'conflict') ??
  (outcomes[0] as AppendOutcome);

/**
 * The `custom` client context `ecs-events load --function` invokes ingest with (Lambda Invoke's
 * ClientContext): such a call is an operator's replay, which reports a refusal instead of parking it.
 */
export const LOAD_CLIENT_CONTEXT = { caller: 'ecs-events load' } as const;

const isLoadInvocation = (context: Context | undefined): boolean =>
  (context?.clientContext?.custom as { caller?: unknown } | undefined)?.caller === LOAD_CLIENT_CONTEXT.caller;

/** A refused event the Lambda entry point parked: it returns normally, so Lambda does not retry it. */
export interface ParkedResult {
  readonly outcome: 'rejected';
  readonly reason: Rejection['reason'];
  /** The SQS message id of the parked record. */
  readonly parkedMessageId: string | undefined;
}

export interface LambdaIngestDeps extends IngestDeps {
  /**
   * Parks a refused event's record in the ingest failure queue (SQS SendMessage), returning the
   * message id; undefined: a refusal is thrown, for Lambda's retries and on-failure destination.
   */
  readonly park?: ((record: ParkedRefusal) => Promise<string | undefined>) | undefined;
}

const invocationOf = (context: Context | undefined): Invocation => ({
  requestId: context?.awsRequestId ?? 'unknown',
  functionArn: context?.invokedFunctionArn ?? 'unknown',
  functionVersion: context?.functionVersion,
});

/**
 * The ingest function as Lambda runs it: {@link createIngestHandler}, but a refused event is parked
 * **once**. A thrown refusal would run three times (two async retries), be counted three times in
 * `Rejected`, `Errors` and the logs, and only then reach the on-failure destination. Instead the
 * refusal, with its reason code and message, is sent to the ingest failure queue as an on-failure
 * destination record (domain/audit/replayRecord.ts: `ecs-events load` replays it unchanged) and the
 * handler returns `{ outcome: 'rejected', reason, parkedMessageId }`: no function error, no retry.
 *
 * Transient failures keep Lambda's retry path: a DynamoDB error is thrown as before; so is the
 * refusal when parking it fails (SQS unreachable, no queue configured), counted as `ParkFailed`,
 * for Lambda to retry and, at worst, park through its own on-failure destination.
 */
export function createLambdaIngestHandler(
  deps: LambdaIngestDeps,
): (event: unknown, context?: Context) => Promise<IngestResult | ParkedResult> {
  const logger = deps.logger ?? createLogger();
  const target = deps.metrics ?? createEmfTarget();
  const ingest = ingestCore({ ...deps, logger });
  return async (event, context) => {
    const metrics = invocationMetrics(target);
    try {
      return await ingest(event, metrics);
    } catch (e) {
      // `ecs-events load --function` reports refusals itself; parking them again would loop a replay.
      if (!(e instanceof IngestRejectedError) || deps.park === undefined || isLoadInvocation(context)) throw e;
      const eventId = (event as { id?: unknown } | null)?.id;
      try {
        const parkedMessageId = await deps.park(parkedRefusal(event, e.rejection, invocationOf(context), Date.now()));
        logger.info('refused event parked in the ingest failure queue', { reason: e.reason, eventId, parkedMessageId });
        return { outcome: 'rejected', reason: e.reason, parkedMessageId };
      } catch (parkError) {
        logger.error('refused event could not be parked; thrown for Lambda to retry', {
          reason: e.reason,
          eventId,
          error: String(parkError),
        });
        metrics.count('ParkFailed');
        throw e;
      }
    } finally {
      metrics.publish();
    }
  };
}

/**
 * The Lambda entry point: one EventBridge event per invocation. Its clients and settings
 * (infra/config.ts) are made on the first invocation, so importing this module creates nothing;
 * the SQS client (infra/queue.ts) only on the first refusal.
 */
export const handler = onFirstCall(() => {
  const config = readConfig();
  const queueUrl = config.ingestFailureQueueUrl;
  let queue: Promise<(record: ParkedRefusal) => Promise<string | undefined>> | undefined;
  const park = async (record: ParkedRefusal) => {
    queue ??= import('../infra/queue.js').then(({ createQueueClient, sendToQueue }) => {
      const sqs = createQueueClient();
      return (r: ParkedRefusal) => sendToQueue(sqs, queueUrl as string, r, { reason: r.responsePayload.reason });
    });
    return (await queue)(record);
  };
  return createLambdaIngestHandler({
    doc: createDocumentClient(),
    ...ingestSettings(config),
    park: queueUrl ? park : undefined,
  });
});
