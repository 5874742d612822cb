import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { latestPerResource, newer, PHASE, type Projection, project } from '../domain/projection.js';
import model from '../infra/tables.cjs';

const item = (over: Record<string, unknown> = {}) => ({
  arn: 'arn:aws:ecs:us-east-1:1:task/c/t1',
  version: 3,
  detailType: 'ECS Task State Change',
  eventTime: Date.parse('2026-11-01T00:00:00Z'),
  eventId: 'e1',
  event: JSON.stringify({
    detail: { taskArn: 'arn:aws:ecs:us-east-1:1:task/c/t1', lastStatus: 'RUNNING', version: 3, status: 'x' },
  }),
  ...over,
});

describe('project', () => {
  it('copies every detail field and adds the key, version, eventTime, eventId and phase', () => {
    const out = project(item(), { ttlDays: 30 });
    expect(out).toEqual({
      type: 'state',
      projection: {
        kind: 'task',
        arn: 'arn:aws:ecs:us-east-1:1:task/c/t1',
        version: 3,
        row: {
          taskArn: 'arn:aws:ecs:us-east-1:1:task/c/t1',
          lastStatus: 'RUNNING',
          status: 'x',
          version: 3,
          eventTime: Date.parse('2026-11-01T00:00:00Z'),
          eventId: 'e1',
          phase: 'live',
        },
      },
    });
  });

  it('gives STOPPED tasks an expiry ttlDays after their event, and none when ttlDays is 0', () => {
    const stopped = item({ event: JSON.stringify({ detail: { lastStatus: 'STOPPED' } }) });
    const out = project(stopped, { ttlDays: 30 });
    expect(out.type === 'state' && out.projection.row.expiresAt).toBe(
      Date.parse('2026-11-01T00:00:00Z') / 1000 + 30 * 86400,
    );
    expect(out.type === 'state' && out.projection.row.phase).toBe('ended');
    const kept = project(stopped, { ttlDays: 0 });
    expect(kept.type === 'state' && 'expiresAt' in kept.projection.row).toBe(false);
  });

  it('writes the attribute the cluster index of both latest-state tables sorts on', () => {
    for (const table of [model.tables.taskState, model.tables.instanceState])
      expect(table.indexes.map((i) => i.sortKey)).toEqual([PHASE]);
  });

  it('leaves service and deployment events to history', () => {
    expect(project(item({ detailType: 'ECS Service Action' }), { ttlDays: 0 })).toEqual({ type: 'historyOnly' });
  });

  it('calls unreadable items poison, with their key', () => {
    const out = project(item({ event: '{not json' }), { ttlDays: 0 });
    expect(out.type).toBe('poison');
    expect(out.type === 'poison' && out.message).toMatch(/task\/c\/t1 v3: event is not valid JSON/);
    expect(project(item({ detailType: 'nope' }), { ttlDays: 0 }).type).toBe('poison');
    expect(project(item({ version: '3' }), { ttlDays: 0 }).type).toBe('poison');
  });
});

describe('which version wins', () => {
  const projection = fc.record({
    kind: fc.constantFrom('task' as const, 'instance' as const),
    arn: fc.constantFrom('a', 'b', 'c'),
    version: fc.nat(50),
  });
  // Versions are unique per resource in the log, so each (kind, arn, version) carries one row.
  const toProjection = (p: { kind: 'task' | 'instance'; arn: string; version: number }): Projection => ({
    ...p,
    row: { id: `${p.kind}${p.arn}${p.version}` },
  });
  const params = { seed: 20261128, numRuns: 300 };

  it('newer is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        (x, y, z) => {
          const [a, b, c] = [x, y, z].map((version) => toProjection({ kind: 'task', arn: 'a', version })) as [
            Projection,
            Projection,
            Projection,
          ];
          expect(newer(a, b).version).toBe(newer(b, a).version);
          expect(newer(newer(a, b), c).version).toBe(newer(a, newer(b, c)).version);
          expect(newer(a, a)).toBe(a);
        },
      ),
      params,
    );
  });

  it('latestPerResource keeps the highest version per resource, whatever the order and duplicates', () => {
    fc.assert(
      fc.property(fc.array(projection, { maxLength: 60 }), (ps) => {
        const items = ps.map(toProjection);
        const once = latestPerResource(items);
        const twiceReversed = latestPerResource([...items, ...items].reverse());
        expect([...twiceReversed.entries()].map(([k, p]) => [k, p.version]).sort()).toEqual(
          [...once.entries()].map(([k, p]) => [k, p.version]).sort(),
        );
        for (const p of items) expect(once.get(`${p.kind}\u0000${p.arn}`)?.version).toBeGreaterThanOrEqual(p.version);
      }),
      params,
    );
  });
});
