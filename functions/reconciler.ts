import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UsageError } from '../domain/errors.js';
import type { ReconcileClass } from '../domain/reconcile.js';
import { createDocumentClient } from '../infra/client.js';
import { readConfig, type TableNames } from '../infra/config.js';
import { createEcsClient, ecsGateway } from '../infra/ecs.js';
import { reconcile } from '../usecases/reconcile.js';
import { createLogger, createMetrics, publishCounts } from './observability.js';
import { onFirstCall } from './onFirstCall.js';

export interface ReconcilerDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: TableNames;
  readonly ecs: ECSClient;
  /** RECONCILE_CLUSTERS (comma-separated ARNs); empty: every cluster of the account and Region. */
  readonly clusters?: readonly string[];
  readonly redactEnvironment: boolean;
  readonly logRetentionDays?: number;
  /** RECONCILE_RATE: ECS requests a second at most (0: only the SDK's adaptive limiter). */
  readonly rate: number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** What one scheduled run found and did (the full report is in the function's log). */
export interface ReconcilerResult {
  readonly clean: boolean;
  readonly counts: Record<ReconcileClass, number>;
  readonly repair: { appended: number; alreadyLogged: number; wouldAppend: number; reportOnly: number };
  readonly clusters: number;
  readonly seconds: number;
}

const METRIC_OF: Record<ReconcileClass, string> = {
  missing: 'Missing',
  behind: 'Behind',
  ghost: 'Ghost',
  ahead: 'Ahead',
  agree: 'Agree',
  unversioned: 'Unversioned',
};

/**
 * The reconciler function, on a schedule: compares the latest-state tables with the ECS API of its
 * own account and Region and repairs by appending observations and missing marks to the log
 * (usecases/reconcile.ts; docs/reconcile.md). Counts per class and per repair are CloudWatch metrics
 * (Missing, Behind, Ghost, Ahead, Agree, Unversioned, ObservationsAppended, ...); every finding is
 * logged. A failure (ECS throttling beyond the retries, a table missing) throws: the next run retries.
 */
export function createReconcilerHandler(deps: ReconcilerDeps): (event: unknown) => Promise<ReconcilerResult> {
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? createMetrics();
  return async () => {
    const report = await reconcile({
      doc: deps.doc,
      tables: deps.tables,
      ecs: ecsGateway(deps.ecs, { rate: deps.rate }),
      clusters: deps.clusters && deps.clusters.length > 0 ? deps.clusters : undefined,
      redactEnvironment: deps.redactEnvironment,
      logRetentionDays: deps.logRetentionDays,
    });
    for (const finding of report.findings) logger.info('reconcile finding', { ...finding });
    logger.info('reconcile done', {
      clusters: report.clusters.length,
      counts: report.counts,
      repair: report.repair,
      apiCalls: report.apiCalls,
      seconds: report.seconds,
    });
    const added = report.findings.filter((f) => f.outcome === 'appended');
    publishCounts(metrics, {
      ...Object.fromEntries(Object.entries(report.counts).map(([c, n]) => [METRIC_OF[c as ReconcileClass], n])),
      ObservationsAppended: added.filter((f) => f.repair === 'observe').length,
      MissingMarksAppended: added.filter((f) => f.repair === 'markMissing').length,
      ReportOnly: report.repair.reportOnly,
    });
    return {
      clean: report.clean,
      counts: report.counts,
      repair: report.repair,
      clusters: report.clusters.length,
      seconds: report.seconds,
    };
  };
}

/** A comma-separated list setting; empty entries dropped. */
const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The Lambda entry point, on an EventBridge schedule. Its clients and settings (infra/config.ts,
 * RECONCILE_CLUSTERS, RECONCILE_RATE) are made on the first invocation, so importing creates nothing.
 */
export const handler = onFirstCall(() => {
  const config = readConfig();
  const rate = Number(process.env.RECONCILE_RATE ?? '10');
  if (!Number.isFinite(rate) || rate < 0)
    throw new UsageError(`RECONCILE_RATE must be a number ≥ 0, got "${process.env.RECONCILE_RATE}"`, {
      code: 'CONFIG_INVALID',
    });
  return createReconcilerHandler({
    doc: createDocumentClient(),
    tables: config.tables,
    ecs: createEcsClient(),
    clusters: list(process.env.RECONCILE_CLUSTERS),
    redactEnvironment: config.redactOverrideEnvironment,
    logRetentionDays: config.logRetentionDays,
    rate,
  });
});
