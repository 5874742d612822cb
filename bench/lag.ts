// End-to-end figures on the real stream: the whole pipeline under full load, and the lag at a steady rate.
import { performance } from 'node:perf_hooks';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { EcsEvent } from '../domain/eventTypes.js';
import { createIngestHandler } from '../functions/ingest.js';
import { createProjectorHandler } from '../functions/projector.js';
import type { TableNames } from '../infra/config.js';
import { createPipeline, type Pipeline } from '../local/localStack.js';
import { inParallel } from '../usecases/inParallel.js';
import { BATCH_SIZE } from './projection.js';
import { benchDocumentClient, benchTables, dropTables } from './support/localDb.js';
import { quantile, round, say } from './support/measure.js';
import { countRequests, type RequestCounts } from './support/requestCounter.js';
import { checkRows } from './support/stateRows.js';
import type { BenchWorkload } from './support/workload.js';

/** Lambda polls a DynamoDB stream's shards about 4 times a second; the local poller rests as long when idle. */
export const POLL_IDLE_MS = 250;

export interface LagStats {
  readonly records: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface PipelineFigure {
  readonly inFlight: number;
  readonly deliveries: number;
  readonly distinctEvents: number;
  /** From the first delivery to the last record projected. */
  readonly seconds: number;
  readonly deliveriesPerSecond: number;
  readonly requestsPerDelivery: number;
  readonly ingestRequests: RequestCounts;
  readonly projectorRequests: RequestCounts;
  /** DescribeStream, GetShardIterator, GetRecords: the stream reads Lambda makes for free. */
  readonly streamRequests: RequestCounts;
  readonly staleRows: number;
  readonly missingRows: number;
  /** Lag of each record while ingest runs flat out: mostly queueing behind the one-shard poller. */
  readonly lag: LagStats;
}

export interface LagFigure {
  readonly ratePerSecond: number;
  /** Deliveries measured, after the warm-up ones. */
  readonly deliveries: number;
  readonly warmUpDeliveries: number;
  readonly pollIdleMs: number;
  readonly lag: LagStats;
  readonly method: string;
}

export const LAG_METHOD =
  'per log record: from the start of the ingest call that appended it to the projector handler returning ' +
  'for the stream batch holding it (its conditional write acknowledged by DynamoDB Local, so a read then sees ' +
  `the row); the local StreamPoller reads the real DynamoDB Local stream, resting ${POLL_IDLE_MS} ms when idle`;

const recordKey = (arn: unknown, version: unknown): string => `${String(arn)}#${String(version)}`;

/** The real ingest and projector on a fresh pipeline, each on its own counted client, and a timed poller. */
async function wiredPipeline(label: string) {
  const pipeline: Pipeline = await createPipeline(benchTables(label));
  const ingestDoc = benchDocumentClient();
  const projectorDoc = benchDocumentClient();
  const streams = new DynamoDBStreamsClient({});
  const counters = {
    ingest: countRequests(ingestDoc),
    projector: countRequests(projectorDoc),
    stream: countRequests(streams),
  };
  const ingest = createIngestHandler({
    doc: ingestDoc,
    eventLogTable: pipeline.tables.eventLog,
    redactEnvironment: true,
  });
  const projector = createProjectorHandler({ doc: projectorDoc, tables: pipeline.tables, ttlDays: 30 });
  const ingestStartedAt = new Map<string, number>();
  const projectedAt = new Map<string, number>();
  const poller = pipeline.poller({
    client: streams,
    batchSize: BATCH_SIZE,
    handler: async (event: DynamoDBStreamEvent) => {
      const response = await projector(event);
      const now = performance.now();
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      for (const r of event.Records) {
        const keys = r.dynamodb?.Keys;
        if (
          !failed.has(r.dynamodb?.SequenceNumber ?? '') &&
          !projectedAt.has(recordKey(keys?.arn?.S, keys?.version?.N))
        )
          projectedAt.set(recordKey(keys?.arn?.S, keys?.version?.N), now);
      }
      return response;
    },
  });
  /** Ingests one delivery, noting when the call that appends an event started. */
  const deliver = async (event: EcsEvent) => {
    const started = performance.now();
    const result = await ingest(event);
    if (result.outcome === 'appended') ingestStartedAt.set(recordKey(result.arn, result.version), started);
  };
  /** Resolves once every appended event has been projected (polled, the poller runs meanwhile). */
  const allProjected = async (timeoutMs = 600_000) => {
    const deadline = performance.now() + timeoutMs;
    while ([...ingestStartedAt.keys()].some((k) => !projectedAt.has(k))) {
      if (performance.now() > deadline) throw new Error('the projector did not catch up within the timeout');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  /** Lag of the records whose ingest started at `from` or later. */
  const lag = (from = Number.NEGATIVE_INFINITY): LagStats => {
    const lags = [...ingestStartedAt]
      .filter(([, start]) => start >= from)
      .map(([k, start]) => (projectedAt.get(k) ?? Number.NaN) - start);
    return {
      records: lags.length,
      p50Ms: round(quantile(lags, 0.5)),
      p99Ms: round(quantile(lags, 0.99)),
      maxMs: round(quantile(lags, 1)),
    };
  };
  const close = async () => {
    for (const c of Object.values(counters)) c.detach();
    await dropTables(pipeline.client, pipeline.tables);
    for (const c of [pipeline.client, pipeline.doc, ingestDoc, projectorDoc, streams]) c.destroy();
  };
  return { pipeline, poller, counters, deliver, allProjected, lag, projectedAt, close };
}

/**
 * Whole pipeline (ingest → log → stream → projector) under full load: every delivery through the real
 * ingest handler, `inFlight` at a time, while the StreamPoller runs the real projector on the real stream.
 */
export async function measurePipeline(
  workload: BenchWorkload,
  inFlight: number,
  /** Runs on the filled tables before they are dropped (the cost figures read them). */
  inspect?: (tables: TableNames) => Promise<void>,
): Promise<PipelineFigure> {
  const w = await wiredPipeline(`pipeline-${inFlight}`);
  try {
    const started = performance.now();
    const polling = w.poller.run(POLL_IDLE_MS);
    await inParallel(workload.deliveries, inFlight, w.deliver);
    await w.allProjected();
    const lastProjected = [...w.projectedAt.values()].reduce((a, b) => Math.max(a, b), started);
    w.poller.stop();
    await polling;
    const seconds = (lastProjected - started) / 1000;
    const ingestRequests = w.counters.ingest.snapshot();
    const projectorRequests = w.counters.projector.snapshot();
    const tableRequests =
      ingestRequests.reads + ingestRequests.writes + projectorRequests.reads + projectorRequests.writes;
    const correctness = await checkRows(w.pipeline.doc, w.pipeline.tables, workload.oracle);
    const figure: PipelineFigure = {
      inFlight,
      deliveries: workload.deliveries.length,
      distinctEvents: workload.logItems.length,
      seconds: round(seconds),
      deliveriesPerSecond: round(workload.deliveries.length / seconds),
      requestsPerDelivery: round(tableRequests / workload.deliveries.length, 4),
      ingestRequests,
      projectorRequests,
      streamRequests: w.counters.stream.snapshot(),
      staleRows: correctness.staleRows,
      missingRows: correctness.missingRows,
      lag: w.lag(),
    };
    say(
      `  pipeline ×${inFlight}: ${figure.deliveries} deliveries in ${figure.seconds} s, ` +
        `${figure.requestsPerDelivery} requests/delivery, ${figure.staleRows} stale, lag p99 ${figure.lag.p99Ms} ms`,
    );
    await inspect?.(w.pipeline.tables);
    return figure;
  } finally {
    await w.close();
  }
}

/**
 * Figure 3: end-to-end lag at a steady delivery rate (a busy estate, not a flood): deliveries start every
 * 1/rate s, whatever the previous ones are doing, while the poller runs as Lambda's event source mapping would.
 * The first `warmUpSeconds` run the same way but are not counted: they warm DynamoDB Local's stream code
 * (JIT) on the same table, rather than on another stream that would slow this one down.
 */
export async function measureLag(
  deliveries: readonly EcsEvent[],
  ratePerSecond: number,
  seconds: number,
  warmUpSeconds: number,
): Promise<LagFigure> {
  const w = await wiredPipeline('lag');
  try {
    const polling = w.poller.run(POLL_IDLE_MS);
    const sample = deliveries.slice(0, ratePerSecond * (warmUpSeconds + seconds));
    const start = performance.now();
    const pending: Promise<void>[] = [];
    for (const [i, event] of sample.entries()) {
      const due = start + (i * 1000) / ratePerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(w.deliver(event));
    }
    await Promise.all(pending);
    await w.allProjected();
    w.poller.stop();
    await polling;
    const measured = sample.length - ratePerSecond * warmUpSeconds;
    const figure: LagFigure = {
      ratePerSecond,
      deliveries: Math.max(0, measured),
      warmUpDeliveries: sample.length - Math.max(0, measured),
      pollIdleMs: POLL_IDLE_MS,
      lag: w.lag(start + warmUpSeconds * 1000),
      method: LAG_METHOD,
    };
    say(`  lag at ${ratePerSecond}/s: p50 ${figure.lag.p50Ms} ms, p99 ${figure.lag.p99Ms} ms`);
    return figure;
  } finally {
    await w.close();
  }
}
