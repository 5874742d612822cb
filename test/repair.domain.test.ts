import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DRIFT_KINDS, type Drift, type DriftKind, findDrift } from '../domain/drift.js';
import type { Projection } from '../domain/projection.js';
import { type Finding, repairAction } from '../domain/repair.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/c/t1';
const NOW = Date.UTC(2030, 0, 1);

const state = (version: number, expiresAtMs?: number): Projection => ({
  kind: 'task',
  arn: ARN,
  version,
  row: {
    taskArn: ARN,
    version,
    lastStatus: 'RUNNING',
    ...(expiresAtMs !== undefined && { expiresAt: Math.floor(expiresAtMs / 1000) }),
  },
});
const drift = (kind: DriftKind): Drift => ({ kind, stateKind: 'task', arn: ARN });
const finding = (kind: DriftKind, expected: Projection | undefined, row?: Record<string, unknown>): Finding => ({
  drift: drift(kind),
  expected,
  row,
});
const decide = (f: Finding, deleteOrphans = false) => repairAction(f, { nowMs: NOW, deleteOrphans });

describe('repairAction (verify --repair)', () => {
  it('writes a missing or stale row the way the live projector does', () => {
    expect(decide(finding('missing', state(3)))).toEqual({ type: 'putIfNewer', projection: state(3) });
    expect(decide(finding('stale', state(3), { version: 2 }))).toEqual({ type: 'putIfNewer', projection: state(3) });
  });

  it('replaces a differing or ahead row only if it still holds the version that was read', () => {
    for (const kind of ['differs', 'ahead'] as const) {
      expect(decide(finding(kind, state(3), { version: 7 }))).toEqual({
        type: 'replaceIfVersion',
        projection: state(3),
        observedVersion: 7,
      });
    }
  });

  it('deletes a drifted row whose log state has expired, under the same condition', () => {
    expect(decide(finding('differs', state(3, NOW - 1000), { version: 3 }))).toEqual({
      type: 'deleteIfVersion',
      stateKind: 'task',
      arn: ARN,
      observedVersion: 3,
    });
  });

  it('keeps orphans unless asked to delete them', () => {
    const orphan = finding('orphan', undefined, { version: 'corrupt' });
    expect(decide(orphan)).toEqual({ type: 'keep' });
    expect(decide(orphan, true)).toEqual({
      type: 'deleteIfVersion',
      stateKind: 'task',
      arn: ARN,
      observedVersion: 'corrupt',
    });
  });

  it('writes only what the log holds, conditioned on what was read, for any drift findDrift reports', () => {
    const version = fc.integer({ min: 1, max: 20 });
    const row = fc.option(
      fc.record({ version: fc.oneof(version, fc.constant('x')), lastStatus: fc.constantFrom('RUNNING', 'STOPPED') }),
      { nil: undefined },
    );
    const expected = fc.option(
      fc
        .tuple(version, fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }))
        .map(([v, days]) => state(v, days === undefined ? undefined : NOW + days * 86_400_000)),
      { nil: undefined },
    );
    fc.assert(
      fc.property(expected, row, fc.boolean(), (exp, r, deleteOrphans) => {
        const d = findDrift({ stateKind: 'task', arn: ARN }, exp, r, NOW);
        if (!d) return;
        expect(DRIFT_KINDS).toContain(d.kind);
        const action = repairAction({ drift: d, expected: exp, row: r }, { nowMs: NOW, deleteOrphans });
        if (action.type === 'putIfNewer' || action.type === 'replaceIfVersion') expect(action.projection).toBe(exp);
        if (action.type === 'replaceIfVersion' || action.type === 'deleteIfVersion') {
          expect(action.observedVersion).toBe(r?.version);
        }
        if (action.type === 'keep') expect(d.kind === 'orphan' && !deleteOrphans).toBe(true);
      }),
    );
  });
});
