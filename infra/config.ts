import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { UsageError } from '../domain/errors.js';
import model, { type TableKind } from './tables.cjs';

export type TableNames = Record<TableKind, string>;

/**
 * Every setting the functions, the local stack and the CLI read from the environment. The deploy
 * sets them per function (serverless.yml); unset, each takes its default (DEFAULTS below, written once).
 */
export interface Config {
  /** EVENT_LOG_TABLE, TASK_STATE_TABLE, INSTANCE_STATE_TABLE (default names: infra/tables.cjs). */
  readonly tables: TableNames;
  /** STATE_TTL_DAYS: days a STOPPED task's or INACTIVE instance's row is kept; 0 = forever. */
  readonly stateTtlDays: number;
  /** LOG_RETENTION_DAYS: days the log keeps an event; 0 = forever. */
  readonly logRetentionDays: number;
  /** REDACT_OVERRIDE_ENVIRONMENT: replace container-override environment values by a marker before storing. */
  readonly redactOverrideEnvironment: boolean;
  /** POWERTOOLS_SERVICE_NAME: the `service` of every log line and metric. */
  readonly serviceName: string;
  /** POWERTOOLS_METRICS_NAMESPACE: the CloudWatch namespace of the metrics. */
  readonly metricsNamespace: string;
  /**
   * INGEST_FAILURE_QUEUE_URL: where the ingest function parks a refused event, once (SQS
   * SendMessage); unset: it throws the refusal instead, and Lambda's retries and on-failure
   * destination take it (functions/ingest.ts).
   */
  readonly ingestFailureQueueUrl?: string | undefined;
  /** METRIC_ACCOUNT_IDS: accounts the ingest metrics count under their own id (others: "other"; domain/origin.ts). */
  readonly metricAccountIds?: string | undefined;
  /**
   * METRIC_ORIGINS: count `Ingested` by account and by region (an organization's store, where events
   * come from many; the deploy sets it with a central bus or listed accounts). Default: on when
   * METRIC_ACCOUNT_IDS is set. Off, a single account's store writes no series that would only repeat
   * the total of Appended, Duplicate and Conflict.
   */
  readonly metricOrigins: boolean;
  /** LOG_TAMPER_QUEUE_URL: where the projector keeps the old image of a tampered log item; unset: nowhere but its logs. */
  readonly tamperQueueUrl?: string | undefined;
}

/** The default of each setting, written once (metricOrigins' follows METRIC_ACCOUNT_IDS: readConfig). */
const DEFAULTS: Omit<Config, 'tables' | 'metricOrigins'> = {
  stateTtlDays: 30,
  logRetentionDays: 0,
  redactOverrideEnvironment: true,
  serviceName: 'ecs-event-store',
  metricsNamespace: 'ECSEventStore',
};

/**
 * Reads every setting from `env`. A malformed number is a configuration error, thrown with the
 * variable's name. Endpoints are not settings of ours: the SDK reads its own variables
 * (AWS_ENDPOINT_URL_DYNAMODB, ...), or a caller passes {@link ClientSettings}.
 *
 * @example
 * ```ts
 * import { readConfig } from './infra/config.js';
 *
 * const config = readConfig({ STATE_TTL_DAYS: '7' });
 * console.log(config.stateTtlDays, config.tables.eventLog); // 7 ECSEventLog
 * ```
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const string = (name: string, fallback: string) => env[name] || fallback;
  const table = (kind: TableKind) => string(model.tables[kind].envVar, model.tables[kind].defaultName);
  return {
    tables: { eventLog: table('eventLog'), taskState: table('taskState'), instanceState: table('instanceState') },
    stateTtlDays: integer(env, 'STATE_TTL_DAYS', DEFAULTS.stateTtlDays),
    logRetentionDays: integer(env, 'LOG_RETENTION_DAYS', DEFAULTS.logRetentionDays),
    redactOverrideEnvironment: flag(env, 'REDACT_OVERRIDE_ENVIRONMENT', DEFAULTS.redactOverrideEnvironment),
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? DEFAULTS.serviceName,
    metricsNamespace: env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULTS.metricsNamespace,
    ingestFailureQueueUrl: env.INGEST_FAILURE_QUEUE_URL || undefined,
    metricAccountIds: env.METRIC_ACCOUNT_IDS || undefined,
    metricOrigins: flag(env, 'METRIC_ORIGINS', Boolean(env.METRIC_ACCOUNT_IDS)),
    tamperQueueUrl: env.LOG_TAMPER_QUEUE_URL || undefined,
  };
}

/**
 * Where a client connects when that is not what the SDK's own variables say: an in-process local
 * stack passes its DynamoDB Local endpoint this way instead of writing `process.env`.
 */
export type ClientSettings = Pick<DynamoDBClientConfig, 'endpoint' | 'region' | 'credentials'>;

/** A boolean environment variable: "false", "0", "no" and "off" turn it off. */
function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const v = env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return fallback;
  return !['false', '0', 'no', 'off'].includes(v);
}

/** A non-negative integer environment variable; anything else is a configuration error, said plainly. */
function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name]?.trim();
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new UsageError(`${name} must be a non-negative integer, got "${v}"`, { code: 'CONFIG_INVALID' });
  return n;
}
