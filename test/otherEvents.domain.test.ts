import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { otherEventSummary } from '../domain/audit/history.js';
import { interleaveByTime } from '../domain/audit/merge.js';
import { DERIVED_VERSION_SLOTS, derivedVersion, derivedVersionSecond } from '../domain/derivedVersion.js';
import { isSameEvent } from '../domain/duplicate.js';
import { decodeStoredEvent } from '../domain/eventCodec.js';
import { KINDS, kindOfDetailType, metricDetailType } from '../domain/kinds.js';
import { toLogItem } from '../domain/logItem.js';
import { otherPartition, resourceOfLogKey } from '../domain/otherEvents.js';
import { parseEvent } from '../domain/parseEvent.js';
import { project } from '../domain/projection.js';
import { eventIdentity } from '../domain/provenance.js';
import { loadSamples } from '../sim/samples.js';

const opts = { redactEnvironment: true };
const samples = loadSamples();
const sample = (name: string) => structuredClone(samples.get(name)) as Record<string, any>;
const parsed = (event: unknown) => {
  const r = parseEvent(event, opts);
  if (!r.ok) throw new Error(`${r.rejection.reason}: ${r.rejection.message}`);
  return r.value;
};
const OTHER_SAMPLES = [
  'health-1',
  'health-2',
  'health-3',
  'health-4',
  'daemon-action-1',
  'daemon-action-2',
  'daemon-deployment-1',
  'hook-1',
];

describe('the kind vocabulary: every ECS detail-type', () => {
  it('names four types and the API calls, and takes every other "ECS ..." type as kind other; nothing else', () => {
    expect(kindOfDetailType('ECS Task State Change')).toBe('task');
    expect(kindOfDetailType('ECS Deployment State Change')).toBe('deployment');
    // CloudTrail's records share the source aws.ecs: their own kind, never `other`.
    expect(kindOfDetailType('AWS API Call via CloudTrail')).toBe('apiCall');
    for (const type of [...Object.values(KINDS.other.named), 'ECS Something New']) {
      expect(kindOfDetailType(type), type).toBe('other');
    }
    for (const type of [
      'AWS API Call via CloudTrail ',
      'AWS Service Event via CloudTrail',
      'ecs task state change',
      'ECS',
      'ECS ',
      'ECS  ',
      'Task State Change',
      `ECS ${'x'.repeat(200)}`,
      7,
    ]) {
      expect(kindOfDetailType(type), String(type)).toBeUndefined();
    }
  });

  it('counts appended events per detail-type in a bounded dimension', () => {
    expect(metricDetailType('ECS Task State Change')).toBe('ECS Task State Change');
    expect(metricDetailType('ECS Something New')).toBe('ECS Something New');
    expect(metricDetailType('AWS API Call via CloudTrail')).toBe('AWS API Call via CloudTrail');
    expect(metricDetailType('AWS Service Event via CloudTrail')).toBe('other');
    expect(metricDetailType({})).toBe('other');
  });
});

describe('keys of the other kind (docs/events.md)', () => {
  it('keys every sample of the new types by <resource>#other and a derived version, with the resource as an attribute', () => {
    for (const name of OTHER_SAMPLES) {
      const e = sample(name);
      const p = parsed(e);
      expect(p.kind, name).toBe('other');
      expect(p.detailType).toBe(e['detail-type']);
      expect(p.arn).toBe(otherPartition(p.resourceArn as string));
      expect(resourceOfLogKey(p.arn)).toBe(p.resourceArn);
      expect(p.version).toBe(derivedVersion(Date.parse(e.time), e));
      expect(derivedVersionSecond(p.version)).toBe(Date.parse(e.time) / 1000);
      const item = toLogItem(p, { ingestedAt: 1, ingestId: 'x' });
      expect(item).toMatchObject({ arn: p.arn, resourceArn: p.resourceArn, detailType: e['detail-type'] });
      expect(JSON.parse(decodeStoredEvent(item))).toEqual(e);
    }
  });

  it('takes resources[0], else the detail ARN fields, else the account and region', () => {
    expect(parsed(sample('health-1')).resourceArn).toBe(sample('health-1').resources[0]);
    // A daemon action names a task; one that created no task has empty resources and names its instance.
    expect(parsed(sample('daemon-action-1')).resourceArn).toMatch(/:task\/my-cluster\/a1b2c3d4e5f6$/);
    const noTask = sample('daemon-action-2');
    expect(noTask.resources).toEqual([]);
    expect(parsed(noTask).resourceArn).toBe(noTask.detail.containerInstanceArn);
    const noResources = sample('daemon-action-2');
    delete noResources.resources;
    expect(parsed(noResources).resourceArn).toBe(noTask.detail.containerInstanceArn);
    const nothing: Record<string, any> = {
      ...sample('daemon-deployment-1'),
      resources: 'not a list',
      detail: { eventName: 'X' },
    };
    expect(parsed(nothing)).toMatchObject({
      arn: 'arn:aws:ecs:us-west-2:111122223333:account#other',
      resourceArn: 'arn:aws:ecs:us-west-2:111122223333:account',
      clusterArn: undefined,
    });
    expect(parsed({ ...nothing, region: 'cn-north-1' }).resourceArn).toBe(
      'arn:aws-cn:ecs:cn-north-1:111122223333:account',
    );
    const nowhere = { ...nothing };
    delete nowhere.region;
    const r = parseEvent(nowhere, opts);
    expect(!r.ok && r.rejection.reason).toBe('ARN_MISSING');
  });

  it('places an event on a cluster timeline by detail.clusterArn, else by a new-format resource ARN', () => {
    expect(parsed(sample('hook-1')).clusterArn).toBe('arn:aws:ecs:us-west-2:123456789012:cluster/my-cluster');
    const e = sample('health-2');
    delete e.detail.clusterArn;
    expect(parsed(e).clusterArn).toBe('arn:aws:ecs:us-west-2:123456789012:cluster/my-cluster');
    e.detail.clusterArn = 'not an ARN';
    expect(parsed(e).clusterArn).toBe('arn:aws:ecs:us-west-2:123456789012:cluster/my-cluster');
    const oldFormat: Record<string, any> = {
      ...e,
      resources: ['arn:aws:ecs:us-west-2:123456789012:container-instance/b54a2a04'],
    };
    delete oldFormat.detail.clusterArn;
    expect(parsed(oldFormat).clusterArn).toBeUndefined();
  });

  it('never shares a partition with versioned state changes, even for a type that carries detail.version', () => {
    const task = sample('task-2');
    const future = { ...sample('task-2'), 'detail-type': 'ECS Something New' };
    const a = parsed(task);
    const b = parsed(future);
    expect(b.kind).toBe('other');
    expect(b.arn).toBe(`${a.arn}#other`);
    expect(b.version).not.toBe(task.detail.version);
    expect(b.version).toBeGreaterThan(DERIVED_VERSION_SLOTS);
    expect(project({ ...toLogItem(b, { ingestedAt: 1, ingestId: 'x' }) }, { ttlDays: 0 })).toEqual({
      type: 'historyOnly',
    });
  });

  it('keeps its keys across code versions (golden values of the AWS samples)', () => {
    const keys = Object.fromEntries(OTHER_SAMPLES.map((n) => [n, [parsed(sample(n)).arn, parsed(sample(n)).version]]));
    expect(keys).toEqual({
      'health-1': [
        'arn:aws:ecs:us-west-2:123456789012:container-instance/my-cluster/a1b2c3d4EXAMPLE#other',
        1775868549085493,
      ],
      'health-2': [
        'arn:aws:ecs:us-west-2:123456789012:container-instance/my-cluster/a1b2c3d4EXAMPLE#other',
        1775868549160364,
      ],
      'health-3': [
        'arn:aws:ecs:us-west-2:123456789012:container-instance/my-cluster/a1b2c3d4EXAMPLE#other',
        1775868549884067,
      ],
      'health-4': [
        'arn:aws:ecs:us-west-2:123456789012:container-instance/my-cluster/a1b2c3d4EXAMPLE#other',
        1785364453605863,
      ],
      'daemon-action-1': ['arn:aws:ecs:us-west-2:123456789012:task/my-cluster/a1b2c3d4e5f6#other', 1774353600049338],
      'daemon-action-2': [
        'arn:aws:ecs:us-west-2:123456789012:container-instance/my-cluster/b2c3d4e5f6a7#other',
        1774353660256646,
      ],
      'daemon-deployment-1': ['arn:aws:ecs:us-west-2:111122223333:daemon/my-cluster/my-daemon#other', 1772726081810175],
      'hook-1': [
        'arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/0EYSiB0qap8xf0N76FsbE#other',
        1772726081268407,
      ],
    });
  });
});

describe('archive replays (replay-name)', () => {
  it('derive the same version and compare as duplicates; the stored event keeps the replay name', () => {
    for (const name of [...OTHER_SAMPLES, 'service-action-1', 'deployment-2', 'task-1']) {
      const live = parsed(sample(name));
      const replayed = parsed({ ...sample(name), 'replay-name': 'after-the-outage' });
      expect(replayed.version, name).toBe(live.version);
      expect(replayed.arn).toBe(live.arn);
      expect(replayed.event['replay-name']).toBe('after-the-outage');
      expect(isSameEvent(replayed, JSON.stringify(live.event)), name).toBe(true);
      expect(isSameEvent(live, JSON.stringify(replayed.event)), name).toBe(true);
    }
    // Only the provenance field is left out: a different event is still a different event.
    const other = parsed({ ...sample('health-2'), 'replay-name': 'r', id: 'another' });
    expect(other.version).not.toBe(parsed(sample('health-2')).version);
    expect(eventIdentity({ a: 1, 'replay-name': 'r' })).toEqual({ a: 1 });
  });
});

describe('history of one resource', () => {
  it('sums up an event of another type in one line', () => {
    expect(otherEventSummary(sample('health-2').detail)).toBe('IMPAIRED ACCELERATED_COMPUTE=IMPAIRED (XID_46)');
    expect(otherEventSummary(sample('hook-1').detail)).toBe('INFO HOOK_AWAITING_ACTION PAUSE POST_TEST_TRAFFIC_SHIFT');
    expect(otherEventSummary(sample('daemon-action-2').detail)).toMatch(
      /^WARNING DAEMON_TASK_START_IMPAIRED TASK_CREATION_FAILED RESOURCE:CPU/,
    );
  });

  it('puts the other events between the versions by time, keeping both orders', async () => {
    const item = fc.record({ t: fc.integer({ min: 0, max: 50 }), id: fc.nat() });
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 20 }), fc.array(item, { maxLength: 20 }), async (own, other) => {
        const primary = own.map((x, i) => ({ ...x, side: 'own', i }));
        const secondary = [...other].sort((a, b) => a.t - b.t).map((x, i) => ({ ...x, side: 'other', i }));
        async function* of<T>(xs: T[]) {
          yield* xs;
        }
        const out: (typeof primary)[number][] = [];
        for await (const x of interleaveByTime(of(primary), of(secondary), (x) => x.t)) out.push(x);
        expect(out.filter((x) => x.side === 'own')).toEqual(primary);
        expect(out.filter((x) => x.side === 'other')).toEqual(secondary);
        // An other event comes before the first own event that is later than it, and after every earlier-or-equal one read before it.
        out.forEach((x, at) => {
          if (x.side !== 'other') return;
          const before = out.slice(0, at).filter((y) => y.side === 'own');
          const next = out.slice(at + 1).find((y) => y.side === 'own');
          if (next) expect(next.t).toBeGreaterThan(x.t);
          if (before.length > 0) expect(before.at(-1)?.t).toBeLessThanOrEqual(x.t);
        });
      }),
      { seed: 20261212, numRuns: 200 },
    );
  });
});
