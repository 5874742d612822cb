import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { LogItem } from '../domain/logItem.js';
import { project } from '../domain/projection.js';
import type { TableNames } from '../infra/config.js';
import { PROJECTABLE_ATTRIBUTES } from '../infra/logScan.js';
import { applyLatest } from '../infra/stateWrites.js';
import { deleteTable } from '../infra/tableAdmin.js';
import model from '../infra/tables.cjs';
import { inParallel } from '../usecases/inParallel.js';
import { rebuild } from '../usecases/rebuild.js';
import { defaultSegments } from '../usecases/segments.js';
import { benchDocumentClient, benchTables } from './support/localDb.js';
import { round, say, timed } from './support/measure.js';
import { countRequests, type RequestCounts } from './support/requestCounter.js';
import { checkRows, createStateTables, dropStateTables } from './support/stateRows.js';
import type { BenchWorkload } from './support/workload.js';

/** The rebuild's own default: conditional puts in flight per scan segment. The naive replay gets the same. */
const WRITE_CONCURRENCY = 8;
const TTL_DAYS = 30;

export interface ReplaySide {
  readonly rowsWritten: number;
  readonly seconds: number;
  readonly requests: RequestCounts;
  readonly staleRows: number;
  readonly missingRows: number;
}

export interface RebuildFigure {
  readonly logItems: number;
  readonly distinctArns: number;
  readonly segments: number;
  readonly writeConcurrency: number;
  readonly rebuild: ReplaySide;
  readonly naive: ReplaySide;
  readonly writesRatio: number;
  readonly speedup: number;
}

/** Every page of a parallel Scan of the log, reading the attributes the rebuild reads. */
async function scanLog(
  doc: ReturnType<typeof benchDocumentClient>,
  eventLog: string,
  segments: number,
  onPage: (items: Record<string, unknown>[]) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: segments }, async (_, Segment) => {
      const pages = paginateScan(
        { client: doc },
        {
          TableName: eventLog,
          Segment,
          TotalSegments: segments,
          ...PROJECTABLE_ATTRIBUTES,
        },
      );
      for await (const page of pages) await onPage(page.Items ?? []);
    }),
  );
}

/**
 * The naive replay: the same parallel Scan of the log, the same conditional write, the same parallelism,
 * but every log item re-projected and written one by one, as a replay without the reduction would.
 */
async function naiveReplay(
  doc: ReturnType<typeof benchDocumentClient>,
  eventLog: string,
  targets: Pick<TableNames, 'taskState' | 'instanceState'>,
  segments: number,
): Promise<number> {
  let written = 0;
  const nowMs = Date.now();
  await scanLog(doc, eventLog, segments, (items) =>
    inParallel(items, WRITE_CONCURRENCY, async (item) => {
      const outcome = project(item as never, { ttlDays: TTL_DAYS });
      if (outcome.type !== 'state') return;
      const table = outcome.projection.kind === 'task' ? targets.taskState : targets.instanceState;
      if ((await applyLatest(doc, table, outcome.projection, { nowMs })) === 'written') written++;
    }),
  );
  return written;
}

/**
 * Figure 4: rebuilding the latest-state tables from a full log of the workload (usecases/rebuild.ts: parallel Scan, reduce to
 * the latest version per ARN as it streams, one "only if newer" put per ARN) against the naive replay,
 * each into fresh empty tables created beforehand (so neither pays table creation), requests counted.
 */
export async function measureRebuild(workload: BenchWorkload): Promise<RebuildFigure> {
  const segments = defaultSegments();
  const client = new DynamoDBClient({});
  const eventLog = await fillLog(client, workload);
  // One unmeasured pass over the log first: DynamoDB Local's first scan runs about twice as slow (JIT),
  // and whichever side went first would pay for it.
  const warmDoc = benchDocumentClient();
  await scanLog(warmDoc, eventLog, segments, async () => {}).finally(() => warmDoc.destroy());
  const run = async (side: 'rebuild' | 'naive'): Promise<ReplaySide> => {
    const targets = benchTables(side);
    await createStateTables(targets);
    const doc = benchDocumentClient();
    const counter = countRequests(doc);
    try {
      const { seconds, value: rowsWritten } = await timed(async () => {
        if (side === 'naive') return naiveReplay(doc, eventLog, targets, segments);
        const report = await rebuild({
          doc,
          client,
          eventLog,
          targets: { task: targets.taskState, instance: targets.instanceState },
          segments,
          writeConcurrency: WRITE_CONCURRENCY,
          ttlDays: TTL_DAYS,
        });
        if (!report.complete) throw new Error(`rebuild did not complete: ${report.examples.errors.join('; ')}`);
        return report.written;
      });
      const requests = counter.snapshot();
      counter.detach();
      const correctness = await checkRows(doc, targets, workload.oracle);
      return { rowsWritten, seconds: round(seconds), requests, ...correctness };
    } finally {
      counter.detach();
      await dropStateTables(targets);
      doc.destroy();
    }
  };
  try {
    // The rebuild first: if order still matters after the warm-up scan, the naive replay profits from it.
    const rebuilt = await run('rebuild');
    const naive = await run('naive');
    const figure: RebuildFigure = {
      logItems: workload.logItems.length,
      distinctArns: workload.oracle.size,
      segments,
      writeConcurrency: WRITE_CONCURRENCY,
      rebuild: rebuilt,
      naive,
      writesRatio: round(naive.requests.writes / rebuilt.requests.writes),
      speedup: round(naive.seconds / rebuilt.seconds),
    };
    say(
      `  rebuild: ${rebuilt.rowsWritten} rows in ${rebuilt.seconds} s; naive replay: ${naive.rowsWritten} rows in ${naive.seconds} s`,
    );
    return figure;
  } finally {
    await deleteTable(client, eventLog);
    client.destroy();
  }
}

/**
 * A log table holding every log item of the workload (the items ingest appends), written with
 * BatchWriteItem: the rebuild reads a full log without the benchmark paying for ingesting it again.
 * Made from the project's table model without the stream, which the rebuild does not read (and which
 * would slow down every later streamed table of this DynamoDB Local).
 */
async function fillLog(client: DynamoDBClient, workload: BenchWorkload): Promise<string> {
  const { eventLog } = benchTables('rebuild-log');
  const { StreamSpecification: _none, ...withoutStream } = model.createTableInput('eventLog', eventLog);
  await client.send(new CreateTableCommand(withoutStream));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: eventLog });
  const doc = benchDocumentClient();
  try {
    const chunks: LogItem[][] = [];
    for (let i = 0; i < workload.logItems.length; i += 25) chunks.push(workload.logItems.slice(i, i + 25));
    await inParallel(chunks, 8, async (chunk) => {
      let requests: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
        [eventLog]: chunk.map((Item) => ({ PutRequest: { Item: { ...Item } } })),
      };
      while (requests && Object.keys(requests).length > 0) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: requests }));
        requests = out.UnprocessedItems as typeof requests;
      }
    });
  } finally {
    doc.destroy();
  }
  return eventLog;
}
