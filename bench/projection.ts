import { createProjectorHandler } from '../functions/projector.js';
import { inParallel } from '../usecases/inParallel.js';
import { createAwsGuideProjector } from './baseline/awsGuideProjector.js';
import { benchDocumentClient, benchTables } from './support/localDb.js';
import { round, say, timed } from './support/measure.js';
import { countRequests, type RequestCounts } from './support/requestCounter.js';
import { checkRows, createStateTables, dropStateTables } from './support/stateRows.js';
import { type BenchWorkload, toBatches, toStreamRecords } from './support/workload.js';

/** Lambda's default BatchSize for a DynamoDB Streams event source mapping is 100. */
export const BATCH_SIZE = 100;

export interface ProjectionFigure {
  readonly side: 'projector' | 'baseline';
  readonly workers: number;
  readonly deliveries: number;
  readonly distinctEvents: number;
  /** Tasks and container instances: the rows a correct projection ends with. */
  readonly resources: number;
  /** Handler invocations: batches of stream records (projector) or single events (baseline). */
  readonly invocations: number;
  readonly seconds: number;
  /** Deliveries the stage accounts for, per second (the projector sees each distinct event once). */
  readonly deliveriesPerSecond: number;
  readonly requestsPerDelivery: number;
  readonly readsPerDistinctEvent: number;
  readonly writesPerDistinctEvent: number;
  readonly staleRows: number;
  readonly missingRows: number;
  readonly requests: RequestCounts;
}

type Side = ProjectionFigure['side'];

/**
 * Figure 1, one side at one concurrency, on fresh latest-state tables.
 * - projector: this project's real handler (functions/projector.ts), fed Lambda-shaped stream batches of
 *   the log items in append order, `workers` batches at a time (as Lambda does with several shards or a
 *   ParallelizationFactor): it never sees a redelivery, ingest's conditional append absorbed those.
 * - baseline: the AWS guide's function (bench/baseline), one invocation per delivery, `workers` at a time
 *   (EventBridge invokes Lambda asynchronously, with as much concurrency as it gets).
 * Requests are counted by middleware on the real client; stale rows by comparing every row to the oracle.
 */
export async function measureProjection(
  workload: BenchWorkload,
  side: Side,
  workers: number,
  options: { quiet?: boolean } = {},
): Promise<ProjectionFigure> {
  const tables = benchTables(`${side}-${workers}`);
  // Each side on its own tables: ours from the project's model, the baseline's as the guide describes them.
  await createStateTables(tables, side === 'projector' ? 'project' : 'guide');
  const doc = benchDocumentClient();
  const counter = countRequests(doc);
  try {
    let invocations: number;
    let run: () => Promise<void>;
    if (side === 'projector') {
      const projector = createProjectorHandler({ doc, tables: { ...tables, eventLog: 'unused' }, ttlDays: 30 });
      const batches = toBatches(toStreamRecords(workload.logItems, `arn:bench:${tables.taskState}`), BATCH_SIZE);
      invocations = batches.length;
      run = () =>
        inParallel(batches, workers, async (batch) => {
          const { batchItemFailures } = await projector(batch);
          if (batchItemFailures.length > 0) throw new Error(`projector reported ${batchItemFailures.length} failures`);
        });
    } else {
      const baseline = createAwsGuideProjector({ doc, tables });
      invocations = workload.deliveries.length;
      run = () => inParallel(workload.deliveries, workers, baseline);
    }
    const { seconds } = await timed(run);
    const requests = counter.snapshot();
    counter.detach();
    const correctness = await checkRows(doc, tables, workload.oracle);
    const distinct = workload.logItems.length;
    const figure: ProjectionFigure = {
      side,
      workers,
      deliveries: workload.deliveries.length,
      distinctEvents: distinct,
      resources: workload.oracle.size,
      invocations,
      seconds: round(seconds),
      deliveriesPerSecond: round(workload.deliveries.length / seconds),
      requestsPerDelivery: round((requests.reads + requests.writes) / workload.deliveries.length, 4),
      readsPerDistinctEvent: round(requests.reads / distinct, 4),
      writesPerDistinctEvent: round(requests.writes / distinct, 4),
      staleRows: correctness.staleRows,
      missingRows: correctness.missingRows,
      requests,
    };
    if (!options.quiet)
      say(
        `  ${side} ×${workers}: ${figure.deliveries} deliveries in ${figure.seconds} s, ` +
          `${figure.requestsPerDelivery} requests/delivery, ${figure.staleRows} stale, ${figure.missingRows} missing`,
      );
    return figure;
  } finally {
    counter.detach();
    await dropStateTables(tables);
    doc.destroy();
  }
}
