// The optional log retention (deploy parameter eventLogRetentionDays → LOG_RETENTION_DAYS): off by
// default, and when on, every log item carries the TTL attribute `expiresAt`, counted from the event time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedEvent } from '../domain/eventTypes.js';
import { toLogItem } from '../domain/logItem.js';
import { parseEvent } from '../domain/parseEvent.js';
import { createIngestHandler } from '../functions/ingest.js';
import type { Pipeline } from '../local/localStack.js';
import { loadSamples } from '../sim/samples.js';
import { scanAll, testPipeline } from './support/pipeline.js';

const samples = loadSamples('task');
const parsed = (name: string): ParsedEvent => {
  const r = parseEvent(samples.get(name), { redactEnvironment: true });
  if (!r.ok) throw new Error(`sample ${name} refused: ${r.rejection.message}`);
  return r.value;
};
const stamp = { ingestedAt: Date.now(), ingestId: '01J0000000000000000000000' };

describe('toLogItem: log retention', () => {
  it('writes no expiresAt by default or with 0 days: the log is kept forever', () => {
    expect(toLogItem(parsed('task-1'), stamp)).not.toHaveProperty('expiresAt');
    expect(toLogItem(parsed('task-1'), { ...stamp, retentionDays: 0 })).not.toHaveProperty('expiresAt');
  });

  it('sets expiresAt (epoch seconds) to the event time plus the retention, whenever it is ingested', () => {
    const event = parsed('task-1');
    const expected = Math.floor(event.eventTime / 1000) + 400 * 86_400;
    expect(toLogItem(event, { ...stamp, retentionDays: 400 }).expiresAt).toBe(expected);
    // A redelivery ingested later gets the same value: expiry follows the event, not the delivery.
    expect(
      toLogItem(event, { ...stamp, ingestedAt: stamp.ingestedAt + 86_400_000, retentionDays: 400 }).expiresAt,
    ).toBe(expected);
  });
});

describe('ingest with LOG_RETENTION_DAYS', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await testPipeline(import.meta.filename);
  });
  afterAll(() => pipeline.client.destroy());

  it('stores expiresAt on each appended item; a redelivery stays a duplicate', async () => {
    const ingest = createIngestHandler({
      doc: pipeline.doc,
      eventLogTable: pipeline.tables.eventLog,
      redactEnvironment: true,
      logRetentionDays: 30,
    });
    const event = samples.get('task-2');
    expect((await ingest(event)).outcome).toBe('appended');
    expect((await ingest(event)).outcome).toBe('duplicate');
    const items = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    expect(items).toHaveLength(1);
    expect(items[0]?.expiresAt).toBe(Math.floor(parsed('task-2').eventTime / 1000) + 30 * 86_400);
  });
});
