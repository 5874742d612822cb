// The reconciler's pure rules: converting ECS API objects to the event's shape, the log keys of
// observations and missing marks, how the projector reads them, and the classification.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStoredEvent } from '../domain/eventCodec.js';
import {
  EVENT_DETAIL_TYPE_NAMES,
  KINDS,
  kindOfDetailType,
  kindOfEventDetailType,
  partitionsOf,
  resourceArnOfPartition,
  rowKindsOf,
} from '../domain/kinds.js';
import { missingItem, OBSERVATION_SOURCE, observationItem, toEventDetail } from '../domain/observation.js';
import { parseEvent } from '../domain/parseEvent.js';
import { project } from '../domain/projection.js';
import { compare } from '../domain/reconcile.js';

const CLUSTER = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';
const TASK = 'arn:aws:ecs:us-east-1:111122223333:task/prod/8b0e4ef868476845c5b836391d038d04';
const INSTANCE = 'arn:aws:ecs:us-east-1:111122223333:container-instance/prod/31c72fa01eac861c0da8c8101375b849';
const stamp = { ingestedAt: 1_800_000_000_000, ingestId: '01J00000000000000000000000' };
const AT = Date.parse('2026-12-01T10:00:00.000Z');

/** A Task as the SDK returns DescribeTasks: Dates for the timestamps, tags with include=TAGS. */
const apiTask = (over: Record<string, unknown> = {}) => ({
  taskArn: TASK,
  clusterArn: CLUSTER,
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  version: 3,
  createdAt: new Date('2026-12-01T09:00:00.5Z'),
  startedAt: new Date('2026-12-01T09:00:07Z'),
  tags: [{ key: 'team', value: 'payments' }],
  overrides: { containerOverrides: [{ name: 'web', environment: [{ name: 'TOKEN', value: 's3cret' }] }] },
  containers: [
    { name: 'web', lastStatus: 'RUNNING', managedAgents: [{ name: 'ExecuteCommandAgent', lastStatus: 'RUNNING' }] },
  ],
  stoppedAt: undefined,
  ...over,
});

describe('the event shape of an API object', () => {
  it('has ISO timestamps, the event field names, and keeps the tags', () => {
    const detail = toEventDetail('task', apiTask());
    expect(detail).toMatchObject({
      createdAt: '2026-12-01T09:00:00.500Z',
      startedAt: '2026-12-01T09:00:07.000Z',
      tags: [{ key: 'team', value: 'payments' }],
      containers: [{ name: 'web', managedAgents: [{ name: 'ExecuteCommandAgent', status: 'RUNNING' }] }],
    });
    expect('stoppedAt' in detail).toBe(false);
  });

  it('keeps only the value field of a Resource type, as instance events do', () => {
    const detail = toEventDetail('instance', {
      registeredResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 2048, longValue: 0, doubleValue: 0 },
        { name: 'PORTS', type: 'STRINGSET', integerValue: 0, longValue: 0, doubleValue: 0, stringSetValue: ['22'] },
      ],
    });
    expect(detail.registeredResources).toEqual([
      { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
      { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22'] },
    ]);
  });
});

describe('observation and missing-mark items', () => {
  const input = { kind: 'task' as const, observedAt: AT, id: 'obs-1', redactEnvironment: true, clusterArn: CLUSTER };

  it('logs an observation under <arn>#observed + the API version, marked as the reconciler, secrets redacted', () => {
    const built = observationItem({ ...input, apiObject: apiTask() }, stamp);
    if (!built.ok) throw new Error(built.reason);
    expect(built.item).toMatchObject({
      arn: `${TASK}#observed`,
      version: 3,
      detailType: 'Observed Task State',
      eventTime: AT,
      lastStatus: 'RUNNING',
    });
    const event = JSON.parse(decodeStoredEvent(built.item));
    expect(event).toMatchObject({ source: OBSERVATION_SOURCE, time: '2026-12-01T10:00:00.000Z', resources: [TASK] });
    expect(event.detail.overrides.containerOverrides[0].environment[0].value).toBe('[REDACTED]');
  });

  it('an instance observation names its cluster (the ContainerInstance object does not)', () => {
    const built = observationItem(
      { ...input, kind: 'instance', apiObject: { containerInstanceArn: INSTANCE, status: 'ACTIVE', version: 9 } },
      stamp,
    );
    expect(built.ok && JSON.parse(decodeStoredEvent(built.item)).detail.clusterArn).toBe(CLUSTER);
  });

  it('never invents a version, and refuses what the tables could not hold', () => {
    expect(observationItem({ ...input, apiObject: apiTask({ version: undefined }) }, stamp)).toEqual({
      ok: false,
      reason: 'noVersion',
    });
    expect(observationItem({ ...input, apiObject: apiTask({ version: 2 ** 60 }) }, stamp)).toMatchObject({
      reason: 'noVersion',
    });
    expect(observationItem({ ...input, apiObject: apiTask({ lastStatus: '' }) }, stamp)).toMatchObject({
      reason: 'invalid',
    });
  });

  it('keys a missing mark by the version of the row it marks, in a partition of its own', () => {
    const item = missingItem(
      { kind: 'task', arn: TASK, clusterArn: CLUSTER, rowVersion: 2, reason: 'MISSING', observedAt: AT, id: 'm-1' },
      stamp,
    );
    expect(item).toMatchObject({ arn: `${TASK}#observed-missing`, version: 2, detailType: 'Observed Task Missing' });
    expect(JSON.parse(decodeStoredEvent(item)).detail).toEqual({
      taskArn: TASK,
      clusterArn: CLUSTER,
      reason: 'MISSING',
    });
  });
});

describe('the projector reads them', () => {
  it('an observation is a state of <arn> with the API version and observedAt', () => {
    const built = observationItem(
      { kind: 'task', apiObject: apiTask(), observedAt: AT, id: 'o', redactEnvironment: true, clusterArn: CLUSTER },
      stamp,
    );
    if (!built.ok) throw new Error(built.reason);
    const outcome = project(built.item, { ttlDays: 30 });
    expect(outcome).toMatchObject({ type: 'state', projection: { kind: 'task', arn: TASK, version: 3 } });
    if (outcome.type !== 'state') return;
    expect(outcome.projection.row).toMatchObject({ taskArn: TASK, version: 3, observedAt: AT, lastStatus: 'RUNNING' });
  });

  it('a missing mark is a mark of <arn> at its version, never a state', () => {
    const item = missingItem(
      {
        kind: 'instance',
        arn: INSTANCE,
        clusterArn: CLUSTER,
        rowVersion: 7,
        reason: 'MISSING',
        observedAt: AT,
        id: 'm',
      },
      stamp,
    );
    expect(project(item, { ttlDays: 30 })).toEqual({
      type: 'mark',
      mark: { kind: 'instance', arn: INSTANCE, version: 7, at: AT },
    });
  });

  it('an item whose partition key lacks its suffix is poison, not a row of some other key', () => {
    const outcome = project(
      { arn: TASK, version: 1, detailType: 'Observed Task State', event: '{"detail":{}}', eventTime: AT },
      { ttlDays: 0 },
    );
    expect(outcome.type).toBe('poison');
  });
});

describe('the kind vocabulary', () => {
  it('names the reconciler kinds, which ingest refuses and rebuild reads', () => {
    for (const type of ['Observed Task State', 'Observed Task Missing', 'Observed Container Instance State']) {
      expect(kindOfDetailType(type)).toBeDefined();
      expect(kindOfEventDetailType(type)).toBeUndefined();
      expect(EVENT_DETAIL_TYPE_NAMES).not.toContain(type);
    }
    expect(rowKindsOf(['task']).sort()).toEqual(['task', 'taskMissing', 'taskObserved']);
    expect(partitionsOf('task', TASK)).toEqual([TASK, `${TASK}#observed`, `${TASK}#observed-missing`]);
    expect(resourceArnOfPartition('taskObserved', `${TASK}#observed`)).toBe(TASK);
    expect(resourceArnOfPartition('taskObserved', TASK)).toBeUndefined();
    expect(KINDS.taskObserved.detailType.startsWith('ECS ')).toBe(false);
  });

  it('ingest refuses an event that claims to be an observation', () => {
    const r = parseEvent(
      {
        source: 'aws.ecs',
        'detail-type': 'Observed Task State',
        time: '2026-12-01T10:00:00Z',
        detail: { taskArn: TASK, clusterArn: CLUSTER, version: 99, lastStatus: 'STOPPED' },
      },
      { redactEnvironment: true },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.rejection.reason).toBe('DETAIL_TYPE_UNSUPPORTED');
  });
});

describe('classification', () => {
  const row = (version: number, lastStatus = 'RUNNING', extra: Record<string, unknown> = {}) => ({
    taskArn: TASK,
    clusterArn: CLUSTER,
    version,
    lastStatus,
    ...extra,
  });
  const base = { kind: 'task' as const, arn: TASK, clusterArn: CLUSTER };

  it('orders by version only: missing, behind, ahead, agree (property)', () => {
    fc.assert(
      fc.property(fc.option(fc.nat(1000), { nil: undefined }), fc.nat(1000), (rowVersion, ecsVersion) => {
        const c = compare({
          ...base,
          row: rowVersion === undefined ? undefined : row(rowVersion),
          api: apiTask({ version: ecsVersion }),
        });
        const expected =
          rowVersion === undefined
            ? 'missing'
            : ecsVersion > rowVersion
              ? 'behind'
              : ecsVersion < rowVersion
                ? 'ahead'
                : 'agree';
        expect(c?.class).toBe(expected);
        expect(c?.repair).toBe(expected === 'missing' || expected === 'behind' ? 'observe' : 'none');
      }),
    );
  });

  it('a live row ECS does not know is a ghost, marked once; a terminal one is history', () => {
    expect(compare({ ...base, row: row(2), failure: 'MISSING' })).toMatchObject({
      class: 'ghost',
      repair: 'markMissing',
      ecsFailure: 'MISSING',
    });
    expect(compare({ ...base, row: row(2) })).toMatchObject({ class: 'ghost', ecsFailure: 'NOT_RETURNED' });
    expect(compare({ ...base, row: row(2, 'RUNNING', { lastSeenMissingAt: AT }) })).toMatchObject({
      class: 'agree',
      marked: true,
    });
    expect(compare({ ...base, row: row(3, 'STOPPED'), failure: 'MISSING' })).toMatchObject({ class: 'agree' });
    expect(compare({ ...base, failure: 'MISSING' })).toBeUndefined();
  });

  it('an API object without a version is report-only', () => {
    expect(compare({ ...base, api: apiTask({ version: undefined }) })).toMatchObject({
      class: 'missing',
      repair: 'noVersion',
    });
    expect(compare({ ...base, row: row(1), api: apiTask({ version: undefined }) })).toMatchObject({
      class: 'unversioned',
      repair: 'noVersion',
    });
  });
});
