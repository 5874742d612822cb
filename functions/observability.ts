import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type Config, readConfig } from '../infra/config.js';

type Names = Pick<Config, 'serviceName' | 'metricsNamespace'>;

/** Structured JSON logs (Powertools), service POWERTOOLS_SERVICE_NAME. POWERTOOLS_LOG_LEVEL sets the level. */
export const createLogger = (names: Names = readConfig()): Logger => new Logger({ serviceName: names.serviceName });

/**
 * Counts an operator graphs, as CloudWatch Embedded Metric Format (Powertools), namespace
 * POWERTOOLS_METRICS_NAMESPACE. POWERTOOLS_METRICS_DISABLED=true silences them locally.
 */
export const createMetrics = (names: Names = readConfig()): Metrics =>
  new Metrics({ namespace: names.metricsNamespace, serviceName: names.serviceName });

/** Adds non-zero counts and flushes them as one EMF document. */
export function publishCounts(metrics: Metrics, counts: Record<string, number>): void {
  const nonZero = Object.entries(counts).filter(([, value]) => value > 0);
  // Nothing to count (a batch of MODIFY records only): publishing would log Powertools' "empty metrics" warning.
  if (nonZero.length === 0) return;
  for (const [name, value] of nonZero) metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}
