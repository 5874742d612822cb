// Keys are frozen: where an event is stored decides whether a redelivery of it, years later, is a
// duplicate or a second copy, so no change to the code may move it. This suite holds, as literal
// values, the log keys of every AWS sample event in samples/aws-docs (one fixture per sample), of
// the reconciler's items built from them, and of the tamper markers: a change of any key rule, key
// suffix, version rule or timeline shard fails here. Adding a sample means adding its keys below.
import { describe, expect, it } from 'vitest';
import { toLogItem } from '../domain/logItem.js';
import { missingItem, observationItem } from '../domain/observation.js';
import { parseEvent } from '../domain/parseEvent.js';
import { tamperMarker, trustMarker } from '../domain/tamper.js';
import { loadSamples } from '../sim/samples.js';

const samples = loadSamples();
const sample = (name: string) => structuredClone(samples.get(name)) as Record<string, any>;

/** The keys of one log item: partition, sort key, the cluster index key, and what a kind adds. */
function keysOf(item: Record<string, unknown>) {
  const { arn, version, timelineKey, resourceArn, detailType } = item;
  return { detailType, arn, version, timelineKey, ...(resourceArn !== undefined && { resourceArn }) };
}

function eventKeys(name: string) {
  const r = parseEvent(sample(name), { redactEnvironment: true });
  if (!r.ok) throw new Error(`${name}: ${r.rejection.reason}`);
  const item = toLogItem(r.value, { ingestedAt: 0, ingestId: 'x' });
  return { kind: r.value.kind, clusterArn: r.value.clusterArn, ...keysOf(item as unknown as Record<string, unknown>) };
}

const WEST = 'arn:aws:ecs:us-west-2:123456789012';
const WEST_DOCS = 'arn:aws:ecs:us-west-2:111122223333';
const EAST = 'arn:aws:ecs:us-east-1:111122223333';
const EAST_2 = 'arn:aws:ecs:us-east-1:123456789012';

const HEALTH_INSTANCE = `${WEST}:container-instance/my-cluster/a1b2c3d4EXAMPLE`;
const health = (version: number, hour: string) => ({
  kind: 'other',
  detailType: 'ECS Container Instance Health Change',
  arn: `${HEALTH_INSTANCE}#other`,
  version,
  clusterArn: `${WEST}:cluster/my-cluster`,
  timelineKey: `${WEST}:cluster/my-cluster#${hour}#3`,
  resourceArn: HEALTH_INSTANCE,
});
const SERVICE = `${WEST_DOCS}:service/default/servicetest`;
const serviceEvent = (kind: string, detailType: string, version: number, hour: string) => ({
  kind,
  detailType,
  arn: SERVICE,
  version,
  clusterArn: `${WEST_DOCS}:cluster/default`,
  timelineKey: `${WEST_DOCS}:cluster/default#${hour}#2`,
});
const task = (arn: string, version: number, cluster: string, timelineKey: string) => ({
  kind: 'task',
  detailType: 'ECS Task State Change',
  arn,
  version,
  clusterArn: cluster,
  timelineKey,
});

const EVENT_KEYS: Record<string, unknown> = {
  'task-1': task(
    `${EAST}:task/b99d40b3-5176-4f71-9a52-9dbd6f1cebef`,
    4,
    `${EAST}:cluster/default`,
    `${EAST}:cluster/default#2016-12-06T16#2`,
  ),
  'task-2': task(
    `${WEST_DOCS}:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad`,
    4,
    `${WEST_DOCS}:cluster/FargateCluster`,
    `${WEST_DOCS}:cluster/FargateCluster#2020-01-23T17#3`,
  ),
  'task-3': task(
    `${EAST_2}:task/example-cluster/a1173316d40a45dea9`,
    3,
    `${EAST_2}:cluster/example-cluster`,
    `${EAST_2}:cluster/example-cluster#2025-05-06T11#0`,
  ),
  'task-4': task(
    `${EAST_2}:task/example/c1ffa94f19a540ed8d9f7e1d2a5d`,
    4,
    `${EAST_2}:cluster/example`,
    `${EAST_2}:cluster/example#2025-05-12T13#1`,
  ),
  'instance-1': {
    kind: 'instance',
    detailType: 'ECS Container Instance State Change',
    arn: `${EAST}:container-instance/b54a2a04-046f-4331-9d74-3f6d7f6ca315`,
    version: 14801,
    clusterArn: `${EAST}:cluster/default`,
    timelineKey: `${EAST}:cluster/default#2016-12-06T16#2`,
  },
  'service-action-1': serviceEvent('serviceAction', 'ECS Service Action', 1574191642762834, '2019-11-19T19'),
  'service-action-2': serviceEvent('serviceAction', 'ECS Service Action', 1574192220777327, '2019-11-19T19'),
  'service-action-3': serviceEvent('serviceAction', 'ECS Service Action', 1574193338304337, '2019-11-19T19'),
  'deployment-1': serviceEvent('deployment', 'ECS Deployment State Change', 1590237074993368, '2020-05-23T12'),
  'deployment-2': serviceEvent('deployment', 'ECS Deployment State Change', 1590237074689632, '2020-05-23T12'),
  'deployment-3': serviceEvent('deployment', 'ECS Deployment State Change', 1590237074829693, '2020-05-23T12'),
  'health-1': health(1775868549085493, '2026-04-11T00'),
  'health-2': health(1775868549160364, '2026-04-11T00'),
  'health-3': health(1775868549884067, '2026-04-11T00'),
  'health-4': health(1785364453605863, '2026-07-29T22'),
  'daemon-action-1': {
    kind: 'other',
    detailType: 'ECS Daemon Service Action',
    arn: `${WEST}:task/my-cluster/a1b2c3d4e5f6#other`,
    version: 1774353600049338,
    clusterArn: `${WEST}:cluster/my-cluster`,
    timelineKey: `${WEST}:cluster/my-cluster#2026-03-24T12#3`,
    resourceArn: `${WEST}:task/my-cluster/a1b2c3d4e5f6`,
  },
  'daemon-action-2': {
    kind: 'other',
    detailType: 'ECS Daemon Service Action',
    arn: `${WEST}:container-instance/my-cluster/b2c3d4e5f6a7#other`,
    version: 1774353660256646,
    clusterArn: `${WEST}:cluster/my-cluster`,
    timelineKey: `${WEST}:cluster/my-cluster#2026-03-24T12#1`,
    resourceArn: `${WEST}:container-instance/my-cluster/b2c3d4e5f6a7`,
  },
  'daemon-deployment-1': {
    kind: 'other',
    detailType: 'ECS Daemon Deployment State Change',
    arn: `${WEST_DOCS}:daemon/my-cluster/my-daemon#other`,
    version: 1772726081810175,
    clusterArn: `${WEST_DOCS}:cluster/my-cluster`,
    timelineKey: `${WEST_DOCS}:cluster/my-cluster#2026-03-05T15#3`,
    resourceArn: `${WEST_DOCS}:daemon/my-cluster/my-daemon`,
  },
  'hook-1': {
    kind: 'other',
    detailType: 'ECS Hook State Change',
    arn: `${WEST}:service-deployment/my-cluster/my-service/0EYSiB0qap8xf0N76FsbE#other`,
    version: 1772726081268407,
    clusterArn: `${WEST}:cluster/my-cluster`,
    timelineKey: `${WEST}:cluster/my-cluster#2026-03-05T15#2`,
    resourceArn: `${WEST}:service-deployment/my-cluster/my-service/0EYSiB0qap8xf0N76FsbE`,
  },
};

describe('keys are frozen: every AWS sample', () => {
  it('has its keys listed here (a new sample needs its keys frozen too)', () => {
    expect([...samples.keys()].sort()).toEqual(Object.keys(EVENT_KEYS).sort());
  });

  for (const name of Object.keys(EVENT_KEYS)) {
    it(`keys ${name} where it always was`, () => {
      expect(eventKeys(name)).toEqual(EVENT_KEYS[name]);
    });
  }
});

describe('keys are frozen: the reconciler items and the tamper markers', () => {
  const stamp = { ingestedAt: 0, ingestId: 'x' };
  const at = Date.parse('2026-01-02T03:04:05Z');
  const taskDetail = sample('task-1').detail;
  const instanceDetail = sample('instance-1').detail;
  const TASK = `${EAST}:task/b99d40b3-5176-4f71-9a52-9dbd6f1cebef`;
  const INSTANCE = `${EAST}:container-instance/b54a2a04-046f-4331-9d74-3f6d7f6ca315`;
  const observed = (kind: 'task' | 'instance', apiObject: Record<string, unknown>) => {
    const built = observationItem(
      { kind, apiObject, clusterArn: String(apiObject.clusterArn), observedAt: at, id: 'obs', redactEnvironment: true },
      stamp,
    );
    if (!built.ok) throw new Error(built.reason);
    return keysOf(built.item as unknown as Record<string, unknown>);
  };
  const missing = (kind: 'task' | 'instance', arn: string) =>
    keysOf(
      missingItem(
        { kind, arn, clusterArn: `${EAST}:cluster/default`, rowVersion: 7, reason: 'MISSING', observedAt: at, id: 'm' },
        stamp,
      ) as unknown as Record<string, unknown>,
    );

  it('keys an observation by <arn>#observed and the API version', () => {
    expect(observed('task', taskDetail)).toEqual({
      detailType: 'Observed Task State',
      arn: `${TASK}#observed`,
      version: 4,
      timelineKey: `${EAST}:cluster/default#2026-01-02T03#1`,
    });
    expect(observed('instance', instanceDetail)).toEqual({
      detailType: 'Observed Container Instance State',
      arn: `${INSTANCE}#observed`,
      version: 14801,
      timelineKey: `${EAST}:cluster/default#2026-01-02T03#3`,
    });
  });

  it('keys a missing mark by <arn>#observed-missing and the version of the row it marks', () => {
    expect(missing('task', TASK)).toEqual({
      detailType: 'Observed Task Missing',
      arn: `${TASK}#observed-missing`,
      version: 7,
      timelineKey: `${EAST}:cluster/default#2026-01-02T03#0`,
    });
    expect(missing('instance', INSTANCE)).toEqual({
      detailType: 'Observed Container Instance Missing',
      arn: `${INSTANCE}#observed-missing`,
      version: 7,
      timelineKey: `${EAST}:cluster/default#2026-01-02T03#2`,
    });
  });

  it('keys a tamper marker by <arn>#tampered and a trust marker by <arn>#tamper-trusted, in one index partition', () => {
    const key = { arn: TASK, version: 4 };
    expect(keysOf({ ...tamperMarker({ key, change: 'MODIFY', detectedAt: at }) })).toEqual({
      detailType: 'Log Tampered',
      arn: `${TASK}#tampered`,
      version: 4,
      timelineKey: 'log#tampered',
    });
    expect(keysOf({ ...trustMarker({ key, item: {}, trustedAt: at }) })).toEqual({
      detailType: 'Log Tamper Trusted',
      arn: `${TASK}#tamper-trusted`,
      version: 4,
      timelineKey: 'log#tampered',
    });
  });
});

describe('keys are frozen: a call on the store itself (kind storeCall)', () => {
  // Literal records (not the shared fixtures, which may change): the keys derive from eventSource,
  // requestParameters, eventTime and eventID alone, and the envelope's id does not move them.
  const record = (service: string, eventName: string, request: Record<string, unknown>, id: string) => ({
    version: '0',
    id: 'envelope-id',
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${service}`,
    account: '111122223333',
    time: '2026-11-02T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice' },
      eventTime: '2026-11-02T10:00:00Z',
      eventSource: `${service}.amazonaws.com`,
      eventName,
      awsRegion: 'eu-west-1',
      requestParameters: request,
      responseElements: null,
      eventID: id,
      readOnly: false,
      recipientAccountId: '111122223333',
    },
  });
  const keys = (event: unknown) => {
    const r = parseEvent(event, { redactEnvironment: true });
    if (!r.ok) throw new Error(r.rejection.reason);
    return { kind: r.value.kind, ...keysOf(toLogItem(r.value, { ingestedAt: 0, ingestId: 'x' }) as never) };
  };

  it('keys a call by <store resource ARN>#store-call and the call version of its eventID', () => {
    expect(
      keys(
        record(
          'dynamodb',
          'UpdateTable',
          { tableName: 'ECSEventLog-prod', streamSpecification: { streamEnabled: false } },
          'f1e2d3c4-0000-4000-8000-00000000aaaa',
        ),
      ),
    ).toEqual({
      kind: 'storeCall',
      detailType: 'AWS API Call via CloudTrail',
      arn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/ECSEventLog-prod#store-call',
      version: 1793613600111915,
      timelineKey: undefined,
      resourceArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/ECSEventLog-prod',
    });
    expect(
      keys(record('events', 'DisableRule', { name: 'ecs-events-prod-ingest' }, 'f1e2d3c4-0000-4000-8000-00000000bbbb')),
    ).toEqual({
      kind: 'storeCall',
      detailType: 'AWS API Call via CloudTrail',
      arn: 'arn:aws:events:eu-west-1:111122223333:rule/ecs-events-prod-ingest#store-call',
      version: 1793613600623379,
      timelineKey: undefined,
      resourceArn: 'arn:aws:events:eu-west-1:111122223333:rule/ecs-events-prod-ingest',
    });
  });
});
