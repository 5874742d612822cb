import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSameEvent } from '../domain/duplicate.js';
import { codecOf, decodeEvent, decodeStoredEvent, EventCodecError, encodeEvent } from '../domain/eventCodec.js';
import { ECS_EVENT_DICTIONARY_V1 } from '../domain/eventCodecDictionary.js';
import { toLogItem } from '../domain/logItem.js';
import { parseEvent } from '../domain/parseEvent.js';
import { project } from '../domain/projection.js';
import { loadSamples } from '../sim/samples.js';

const samples = [...loadSamples()];
const stamp = { ingestedAt: 0, ingestId: 'x' };

describe('the event codec', () => {
  it('round-trips every AWS sample byte for byte, as its JSON and as ingest stores it', () => {
    expect(samples.length).toBeGreaterThanOrEqual(11);
    for (const [name, event] of samples) {
      const json = JSON.stringify(event);
      const encoded = encodeEvent(json);
      expect(encoded.codec, name).toBe('deflate-ecs-1');
      expect(decodeEvent(encoded.value), name).toBe(json);
      const parsed = parseEvent(event, { redactEnvironment: true });
      if (!parsed.ok) throw new Error(`${name}: ${parsed.rejection.message}`);
      const item = toLogItem(parsed.value, stamp);
      expect(item.event, name).toBeInstanceOf(Uint8Array);
      expect(decodeStoredEvent(item), name).toBe(JSON.stringify(parsed.value.event));
    }
  });

  it('round-trips any JSON text exactly, whatever it holds (unicode, escapes, numbers, nesting)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const json = JSON.stringify(value);
        expect(decodeEvent(encodeEvent(json).value)).toBe(json);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        expect(decodeEvent(encodeEvent(s).value)).toBe(s);
      }),
    );
  });

  it('keeps an event plain when compressing would not shrink it', () => {
    expect(encodeEvent('{}')).toEqual({ codec: 'plain', value: '{}' });
    expect(codecOf('{}')).toBe('plain');
  });

  it('reads items written before the codec: a plain string is the JSON itself', () => {
    const json = JSON.stringify(samples[0]?.[1]);
    expect(decodeStoredEvent({ event: json })).toBe(json);
  });

  it('refuses what no codec wrote, with a reason', () => {
    expect(() => decodeEvent(new Uint8Array([0x7f, 1, 2]))).toThrow(/unknown codec id 127/);
    expect(() => decodeEvent(new Uint8Array([]))).toThrow(EventCodecError);
    expect(() => decodeEvent(new Uint8Array([0x01, 0xff, 0xff, 0xff]))).toThrow(/does not inflate/);
    expect(() => decodeEvent(42)).toThrow(/neither a string nor a binary/);
    expect(() => decodeStoredEvent({})).toThrow(EventCodecError);
  });

  it('is frozen: codec 1 inflates with exactly this dictionary, and bytes written today decode for ever', () => {
    // A changed dictionary would make every stored deflate-ecs-1 item unreadable: a new codec id instead.
    expect(createHash('sha256').update(ECS_EVENT_DICTIONARY_V1).digest('hex')).toBe(
      'e666b1b1f487c6f2a8133c4070ae8f26a12113d7308664a425f3b6f18c9f799a',
    );
    const written = Buffer.from('AcPaAEjPz0lJzaOkGYCombHmQnwpH+4e49paAA==', 'base64');
    expect(decodeEvent(new Uint8Array(written))).toBe(
      '{"version":"0","id":"golden","detail-type":"ECS Task State Change","source":"aws.ecs",' +
        '"detail":{"lastStatus":"RUNNING","desiredStatus":"RUNNING","version":3}}',
    );
  });
});

describe('readers across formats', () => {
  const [name, event] = samples.find(([n]) => n === 'task-2') ?? [];
  const parsed = parseEvent(event, { redactEnvironment: true });
  if (!parsed.ok || !name) throw new Error('task-2 sample missing');
  const item = toLogItem(parsed.value, stamp);
  const before = { ...item, event: JSON.stringify(parsed.value.event) };

  it('projects an item of either format to the same row', () => {
    expect(project(item, { ttlDays: 0 })).toEqual(project(before, { ttlDays: 0 }));
    expect(project(item, { ttlDays: 0 }).type).toBe('state');
  });

  it('tells a duplicate from a conflict whichever format holds the stored event', () => {
    const changed = parseEvent(
      { ...(event as object), detail: { ...parsed.value.event.detail, lastStatus: 'STOPPED' } },
      { redactEnvironment: true },
    );
    if (!changed.ok) throw new Error(changed.rejection.message);
    for (const stored of [item.event, before.event]) {
      expect(isSameEvent(parsed.value, stored)).toBe(true);
      expect(isSameEvent(changed.value, stored)).toBe(false);
    }
    expect(isSameEvent(parsed.value, new Uint8Array([0x01, 0xff]))).toBe(false);
  });

  it('makes a corrupted binary event poison, not a crash', () => {
    const out = project({ ...item, event: new Uint8Array([0x01, 0xff, 0xff]) }, { ttlDays: 0 });
    expect(out.type === 'poison' && out.message).toMatch(/does not inflate/);
  });
});
