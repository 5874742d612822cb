import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DERIVED_VERSION_SLOTS, MAX_DERIVED_PROBES } from '../domain/derivedVersion.js';
import { compareServiceEvents, type ServiceLogEvent, TimeOrderBuffer } from '../domain/serviceEvents.js';

const T0 = Date.UTC(2026, 10, 3, 14, 0, 0);

/** A service action as the log holds it: derived version, possibly pushed up by collision probes. */
const loggedEvent = fc
  .record({
    offsetMs: fc.integer({ min: 0, max: 4_000 }),
    hash: fc.integer({ min: 0, max: DERIVED_VERSION_SLOTS - 1 }),
    probe: fc.integer({ min: 0, max: MAX_DERIVED_PROBES - 1 }),
    createdJitter: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ offsetMs, hash, probe, createdJitter }): ServiceLogEvent => {
    const eventTime = Math.floor((T0 + offsetMs) / 1000) * 1000;
    return {
      arn: 'arn:aws:ecs:us-east-1:111122223333:service/prod/web',
      version: Math.floor(eventTime / 1000) * DERIVED_VERSION_SLOTS + hash + probe,
      detailType: 'ECS Service Action',
      eventId: undefined,
      eventTime,
      clusterArn: undefined,
      detail: {
        eventType: 'INFO',
        eventName: 'SERVICE_STEADY_STATE',
        createdAt: new Date(eventTime + createdJitter).toISOString(),
      },
    };
  });

describe('service events in time order', () => {
  it('orders by envelope time, then by the milliseconds of createdAt/updatedAt, then by version', () => {
    const base = { arn: 'a', detailType: 'ECS Service Action', eventId: undefined, clusterArn: undefined };
    const late = { ...base, version: 9, eventTime: T0, detail: { createdAt: new Date(T0 + 900).toISOString() } };
    const early = { ...base, version: 10, eventTime: T0, detail: { createdAt: new Date(T0 + 100).toISOString() } };
    const next = { ...base, version: 1, eventTime: T0 + 1000, detail: {} };
    expect([next, late, early].sort(compareServiceEvents)).toEqual([early, late, next]);
  });

  it('TimeOrderBuffer turns a version-ordered read into time order, collisions and probes included', () => {
    fc.assert(
      fc.property(fc.array(loggedEvent, { maxLength: 80 }), (events) => {
        const distinct = [...new Map(events.map((e) => [e.version, e])).values()];
        const read = [...distinct].sort((a, b) => a.version - b.version);
        const buffer = new TimeOrderBuffer();
        const out = [...read.flatMap((e) => buffer.push(e)), ...buffer.flush()];
        expect(out).toEqual([...distinct].sort(compareServiceEvents));
      }),
      { seed: 20261103, numRuns: 300 },
    );
  });
});
