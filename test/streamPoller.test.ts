import { DynamoDBStreamsClient, TrimmedDataAccessException } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../local/localStack.js';
import { MemoryCheckpointStore } from '../local/streamCheckpoints.js';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { seededRandom } from '../sim/random.js';
import { inParallel } from '../usecases/inParallel.js';
import { scanAll, testPipeline } from './support/pipeline.js';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => pipeline.client.destroy());

describe('local stream poller', () => {
  it('resumes from its checkpoint, and retries from the reported failure until it succeeds', async () => {
    const events = generateWorkload(seededRandom(3), { tasks: 30, instances: 3 });
    const [first, second] = [events.slice(0, 60), events.slice(60)];
    const checkpoints = new MemoryCheckpointStore();
    const seen: string[] = [];
    let failuresLeft = 2;
    let failedSequence: string | undefined;
    const handler = async (event: DynamoDBStreamEvent) => {
      seen.push(...event.Records.map((r) => r.dynamodb?.SequenceNumber as string));
      const response = await pipeline.projector(event);
      // The third record of the first batch fails twice (as a throttled write would).
      const victim = failedSequence ?? event.Records[2]?.dynamodb?.SequenceNumber;
      if (failuresLeft > 0 && victim && event.Records.some((r) => r.dynamodb?.SequenceNumber === victim)) {
        failedSequence = victim;
        failuresLeft--;
        return { batchItemFailures: [{ itemIdentifier: victim }] };
      }
      return response;
    };

    await inParallel(first, 8, (e) => pipeline.ingest(e));
    const poller = pipeline.poller({ handler, checkpoints, batchSize: 25, retryDelayMs: 1 });
    await poller.drain();
    expect(poller.stats.retries).toBe(2);
    expect(poller.stats.skipped).toBe(0);
    // Records before the failure were not handed over again.
    const firstSeen = seen.indexOf(failedSequence as string);
    expect(seen.slice(0, firstSeen).every((s) => seen.filter((x) => x === s).length === 1)).toBe(true);

    // A new poller on the same checkpoints sees only what was written after.
    seen.length = 0;
    await inParallel(second, 8, (e) => pipeline.ingest(e));
    await pipeline.poller({ handler, checkpoints }).drain();
    expect(new Set(seen).size).toBe(second.length);

    const rows = await scanAll(pipeline.doc, pipeline.tables.taskState);
    expect(rows).toHaveLength(30);
    const highest = new Map<string, number>();
    for (const e of events) {
      const arn = e.detail.taskArn as string | undefined;
      if (arn) highest.set(arn, Math.max(highest.get(arn) ?? 0, e.detail.version as number));
    }
    for (const row of rows) expect(row.version).toBe(highest.get(row.taskArn as string));
  });

  it('reads on from its checkpoint when DynamoDB Local says the records were trimmed', async () => {
    const events = generateWorkload(seededRandom(4), { tasks: 10, instances: 1 });
    await inParallel(events, 8, (e) => pipeline.ingest(e));
    // Fault injection on a real client: the first GetRecords fails as DynamoDB Local's sometimes does.
    const client = new DynamoDBStreamsClient(pipeline.clientSettings);
    let trimmed = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetRecordsCommand' && trimmed === 0) {
          trimmed++;
          throw new TrimmedDataAccessException({ message: 'read past the oldest stream record', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const seen = new Set<string>();
    const poller = pipeline.poller({
      client,
      handler: async (event) => {
        for (const r of event.Records) seen.add(`${r.dynamodb?.Keys?.arn?.S} ${r.dynamodb?.Keys?.version?.N}`);
        return pipeline.projector(event);
      },
    });
    await poller.drain();
    client.destroy();
    expect(trimmed).toBe(1);
    // Every item this test appended reached the handler (the stream also holds the first test's).
    const appended = events.map((e) => `${e.detail.taskArn ?? e.detail.containerInstanceArn} ${e.detail.version}`);
    expect(appended.filter((k) => !seen.has(k))).toEqual([]);
  });
});
