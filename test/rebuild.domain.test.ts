import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { differingFields, findDrift, sameValue } from '../domain/drift.js';
import { isExpired } from '../domain/expiry.js';
import { latestPerResource, type Projection } from '../domain/projection.js';
import { reduceRuns, reduceStep } from '../domain/reduceLatest.js';

/** Fixed seed, printed by fast-check on failure together with the counterexample. */
const params = { seed: 20261128, numRuns: 300, verbose: true } as const;

const projection = (arn: string, version: number, extra: Record<string, unknown> = {}): Projection => ({
  kind: 'task',
  arn,
  version,
  row: { lastStatus: 'RUNNING', ...extra, taskArn: arn, version },
});

describe('reduceLatest: streaming reduction of a scan segment', () => {
  it('emits one latest projection per resource when each ARN arrives together, in any version order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }), { maxLength: 20 }),
        (versionsPerArn) => {
          const scan = versionsPerArn.flatMap((versions, i) => versions.map((v) => projection(`arn-${i}`, v)));
          const runs = reduceRuns(scan);
          expect(runs.map((p) => [p.arn, p.version])).toEqual(
            versionsPerArn.map((versions, i) => [`arn-${i}`, Math.max(...versions)]),
          );
        },
      ),
      params,
    );
  });

  it('never loses the latest version when ARNs are interleaved (more runs, same winners)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ arn: fc.constantFrom('a', 'b', 'c'), version: fc.integer({ min: 1, max: 50 }) }), {
          maxLength: 40,
        }),
        (items) => {
          const scan = items.map((i) => projection(i.arn, i.version));
          const runs = reduceRuns(scan);
          // What the conditional write keeps: the highest version written per ARN.
          const written = latestPerResource(runs);
          expect([...written.values()].map((p) => [p.arn, p.version]).sort()).toEqual(
            [...latestPerResource(scan).values()].map((p) => [p.arn, p.version]).sort(),
          );
          expect(runs.length).toBeLessThanOrEqual(scan.length);
        },
      ),
      params,
    );
  });

  it('keeps the run pending until another resource begins', () => {
    const first = reduceStep(undefined, projection('a', 1));
    expect(first.emit).toBeUndefined();
    const second = reduceStep(first.pending, projection('a', 2));
    expect(second).toEqual({ pending: projection('a', 2) });
    const third = reduceStep(second.pending, projection('b', 1));
    expect(third.emit?.version).toBe(2);
    expect(third.pending.arn).toBe('b');
  });
});

describe('drift: a row against the log latest projection', () => {
  const now = Date.UTC(2026, 10, 28);
  const id = { stateKind: 'task' as const, arn: 'arn-1' };
  const expected = projection('arn-1', 5, { eventTime: now - 1000 });

  it('names each kind of drift', () => {
    expect(findDrift(id, expected, undefined, now)).toMatchObject({ kind: 'missing', logVersion: 5 });
    expect(findDrift(id, expected, { ...expected.row, version: 4 }, now)).toMatchObject({
      kind: 'stale',
      rowVersion: 4,
      logVersion: 5,
    });
    expect(findDrift(id, expected, { ...expected.row, version: 9 }, now)).toMatchObject({
      kind: 'ahead',
      rowVersion: 9,
    });
    expect(findDrift(id, expected, { ...expected.row, lastStatus: 'X', junk: 1 }, now)).toMatchObject({
      kind: 'differs',
      fields: ['junk', 'lastStatus'],
    });
    expect(findDrift(id, expected, { ...expected.row, version: '5' }, now)).toMatchObject({
      kind: 'differs',
      rowVersion: '"5"',
      fields: ['version'],
    });
    expect(findDrift(id, undefined, { taskArn: 'arn-1', version: 3 }, now)).toMatchObject({ kind: 'orphan' });
    expect(findDrift(id, expected, { ...expected.row }, now)).toBeUndefined();
    expect(findDrift(id, undefined, undefined, now)).toBeUndefined();
  });

  it('does not call an expired row missing (TTL deleted it), but does call an older row of it stale', () => {
    const stopped = projection('arn-1', 5, { lastStatus: 'STOPPED', expiresAt: Math.floor(now / 1000) - 1 });
    expect(isExpired(stopped, now)).toBe(true);
    expect(findDrift(id, stopped, undefined, now)).toBeUndefined();
    expect(findDrift(id, stopped, { ...stopped.row, version: 4 }, now)?.kind).toBe('stale');
  });

  it('compares expiresAt by presence only (its value follows STATE_TTL_DAYS at write time)', () => {
    const stopped = projection('arn-1', 5, { lastStatus: 'STOPPED', expiresAt: 2_000_000_000 });
    expect(findDrift(id, stopped, { ...stopped.row, expiresAt: 2_000_086_400 }, now)).toBeUndefined();
    const { expiresAt: _, ...withoutTtl } = stopped.row;
    expect(findDrift(id, stopped, withoutTtl, now)).toMatchObject({ kind: 'differs', fields: ['expiresAt'] });
    expect(findDrift(id, expected, { ...expected.row, expiresAt: 1 }, now)).toMatchObject({ fields: ['expiresAt'] });
    // Nested `expiresAt` is ordinary data.
    expect(differingFields({ m: { expiresAt: 1 } }, { m: { expiresAt: 2 } })).toEqual(['m']);
  });

  it('treats values read back from DynamoDB as equal to what was projected', () => {
    // Numbers past 2^53 come back as bigint; undefined attributes are not stored.
    expect(sameValue(12345678901234567000, 12345678901234567000n)).toBe(true);
    expect(differingFields({ a: 1, b: undefined, c: [{ d: null }] }, { a: 1, c: [{ d: null }] })).toEqual([]);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameValue(new Set(['x', 'y']), new Set(['y', 'x']))).toBe(true);
  });

  it('finds no drift between any JSON detail and its own stored copy', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue()), (detail) => {
        const p = projection('arn-1', 1, detail);
        const storedCopy = JSON.parse(JSON.stringify(p.row));
        expect(findDrift(id, p, storedCopy, now)).toBeUndefined();
      }),
      params,
    );
  });
});
