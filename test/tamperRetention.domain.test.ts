// A TTL removal of a log item is expiry only where the log's retention lets TTL remove items; with
// retention off (the default deploy) it is tampering like any other REMOVE. Pure, and through the
// projector's handler with its marker append answered by a stub client.
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { classifyLogChange, TTL_IDENTITY } from '../domain/tamper.js';
import { createProjectorHandler } from '../functions/projector.js';
import { readConfig } from '../infra/config.js';

const ttlRemove = { eventName: 'REMOVE', userIdentity: TTL_IDENTITY };

describe('TTL removals and the log retention', () => {
  it('classifies a TTL removal as expiry with retention on, tampering with it off', () => {
    expect(classifyLogChange(ttlRemove, { ttlExpected: true })).toEqual({ type: 'expiry' });
    expect(classifyLogChange(ttlRemove, { ttlExpected: false })).toEqual({ type: 'tampering', change: 'REMOVE' });
    // Retention does not change the rest.
    expect(classifyLogChange({ eventName: 'REMOVE' }, { ttlExpected: true })).toEqual({
      type: 'tampering',
      change: 'REMOVE',
    });
    expect(classifyLogChange({ eventName: 'MODIFY', userIdentity: TTL_IDENTITY }, { ttlExpected: true })).toEqual({
      type: 'tampering',
      change: 'MODIFY',
    });
    expect(classifyLogChange({ eventName: 'INSERT' }, { ttlExpected: false })).toEqual({ type: 'append' });
  });

  it('reports a TTL removal through the projector when it is told the log has no retention', async () => {
    const record: DynamoDBRecord = {
      eventName: 'REMOVE',
      userIdentity: TTL_IDENTITY,
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/ECSEventLog-dev/stream/1',
      dynamodb: {
        Keys: { arn: { S: 'arn:aws:ecs:us-east-1:123456789012:task/c/abc' }, version: { N: '3' } },
        OldImage: { arn: { S: 'arn:aws:ecs:us-east-1:123456789012:task/c/abc' }, version: { N: '3' } },
        SequenceNumber: '100',
      },
    };
    const sent: string[] = [];
    // The marker's conditional put, answered as DynamoDB would the first time.
    const doc = {
      send: async (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return {};
      },
    };
    const quiet = { info() {}, warn() {}, error() {}, debug() {} };
    const metrics = { addMetric() {}, publishStoredMetrics() {}, addDimension() {}, addDimensions() {} };
    const run = (ttlExpected: boolean) =>
      createProjectorHandler({
        doc: doc as never,
        tables: readConfig({}).tables,
        ttlDays: 30,
        ttlExpected,
        logger: quiet as never,
        metrics: metrics as never,
      })({ Records: [record] });
    const off = await run(false);
    expect(off.counts.tampered).toBe(1);
    expect(off.tampered.map((t) => [t.change, t.key.version])).toEqual([['REMOVE', 3]]);
    // Its marker was appended to the log (a conditional put).
    expect(sent).toContain('PutCommand');
    sent.length = 0;
    const on = await run(true);
    expect(on.counts.tampered).toBe(0);
    expect(on.tampered).toEqual([]);
    expect(sent).toEqual([]);
  });
});
