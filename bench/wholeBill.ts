// The whole bill, measured part (figure 8): the deployed bundles of ingest, the projector and the AWS
// guide's function run in fresh processes (bench/bundleRun.ts) on one duplication profile's deliveries,
// against DynamoDB Local, at each Lambda memory size considered, with the deployed settings (log level
// INFO, metrics on, source maps): CPU per invocation and of the INIT phase, peak memory, the bytes each
// invocation writes (what CloudWatch Logs ingests) and the custom-metric series the EMF documents name.
// DynamoDB Local's own CPU is read apart (its JVM, from /proc), for the ingest speed gap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipeline } from '../local/localStack.js';
import { type BundleName, type BundleRun, buildBundles, runBundle } from './bundleRun.js';
import { dynamoLocalCpuExact } from './support/cpuTime.js';
import { benchTables, dropTables } from './support/localDb.js';
import { round, say } from './support/measure.js';
import { createStateTables, dropStateTables } from './support/stateRows.js';
import { type BenchWorkload, sampleWorkload, toBatches, toStreamRecords } from './support/workload.js';

/** The memory sizes the functions may be deployed with (issue 25: the cheapest that fits). */
export const MEMORY_SIZES = [128, 256, 512] as const;

/** The functions' environment as serverless.yml deploys them (stage prod), bar the table names. */
export const DEPLOYED_ENV: Record<string, string> = {
  NODE_OPTIONS: '--enable-source-maps',
  POWERTOOLS_SERVICE_NAME: 'ecs-event-store-prod',
  POWERTOOLS_METRICS_NAMESPACE: 'ECSEventStore',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  REDACT_OVERRIDE_ENVIRONMENT: 'true',
  LOG_RETENTION_DAYS: '0',
  STATE_TTL_DAYS: '30',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
};

/**
 * One bundle's run at one memory size, with DynamoDB Local's CPU meanwhile: the CPU of every invocation
 * (to 0.01 ms: Lambda rounds each up to the ms), the rest summarised.
 */
export interface MeasuredRun extends Omit<BundleRun, 'wallMs' | 'outputBytes' | 'outputLines'> {
  readonly memoryMb: number;
  readonly wallMsMean: number;
  readonly outputBytesMean: number;
  readonly outputBytesMax: number;
  readonly outputLinesMean: number;
  /** CPU ms DynamoDB Local's JVM spent during the run, per invocation (kernel ticks of 10 ms). */
  readonly dynamoLocalCpuMsPerInvocation: number | undefined;
}

export interface BundleFigures {
  /** Deliveries (ingest, guide) and stream records (projector) of the sample the bundles ran on. */
  readonly deliveries: number;
  readonly distinctEvents: number;
  /** Stream records per projector invocation (the model's assumption; see docs/benchmarks.md). */
  readonly recordsPerBatch: number;
  readonly runs: Record<BundleName, MeasuredRun[]>;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** The port of the DynamoDB Local the SDK variables point at (for its JVM's CPU time). */
const localPort = (): number => Number(new URL(process.env.AWS_ENDPOINT_URL_DYNAMODB ?? 'http://x:0').port);

/**
 * Runs the three bundles on a sample of `workload` (at most `sampleDeliveries` deliveries) at every
 * memory size, each on fresh tables of the running DynamoDB Local: ingest on the deliveries (a log table
 * of the project's model, stream and index), the projector on the sample's log items in Lambda-shaped
 * stream batches of `recordsPerBatch`, the guide's function on the same deliveries (its own key-only tables).
 */
export async function measureBundles(
  workload: BenchWorkload,
  options: { sampleDeliveries: number; recordsPerBatch: number; bundles?: Record<BundleName, string> },
): Promise<BundleFigures> {
  const sample = sampleWorkload(workload, options.sampleDeliveries);
  const dir = options.bundles ? undefined : mkdtempSync(join(tmpdir(), 'ecs-events-bill-'));
  try {
    const files = options.bundles ?? (await buildBundles(dir as string));
    const runs: Record<BundleName, MeasuredRun[]> = { ingest: [], projector: [], guide: [] };
    const sdkEnv = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => k.startsWith('AWS_') && k !== 'AWS_EXECUTION_ENV'),
    ) as Record<string, string>;
    const port = localPort();
    const timedRun = (
      bundle: BundleName,
      events: readonly unknown[],
      env: Record<string, string>,
      memoryMb: number,
    ): MeasuredRun => {
      const jvm = dynamoLocalCpuExact(port);
      const run = runBundle(bundle, files[bundle], events, { ...sdkEnv, ...DEPLOYED_ENV, ...env }, memoryMb);
      const seconds = jvm();
      const perInvocation = seconds === undefined ? undefined : round((seconds * 1000) / events.length, 3);
      const { wallMs, outputBytes, outputLines, cpuMs, ...rest } = run;
      return {
        ...rest,
        cpuMs: cpuMs.map((ms) => Math.round(ms * 100) / 100),
        wallMsMean: round(mean(wallMs)),
        outputBytesMean: round(mean(outputBytes)),
        outputBytesMax: Math.max(...outputBytes),
        outputLinesMean: round(mean(outputLines)),
        dynamoLocalCpuMsPerInvocation: perInvocation,
      };
    };
    for (const memoryMb of MEMORY_SIZES) {
      const pipeline = await createPipeline(benchTables(`bill-${memoryMb}`));
      const guideTables = benchTables(`bill-guide-${memoryMb}`);
      await createStateTables(guideTables, 'guide');
      try {
        const fn = (name: string) => ({ AWS_LAMBDA_FUNCTION_NAME: `ecs-event-store-prod-${name}` });
        runs.ingest.push(
          timedRun(
            'ingest',
            sample.deliveries,
            { ...fn('ingest'), EVENT_LOG_TABLE: pipeline.tables.eventLog },
            memoryMb,
          ),
        );
        const batches = toBatches(
          toStreamRecords(sample.logItems, `arn:bench:${pipeline.tables.eventLog}`),
          options.recordsPerBatch,
        );
        runs.projector.push(
          timedRun(
            'projector',
            batches,
            {
              ...fn('projector'),
              EVENT_LOG_TABLE: pipeline.tables.eventLog,
              TASK_STATE_TABLE: pipeline.tables.taskState,
              INSTANCE_STATE_TABLE: pipeline.tables.instanceState,
            },
            memoryMb,
          ),
        );
        runs.guide.push(
          timedRun(
            'guide',
            sample.deliveries,
            {
              AWS_LAMBDA_FUNCTION_NAME: 'ecs-guide-function',
              TASK_STATE_TABLE: guideTables.taskState,
              INSTANCE_STATE_TABLE: guideTables.instanceState,
            },
            memoryMb,
          ),
        );
      } finally {
        await dropTables(pipeline.client, pipeline.tables);
        await dropStateTables(guideTables);
        pipeline.client.destroy();
        pipeline.doc.destroy();
      }
      const last = (b: BundleName) => runs[b].at(-1) as MeasuredRun;
      say(
        `  bundles at ${memoryMb} MB: ` +
          (['ingest', 'projector', 'guide'] as const)
            .map(
              (b) =>
                `${b} ${round(mean(last(b).cpuMs), 3)} ms CPU, ${last(b).outputBytesMean} B out, ` +
                `init ${round(last(b).initCpuMs)} ms, peak ${round(last(b).maxRssMb)} MB` +
                (last(b).failures ? `, ${last(b).failures} failed` : ''),
            )
            .join('; '),
      );
    }
    return {
      deliveries: sample.deliveries.length,
      distinctEvents: sample.logItems.length,
      recordsPerBatch: options.recordsPerBatch,
      runs,
    };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
