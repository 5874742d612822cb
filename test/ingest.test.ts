import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStoredEvent } from '../domain/eventCodec.js';
import { IngestRejectedError } from '../functions/ingest.js';
import type { Pipeline } from '../local/localStack.js';
import { loadSamples } from '../sim/samples.js';
import { scanAll, testPipeline } from './support/pipeline.js';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => pipeline.client.destroy());

const samples = loadSamples();
const sample = (name: string) => structuredClone(samples.get(name)) as Record<string, any>;

describe('ingest handler', () => {
  it('appends every AWS sample of every detail-type once; redeliveries are no-ops', async () => {
    const outcomes = [];
    for (const event of samples.values()) outcomes.push((await pipeline.ingest(event)).outcome);
    expect(outcomes.every((o) => o === 'appended')).toBe(true);
    for (const event of samples.values()) expect((await pipeline.ingest(event)).outcome).toBe('duplicate');

    const log = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    expect(log).toHaveLength(samples.size);
    const task1 = log.find((i) => i.eventId === '9bcdac79-b31f-4d3d-9410-fbd727c29fab');
    expect(task1).toMatchObject({
      arn: 'arn:aws:ecs:us-east-1:111122223333:task/b99d40b3-5176-4f71-9a52-9dbd6f1cebef',
      version: 4,
      detailType: 'ECS Task State Change',
      timelineKey: expect.stringMatching(/^arn:aws:ecs:us-east-1:111122223333:cluster\/default#2016-12-06T16#\d$/),
      eventTime: Date.parse('2016-12-06T16:41:06Z'),
      lastStatus: 'RUNNING',
    });
    expect(task1?.ingestId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(JSON.parse(decodeStoredEvent(task1 ?? {}))).toEqual(samples.get('task-1'));
  });

  it('keeps the first of two different events with the same ARN and version, and says conflict', async () => {
    const first = sample('task-2');
    first.detail.version = 99;
    const other = structuredClone(first);
    other.detail.lastStatus = 'STOPPED';
    expect((await pipeline.ingest(first)).outcome).toBe('appended');
    expect((await pipeline.ingest(other)).outcome).toBe('conflict');
    const log = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    const stored = log.filter((i) => i.arn === first.detail.taskArn && i.version === 99);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.lastStatus).toBe('RUNNING');
  });

  it('treats a redelivery in a new envelope (other id and time) as a duplicate', async () => {
    const again = sample('task-4');
    again.id = 'another-envelope-id';
    again.time = '2025-05-12T13:12:07Z';
    await pipeline.ingest(sample('task-4'));
    expect((await pipeline.ingest(again)).outcome).toBe('duplicate');
  });

  it('refuses bad input with a typed error carrying the reason, and writes nothing', async () => {
    const before = (await scanAll(pipeline.doc, pipeline.tables.eventLog)).length;
    const bad = sample('task-1');
    bad.detail.version = '7';
    const error = await pipeline.ingest(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestRejectedError);
    expect((error as IngestRejectedError).reason).toBe('VERSION_NOT_INTEGER');
    expect((error as Error).message).toBe(
      'rejected [VERSION_NOT_INTEGER]: detail.version must be a non-negative integer, got "7"',
    );
    for (const event of [null, {}, { ...sample('task-1'), source: 'aws.ec2' }, { ...sample('task-1'), detail: [] }]) {
      await expect(pipeline.ingest(event)).rejects.toBeInstanceOf(IngestRejectedError);
    }
    expect(await scanAll(pipeline.doc, pipeline.tables.eventLog)).toHaveLength(before);
  });
});
