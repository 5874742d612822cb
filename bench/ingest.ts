import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import type { EcsEvent } from '../domain/eventTypes.js';
import { createIngestHandler } from '../functions/ingest.js';
import { deleteTable } from '../infra/tableAdmin.js';
import model from '../infra/tables.cjs';
import { createPipeline } from '../local/localStack.js';
import { inParallel } from '../usecases/inParallel.js';
import { benchDocumentClient, benchTables, dropTables } from './support/localDb.js';
import { round, say, timed } from './support/measure.js';
import { countRequests, countsSince, type RequestCounts } from './support/requestCounter.js';
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
 * Figure 2: deliveries through the real ingest handler into a fresh log table (the project's, with its
 * stream and index), `inFlight` calls at a time. Target: exactly one DynamoDB request per delivery (the
 * conditional append; a redelivery is answered by the same request's ALL_OLD, no read).
 *
 * The runs share one log table, each with its own disjoint set of resources, so each starts as on an
 * empty log. (DynamoDB Local gets slower with every stream it has ever had, deleted tables included:
 * one table instead of one per run keeps the later runs from paying for the earlier ones.)
 */
export async function measureIngest(
  runs: readonly { readonly inFlight: number; readonly workload: BenchWorkload }[],
): Promise<IngestFigure[]> {
  const pipeline = await createPipeline(benchTables('ingest'));
  const counter = countRequests(pipeline.doc);
  try {
    const figures: IngestFigure[] = [];
    for (const { inFlight, workload } of runs) {
      const before = counter.snapshot();
      const deliveries = workload.deliveries;
      const outcomes = { appended: 0, duplicate: 0, conflict: 0 };
      const { seconds } = await timed(() =>
        inParallel(deliveries, inFlight, async (event) => {
          outcomes[(await pipeline.ingest(event)).outcome]++;
        }),
      );
      const requests = countsSince(before, counter.snapshot());
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
        `  ingest ×${inFlight}: ${figure.deliveries} deliveries in ${figure.seconds} s, ` +
          `${figure.requestsPerDelivery} requests/delivery`,
      );
      figures.push(figure);
    }
    return figures;
  } finally {
    counter.detach();
    await dropTables(pipeline.client, pipeline.tables);
    pipeline.client.destroy();
    pipeline.doc.destroy();
  }
}

/**
 * Runs deliveries through the real ingest handler into a log table like the project's but without a
 * stream, then drops it: JIT warm-up for DynamoDB Local's conditional-put path that costs no stream.
 */
export async function warmUpIngest(deliveries: readonly EcsEvent[]): Promise<void> {
  const client = new DynamoDBClient({});
  const doc = benchDocumentClient();
  const { eventLog } = benchTables('warm-up');
  try {
    const { StreamSpecification: _none, ...withoutStream } = model.createTableInput('eventLog', eventLog);
    await client.send(new CreateTableCommand(withoutStream));
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: eventLog });
    const ingest = createIngestHandler({ doc, eventLogTable: eventLog, redactEnvironment: true });
    await inParallel(deliveries, 16, ingest);
  } finally {
    await deleteTable(client, eventLog);
    client.destroy();
    doc.destroy();
  }
}
