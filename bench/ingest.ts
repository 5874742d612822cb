import { inParallel } from '../infra/inParallel.js';
import { createPipeline } from '../infra/localStack.js';
import { benchTables, dropTables } from './support/localDb.js';
import { round, say, timed } from './support/measure.js';
import { countRequests, type RequestCounts } from './support/requestCounter.js';
import type { BenchWorkload } from './support/workload.js';

export interface IngestFigure {
  readonly inFlight: number;
  readonly deliveries: number;
  readonly appended: number;
  readonly duplicates: number;
  readonly conflicts: number;
  readonly seconds: number;
  readonly appendsPerSecond: number;
  readonly deliveriesPerSecond: number;
  readonly requestsPerDelivery: number;
  readonly requests: RequestCounts;
}

/**
 * Figure 2: every delivery through the real ingest handler into a fresh log table, `inFlight` calls at
 * a time. Target: exactly one DynamoDB request per delivery (the conditional append; a redelivery is
 * answered by the same request's ALL_OLD, no read).
 */
export async function measureIngest(
  workload: BenchWorkload,
  inFlight: number,
  limit = workload.deliveries.length,
): Promise<IngestFigure> {
  const pipeline = await createPipeline(benchTables(`ingest-${inFlight}`));
  const counter = countRequests(pipeline.doc);
  try {
    const deliveries = workload.deliveries.slice(0, limit);
    const outcomes = { appended: 0, duplicate: 0, conflict: 0 };
    const { seconds } = await timed(() =>
      inParallel(deliveries, inFlight, async (event) => {
        outcomes[(await pipeline.ingest(event)).outcome]++;
      }),
    );
    const requests = counter.snapshot();
    const figure: IngestFigure = {
      inFlight,
      deliveries: deliveries.length,
      appended: outcomes.appended,
      duplicates: outcomes.duplicate,
      conflicts: outcomes.conflict,
      seconds: round(seconds),
      appendsPerSecond: round(outcomes.appended / seconds),
      deliveriesPerSecond: round(deliveries.length / seconds),
      requestsPerDelivery: round((requests.reads + requests.writes) / deliveries.length, 4),
      requests,
    };
    say(
      `  ingest ×${inFlight}: ${figure.deliveries} deliveries in ${figure.seconds} s, ${figure.requestsPerDelivery} requests/delivery`,
    );
    return figure;
  } finally {
    counter.detach();
    await dropTables(pipeline.client, pipeline.tables);
    pipeline.client.destroy();
    pipeline.doc.destroy();
  }
}
