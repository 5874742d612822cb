import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest.js';
import { createProjectorHandler } from '../../functions/projector.js';
import { createDocumentClient } from '../../infra/client.js';
import type { Pipeline } from '../../local/localStack.js';
import { MemoryCheckpointStore } from '../../local/streamCheckpoints.js';
import { generateWorkload } from '../../sim/clusterWorkload.js';
import { atLeastOnce, seededRandom, shuffle } from '../../sim/random.js';
import { inParallel } from '../../usecases/inParallel.js';
import { testPipeline } from '../support/pipeline.js';
import { type FaultStats, injectFaults, retryUntilSuccess } from './support/faults.js';
import { samplesIn } from './support/samples.js';
import { LONG, runs, SEED, scenario } from './support/scenario.js';
import { freshAccount, WORKLOAD_START_MS } from './support/schedule.js';
import { StreamTap } from './support/streamTap.js';
import { accepted, distinctKeys, verifyStore } from './support/verify.js';

/**
 * Invariant 3 under injected DynamoDB faults (throttling, 500s, timeouts), both before a request is
 * sent and after it succeeded: ingest surfaces every fault so its caller retries, the projector
 * reports exactly the records to retry, and after retries nothing is lost, doubled or stale.
 * Faulty clients use maxAttempts 1 so that every injected fault reaches our code, not just the
 * SDK's retry loop; one scenario keeps the SDK's retries to show a lost response becomes a duplicate.
 */
let pipeline: Pipeline;
/**
 * Standard mode, not the clients' default adaptive one: its rate limiter would slow every later
 * request after each injected throttle, which tests the limiter's patience, not our code.
 */
const NO_SDK_RETRIES = { maxAttempts: 1, retryMode: 'standard' } as const;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => pipeline.client.destroy());

const seq = (r: DynamoDBRecord): bigint => BigInt(r.dynamodb?.SequenceNumber as string);
const keyOf = (r: DynamoDBRecord): string => r.dynamodb?.Keys?.arn?.S as string;
const versionOf = (r: DynamoDBRecord): number => Number(r.dynamodb?.Keys?.version?.N);
const lowestOf = (xs: readonly bigint[]): bigint | undefined => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0];
const workload = (seed: number, account: string) => [
  ...generateWorkload(seededRandom(seed), { tasks: 12, instances: 3, account, startMs: WORKLOAD_START_MS }),
  ...samplesIn(account, 'service-action', 'deployment'),
  // Every type added since the first four (history only, keyed <resource>#other: docs/events.md).
  ...samplesIn(account, 'health', 'daemon', 'hook'),
];

describe('injected faults (invariant 3)', () => {
  it(
    'ingest surfaces every fault; retried deliveries land exactly once; the projector retries to convergence',
    async ({ task }) => {
      const row = scenario(task, 'faults: ingest 20%+20%, projector 10%+10% (before+after)');
      const checkpoints = new MemoryCheckpointStore(); // each run projects only its own part of the stream
      for (let run = 0; run < runs(1, 20); run++) {
        const rng = seededRandom(SEED + run);
        const events = workload(SEED + run, freshAccount());
        const expected = accepted(events);
        const deliveries = atLeastOnce(rng, events, 3);
        row.runs++;
        row.events += deliveries.length;

        // Ingest through a faulty client; the caller retries each delivery until it is acknowledged.
        const ingestDoc = createDocumentClient(NO_SDK_RETRIES);
        const ingestFaults = injectFaults(ingestDoc, { before: 0.2, after: 0.2, rng });
        const ingest = createIngestHandler({
          doc: ingestDoc,
          eventLogTable: pipeline.tables.eventLog,
          redactEnvironment: true,
        });
        const errors: unknown[] = [];
        const outcomes = { appended: 0, duplicate: 0, conflict: 0 };
        await inParallel(deliveries, 16, async (e) => {
          const { value, errors: seen } = await retryUntilSuccess(() => ingest(e));
          errors.push(...seen);
          outcomes[value.outcome]++;
        });
        ingestDoc.destroy();
        // Every injected fault surfaced to the caller as the very error the SDK raised: none was swallowed.
        expect(ingestFaults.before + ingestFaults.after).toBeGreaterThan(0);
        expect(errors).toHaveLength(ingestFaults.before + ingestFaults.after);
        for (const e of errors) expect(ingestFaults.injected.has(e as Error)).toBe(true);
        // A write that landed behind a lost response came back as a duplicate on retry: never doubled.
        const distinct = distinctKeys(expected).size;
        expect(outcomes.conflict).toBe(0);
        expect(outcomes.appended).toBeLessThanOrEqual(distinct);
        expect(outcomes.appended + outcomes.duplicate).toBe(deliveries.length);

        // Project from the real stream through a faulty client, with the poller's Lambda-like retries.
        const projectorDoc = createDocumentClient(NO_SDK_RETRIES);
        const projectorFaults = injectFaults(projectorDoc, { before: 0.1, after: 0.1, rng });
        const projector = createProjectorHandler({ doc: projectorDoc, tables: pipeline.tables, ttlDays: 30 });
        const checked = checkedProjector(projector, projectorFaults);
        const poller = pipeline.poller({
          checkpoints,
          handler: checked.handler,
          batchSize: 25,
          maxRetries: 1000,
          retryDelayMs: 0,
        });
        await poller.drain();
        projectorDoc.destroy();
        expect(poller.stats.skipped).toBe(0);
        expect(checked.violations).toEqual([]);
        expect(checked.failures).toBeGreaterThan(0);

        const verdict = await verifyStore(pipeline.doc, pipeline.tables, expected);
        row.lost += verdict.lost;
        row.stale += verdict.stale;
        expect(verdict, verdict.findings.join('\n')).toMatchObject({ lost: 0, stale: 0, extra: 0, wrong: 0 });
      }
    },
    LONG ? 3_600_000 : 60_000,
  );

  it('with the SDK retrying, a write whose response was lost comes back as a duplicate', async ({ task }) => {
    const row = scenario(task, 'faults: lost responses under SDK retries');
    const rng = seededRandom(SEED);
    const events = workload(SEED + 1000, freshAccount());
    const faults = { after: 0 };
    const outcomes = { appended: 0, duplicate: 0, conflict: 0 };
    const surfaced: unknown[] = [];
    await inParallel(events, 8, async (e) => {
      // A client per event: a lost response's retry ends in ConditionalCheckFailed, which the SDK counts
      // as a failure, so the standard strategy never refunds its retry quota (500 tokens per client).
      // Shared by a whole workload, the quota runs out and later faults surface unretried.
      const doc = createDocumentClient({ maxAttempts: 5, retryMode: 'standard' });
      const stats = injectFaults(doc, { before: 0, after: 0.3, rng, kinds: ['serverError', 'timeout'] });
      const ingest = createIngestHandler({ doc, eventLogTable: pipeline.tables.eventLog, redactEnvironment: true });
      try {
        const { value, errors } = await retryUntilSuccess(() => ingest(e));
        surfaced.push(...errors);
        outcomes[value.outcome]++;
      } finally {
        faults.after += stats.after;
        doc.destroy();
      }
    });
    row.runs++;
    row.events += events.length;
    // Each event is sent once. Its first put lands; when that response is lost, the SDK's retry meets the
    // stored item (ALL_OLD) and reports a duplicate: one duplicate per lost response, no error, no second item.
    expect(faults.after).toBeGreaterThan(0);
    expect(surfaced).toEqual([]);
    expect(outcomes).toEqual({ appended: events.length - faults.after, duplicate: faults.after, conflict: 0 });
    const verdict = await verifyStore(pipeline.doc, pipeline.tables, accepted(events), { rows: false });
    row.lost += verdict.lost;
    expect(verdict, verdict.findings.join('\n')).toMatchObject({ lost: 0, extra: 0, wrong: 0 });
  });

  it('reports exactly the winners that failed; retrying from the lowest re-processes only what is needed', async ({
    task,
  }) => {
    const row = scenario(task, 'faults: exact batchItemFailures');
    const own = await testPipeline(`${import.meta.filename}-exact`);
    try {
      const tap = new StreamTap(own.streamArn);
      const rng = seededRandom(SEED);
      const events = generateWorkload(rng, {
        tasks: 8,
        instances: 2,
        account: freshAccount(),
        startMs: WORKLOAD_START_MS,
      });
      for (const e of shuffle(rng, events)) await own.ingest(e);
      const records = (await tap.take(events.length)).sort((a, b) => (seq(a) < seq(b) ? -1 : 1));
      row.runs++;
      row.events += events.length;

      const arns = [...new Set(records.map(keyOf))];
      const failing = new Set(shuffle(rng, arns).slice(0, 3));
      const doc = createDocumentClient(NO_SDK_RETRIES);
      const faults = injectFaults(doc, {
        before: 1,
        after: 0,
        rng,
        only: (input) => {
          const item = input.Item as Record<string, { S?: string }> | undefined;
          return failing.has(item?.taskArn?.S ?? item?.containerInstanceArn?.S ?? '');
        },
      });
      const projector = createProjectorHandler({ doc, tables: own.tables, ttlDays: 30 });
      const first = await projector({ Records: records });

      // The one record per failing resource that must be retried: its highest version in the batch.
      const winners = [...failing].map((arn) =>
        records.filter((r) => keyOf(r) === arn).reduce((a, b) => (versionOf(b) > versionOf(a) ? b : a)),
      );
      expect(first.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
        winners.map((r) => r.dynamodb?.SequenceNumber).sort(),
      );
      expect(first.counts).toMatchObject({ failed: failing.size, projected: arns.length - failing.size });

      // Lambda retries from the lowest reported sequence number: only those records come again.
      faults.paused = true;
      const lowest = lowestOf(first.batchItemFailures.map((f) => BigInt(f.itemIdentifier))) as bigint;
      const retry = records.filter((r) => seq(r) >= lowest);
      expect(retry.length).toBeLessThan(records.length);
      const second = await projector({ Records: retry });
      expect(second.batchItemFailures).toEqual([]);
      expect(second.counts.projected).toBe(failing.size);
      doc.destroy();

      const verdict = await verifyStore(own.doc, own.tables, accepted(events));
      row.lost += verdict.lost;
      row.stale += verdict.stale;
      expect(verdict, verdict.findings.join('\n')).toMatchObject({ lost: 0, stale: 0, extra: 0, wrong: 0 });
    } finally {
      own.client.destroy();
    }
  });
});

/**
 * Wraps the projector as the poller calls it and checks, after every batch, the contract with Lambda:
 * each injected fault is one reported failure (never a silent skip); every record below the lowest
 * reported one is durably reflected in its row, or its resource is covered by a record that will be
 * retried; and a retry starts exactly at the lowest reported record.
 */
function checkedProjector(projector: ReturnType<typeof createProjectorHandler>, faults: FaultStats) {
  const violations: string[] = [];
  let failures = 0;
  let retryFrom: bigint | undefined;
  const doc = createDocumentClient();
  return {
    violations,
    get failures() {
      return failures;
    },
    handler: async (event: { Records: DynamoDBRecord[] }) => {
      const records = event.Records;
      if (retryFrom !== undefined && records[0] && seq(records[0]) !== retryFrom) {
        violations.push(`retry started at ${seq(records[0])}, not at the lowest failure ${retryFrom}`);
      }
      const faultsBefore = faults.before + faults.after;
      const out = await projector(event as never);
      const injected = faults.before + faults.after - faultsBefore;
      const reported = out.batchItemFailures.map((f) => BigInt(f.itemIdentifier));
      failures += reported.length;
      if (reported.length !== injected || out.counts.failed !== injected) {
        violations.push(`${injected} faults injected, ${reported.length} reported, ${out.counts.failed} counted`);
      }
      const lowest = lowestOf(reported);
      retryFrom = lowest;
      // Nothing below the lowest failure may be left behind: the poller checkpoints past it.
      const byArn = new Map<string, DynamoDBRecord[]>();
      for (const r of records) byArn.set(keyOf(r), [...(byArn.get(keyOf(r)) ?? []), r]);
      const current = await currentVersions(doc, records);
      for (const [arn, rs] of byArn) {
        const top = Math.max(...rs.map(versionOf));
        const retried = lowest !== undefined && rs.some((r) => seq(r) >= lowest && versionOf(r) >= top);
        const now = current.get(arn);
        if (!retried && now !== undefined && now < top) violations.push(`${arn} left at v${now} < v${top}`);
      }
      return out;
    },
  };
}

/** The row version of every task and instance in the records (-1 when there is no row yet). */
async function currentVersions(
  doc: ReturnType<typeof createDocumentClient>,
  records: DynamoDBRecord[],
): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  for (const [detailType, table, key] of [
    ['ECS Task State Change', pipeline.tables.taskState, 'taskArn'],
    ['ECS Container Instance State Change', pipeline.tables.instanceState, 'containerInstanceArn'],
  ] as const) {
    const arns = [...new Set(records.filter((r) => r.dynamodb?.NewImage?.detailType?.S === detailType).map(keyOf))];
    for (const arn of arns) versions.set(arn, -1);
    for (let i = 0; i < arns.length; i += 100) {
      const out = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: { Keys: arns.slice(i, i + 100).map((arn) => ({ [key]: arn })), ConsistentRead: true },
          },
        }),
      );
      expect(out.UnprocessedKeys?.[table]).toBeUndefined();
      for (const row of out.Responses?.[table] ?? []) versions.set(row[key] as string, row.version as number);
    }
  }
  return versions;
}
