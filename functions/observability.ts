import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { InternalError } from '../domain/errors.js';
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

/**
 * Where an invocation's EMF document goes: the namespace and `service` dimension every series has, and
 * the line writer. Ingest writes its own documents rather than Powertools' because it needs several
 * dimension sets in one document without crossing them: Powertools applies every dimension set of a
 * document to every metric in it (Appended would be counted by account and region too, each a custom
 * metric billed by the month), so one document per dimension set was the only way with it.
 */
export interface EmfTarget {
  readonly namespace: string;
  readonly service: string;
  /** False when POWERTOOLS_METRICS_DISABLED says so (or, unset, POWERTOOLS_DEV), as for Powertools. */
  readonly enabled: boolean;
  /** One document, one line: stdout, which Lambda sends to CloudWatch Logs as one log event. */
  write(line: string): void;
}

const TRUE = new Set(['1', 'true', 'yes', 'on', 'y']);
const flag = (value: string | undefined): boolean => TRUE.has((value ?? '').trim().toLowerCase());

/** The EMF target of a configuration, honouring Powertools' variables so local runs silence both alike. */
export function createEmfTarget(names: Names = readConfig(), env: NodeJS.ProcessEnv = process.env): EmfTarget {
  const disabled =
    env.POWERTOOLS_METRICS_DISABLED !== undefined ? flag(env.POWERTOOLS_METRICS_DISABLED) : flag(env.POWERTOOLS_DEV);
  return {
    namespace: names.metricsNamespace,
    service: names.serviceName,
    enabled: !disabled,
    write: (line) => {
      process.stdout.write(`${line}\n`);
    },
  };
}

/** Dimensions of one series beyond `service` (which every series has); `{}` is the service-only series. */
export type DimensionSet = Readonly<Record<string, string>>;

/**
 * One invocation's counts, published as **one** EMF document. Each metric lists the dimension sets it
 * is counted under, and the document gets one directive per distinct list, so a metric is counted under
 * its own sets only: `count('Appended', 1, [{}, { detailType }])` and `count('Ingested', 1, [{ account },
 * { region }])` are four series, not eight. EMF keeps one value per metric name in a document, so a
 * metric counted twice with different values is an error; dimension values are shared the same way.
 */
export interface InvocationMetrics {
  count(name: string, value?: number, sets?: readonly DimensionSet[]): void;
  /** Writes the document (nothing when no metric was counted, or metrics are off), then starts afresh. */
  publish(): void;
}

export function invocationMetrics(target: EmfTarget, now: () => number = Date.now): InvocationMetrics {
  let metrics = new Map<string, { value: number; sets: DimensionSet[] }>();
  let values: Record<string, string> = {};
  return {
    count(name, value = 1, sets = [{}]) {
      const known = metrics.get(name);
      if (known && known.value !== value)
        throw new InternalError(`metric ${name} counted ${known.value} and ${value} in one document`);
      for (const set of sets)
        for (const [k, v] of Object.entries(set)) {
          if (k in values && values[k] !== v)
            throw new InternalError(`dimension ${k} is "${values[k]}" and "${v}" in one document`);
          values[k] = v;
        }
      metrics.set(name, { value, sets: [...(known?.sets ?? []), ...sets] });
    },
    publish() {
      const counted = metrics;
      const dimensions = values;
      metrics = new Map();
      values = {};
      if (counted.size === 0 || !target.enabled) return;
      target.write(JSON.stringify(emfDocument(target, counted, dimensions, now())));
    },
  };
}

/** The document: directives grouped by dimension-set list, then dimension values, then metric values. */
function emfDocument(
  target: EmfTarget,
  counted: ReadonlyMap<string, { value: number; sets: DimensionSet[] }>,
  dimensions: Record<string, string>,
  timestamp: number,
) {
  const directives = new Map<string, { Dimensions: string[][]; names: string[] }>();
  for (const [name, { sets }] of counted) {
    const Dimensions = sets.map((set) => ['service', ...Object.keys(set)]);
    const key = JSON.stringify(Dimensions);
    const directive = directives.get(key) ?? { Dimensions, names: [] };
    directive.names.push(name);
    directives.set(key, directive);
  }
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [...directives.values()].map((d) => ({
        Namespace: target.namespace,
        Dimensions: d.Dimensions,
        Metrics: d.names.map((Name) => ({ Name, Unit: 'Count' })),
      })),
    },
    service: target.service,
    ...dimensions,
    ...Object.fromEntries([...counted].map(([name, { value }]) => [name, value])),
  };
}
