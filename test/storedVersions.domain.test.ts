import { describe, expect, it } from 'vitest';
import { createStoredVersions } from '../functions/storedVersions.js';

describe('stored versions memory', () => {
  it('covers a version at or below the highest recorded, per table and resource', () => {
    const m = createStoredVersions();
    m.record('T', 'a', 5);
    m.record('T', 'a', 3); // a refusal of a lower version never lowers what is known
    expect([m.covers('T', 'a', 5), m.covers('T', 'a', 4), m.covers('T', 'a', 6)]).toEqual([true, true, false]);
    expect([m.covers('U', 'a', 1), m.covers('T', 'b', 1)]).toEqual([false, false]);
  });

  it('forgets the least recently recorded resource beyond its capacity', () => {
    const m = createStoredVersions({ capacity: 2 });
    m.record('T', 'a', 1);
    m.record('T', 'b', 1);
    m.record('T', 'a', 2); // a is now the most recent
    m.record('T', 'c', 1);
    expect(['a', 'b', 'c'].map((arn) => m.covers('T', arn, 1))).toEqual([true, false, true]);
  });

  it('forgets an entry older than its age limit, and does not carry its version over', () => {
    let now = 0;
    const m = createStoredVersions({ maxAgeMs: 10, now: () => now });
    m.record('T', 'a', 9);
    now = 11;
    expect(m.covers('T', 'a', 1)).toBe(false);
    m.record('T', 'a', 2);
    expect([m.covers('T', 'a', 2), m.covers('T', 'a', 3)]).toEqual([true, false]);
  });

  it('does not renew the age of a higher version when a lower one is recorded', () => {
    let now = 0;
    const m = createStoredVersions({ maxAgeMs: 10, now: () => now });
    m.record('T', 'a', 9);
    now = 8;
    m.record('T', 'a', 5); // refused: the row holds at least 5 now, and at least 9 as of time 0
    now = 11;
    expect(m.covers('T', 'a', 9)).toBe(false);
  });
});
