import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { project } from '../domain/projection.js';
import type { TableNames } from '../infra/config.js';
import { inParallel } from '../infra/inParallel.js';
import { defaultSegments, rebuild } from '../infra/rebuild.js';
import { applyLatest } from '../infra/stateWrites.js';
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
  await Promise.all(
    Array.from({ length: segments }, async (_, Segment) => {
      const pages = paginateScan(
        { client: doc },
        {
          TableName: eventLog,
          Segment,
          TotalSegments: segments,
          ProjectionExpression: '#arn, #version, #detailType, #event, #eventTime, #eventId',
          ExpressionAttributeNames: {
            '#arn': 'arn',
            '#version': 'version',
            '#detailType': 'detailType',
            '#event': 'event',
            '#eventTime': 'eventTime',
            '#eventId': 'eventId',
          },
        },
      );
      for await (const page of pages) {
        await inParallel(page.Items ?? [], WRITE_CONCURRENCY, async (item) => {
          const outcome = project(item as never, { ttlDays: TTL_DAYS });
          if (outcome.type !== 'state') return;
          const table = outcome.projection.kind === 'task' ? targets.taskState : targets.instanceState;
          if ((await applyLatest(doc, table, outcome.projection, { nowMs })) === 'written') written++;
        });
      }
    }),
  );
  return written;
}

/**
 * Figure 4: rebuilding the latest-state tables from a full log (infra/rebuild.ts: parallel Scan, reduce to
 * the latest version per ARN as it streams, one "only if newer" put per ARN) against the naive replay,
 * each into fresh empty tables created beforehand (so neither pays table creation), requests counted.
 */
export async function measureRebuild(workload: BenchWorkload, eventLog: string): Promise<RebuildFigure> {
  const segments = defaultSegments();
  const client = new DynamoDBClient({});
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
    // The rebuild first: if order matters at all, the second run profits from a warmer DynamoDB Local.
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
    client.destroy();
  }
}
