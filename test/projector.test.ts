import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLogItem } from '../domain/logItem.js';
import { parseEvent } from '../domain/parseEvent.js';
import { createProjectorHandler } from '../functions/projector.js';
import { createStoredVersions } from '../functions/storedVersions.js';
import { createDocumentClient } from '../infra/client.js';
import type { Pipeline } from '../local/localStack.js';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { seededRandom, shuffle } from '../sim/random.js';
import { scanAll, testPipeline } from './support/pipeline.js';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => pipeline.client.destroy());

let sequence = 1000;
/** A Lambda stream record for a log item, as the log's stream would carry it. */
function streamRecord(item: Record<string, unknown>): DynamoDBRecord {
  sequence++;
  return {
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: marshall({ arn: item.arn, version: item.version }) as never,
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
      SequenceNumber: String(sequence),
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

const logItemsOf = (events: unknown[]) =>
  events.map((e) => {
    const r = parseEvent(e, { redactEnvironment: true });
    if (!r.ok) throw new Error(r.rejection.message);
    return toLogItem(r.value, { ingestedAt: 0, ingestId: 'x' }) as unknown as Record<string, unknown>;
  });

describe('projector handler', () => {
  it('two concurrent batches in any order leave the highest version of every resource', async () => {
    const rng = seededRandom(7);
    const items = logItemsOf(generateWorkload(rng, { tasks: 40, instances: 5 }));
    const records = shuffle(rng, items).map(streamRecord);
    const half = Math.floor(records.length / 2);
    const results = await Promise.all([
      pipeline.projector({ Records: records.slice(0, half) }),
      pipeline.projector({ Records: records.slice(half) }),
    ]);
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);

    const highest = new Map<string, number>();
    for (const i of items) {
      if (i.detailType === 'ECS Task State Change')
        highest.set(i.arn as string, Math.max(highest.get(i.arn as string) ?? 0, i.version as number));
    }
    const rows = await scanAll(pipeline.doc, pipeline.tables.taskState);
    expect(rows).toHaveLength(highest.size);
    for (const row of rows) expect(row.version).toBe(highest.get(row.taskArn as string));
  });

  it('writes once per resource when a batch holds several versions of it', async () => {
    const items = logItemsOf(generateWorkload(seededRandom(8), { tasks: 1, instances: 0 }));
    expect(items.length).toBeGreaterThan(1);
    const out = await pipeline.projector({ Records: items.reverse().map(streamRecord) });
    expect(out.counts).toMatchObject({ projected: 1, staleSkipped: items.length - 1, failed: 0 });
  });

  it('reports the failed record for retry, skips poison without blocking, and ignores service events', async () => {
    const [good, failing] = [9, 10].map((seed) =>
      logItemsOf(generateWorkload(seededRandom(seed), { tasks: 1, instances: 0 })).at(-1),
    ) as [Record<string, unknown>, Record<string, unknown>];
    const doc = createDocumentClient();
    // Fault injection on a real client: every write of the `failing` task throws a throttling error.
    doc.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Item?: { taskArn?: unknown } };
        if (input.Item?.taskArn === failing.arn)
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return next(args);
      },
      { step: 'initialize' },
    );
    const projector = createProjectorHandler({ doc, tables: pipeline.tables, ttlDays: 30 });
    const poison = streamRecord({
      arn: 'arn:aws:ecs:us-east-1:1:task/c/bad',
      version: 1,
      detailType: 'ECS Task State Change',
      event: '{oops',
    });
    const service = streamRecord({
      arn: 'arn:aws:ecs:us-east-1:1:service/c/s',
      version: 1,
      detailType: 'ECS Service Action',
      event: '{}',
    });
    const failingRecord = streamRecord(failing);
    const out = await projector({ Records: [poison, streamRecord(good), failingRecord, service] });
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: failingRecord.dynamodb?.SequenceNumber }]);
    expect(out.counts).toMatchObject({ projected: 1, poison: 1, historyOnly: 1, failed: 1 });
    const rows = await scanAll(pipeline.doc, pipeline.tables.taskState);
    expect(rows.map((r) => r.taskArn)).toContain(good.arn);
    expect(rows.map((r) => r.taskArn)).not.toContain(failing.arn);
  });
});

describe('projector memory of stored versions', () => {
  /** A real client that counts the puts it sends. */
  const countingClient = () => {
    const doc = createDocumentClient();
    const sent = { puts: 0 };
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (/^Put(Item)?Command$/.test(context.commandName ?? '')) sent.puts++;
        return next(args);
      },
      { step: 'initialize' },
    );
    return { doc, sent };
  };
  type Item = Record<string, unknown>;
  /** A task's first, second and third log items and its last, in version order. */
  const oneTask = (seed: number): [Item, Item, Item, Item] => {
    const items = logItemsOf(generateWorkload(seededRandom(seed), { tasks: 1, instances: 0 }));
    expect(items.length).toBeGreaterThan(3);
    return [items[0], items[1], items[2], items.at(-1)] as [Item, Item, Item, Item];
  };
  const rowOf = async (arn: unknown) =>
    (await scanAll(pipeline.doc, pipeline.tables.taskState)).find((r) => r.taskArn === arn);

  it('sends no put for a version at or below one it wrote or saw refused', async () => {
    const [first, middle, third, last] = oneTask(21);
    const { doc, sent } = countingClient();
    const projector = createProjectorHandler({ doc, tables: pipeline.tables, ttlDays: 30 });
    await projector({ Records: [streamRecord(middle)] });
    await projector({ Records: [streamRecord(first)] }); // below the version it wrote
    expect(sent.puts).toBe(1);

    // A newer version written by another container: this one learns of it from the refusal, once.
    const other = createProjectorHandler({ doc: pipeline.doc, tables: pipeline.tables, ttlDays: 30 });
    await other({ Records: [streamRecord(last)] });
    const refused = await projector({ Records: [streamRecord(third)] });
    const again = await projector({ Records: [streamRecord(third)] });
    expect(sent.puts).toBe(2);
    expect([refused.counts, again.counts]).toMatchObject([
      { projected: 0, staleSkipped: 1 },
      { projected: 0, staleSkipped: 1 },
    ]);
    expect((await rowOf(last.arn))?.version).toBe(last.version);
  });

  it('asks DynamoDB again once an entry is older than its age limit (a row lowered out of band)', async () => {
    const [first, , , last] = oneTask(22);
    let now = 0;
    const { doc, sent } = countingClient();
    const storedVersions = createStoredVersions({ maxAgeMs: 1000, now: () => now });
    const projector = createProjectorHandler({ doc, tables: pipeline.tables, ttlDays: 30, storedVersions });
    await projector({ Records: [streamRecord(last)] });
    // Restored to nothing: the row is gone, as after a point-in-time restore from before the task.
    await pipeline.doc.send(new DeleteCommand({ TableName: pipeline.tables.taskState, Key: { taskArn: last.arn } }));
    await projector({ Records: [streamRecord(first)] });
    expect(sent.puts).toBe(1);
    expect(await rowOf(first.arn)).toBeUndefined();
    now = 1001;
    const out = await projector({ Records: [streamRecord(first)] });
    expect(out.counts.projected).toBe(1);
    expect((await rowOf(first.arn))?.version).toBe(first.version);
  });
});
