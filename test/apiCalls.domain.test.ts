import { describe, expect, it } from 'vitest';
import { callKey, callKeys } from '../domain/apiCalls/callIndex.js';
import { isSameEvent } from '../domain/duplicate.js';
import { decodeStoredEvent } from '../domain/eventCodec.js';
import type { EcsEvent, ParsedEvent } from '../domain/eventTypes.js';
import { checkLogItem } from '../domain/logCheck.js';
import { logEntriesOf } from '../domain/logEntries.js';
import { toLogItem } from '../domain/logItem.js';
import { parseEvent } from '../domain/parseEvent.js';
import { badCallFixtures, callFixtures, FIXTURE_CLUSTER } from './support/cloudTrail.js';

// The ECS API calls (CloudTrail) as the log files them: a pure function of the stored event, one item
// per resource the call acts on, secrets never kept, and bad records refused with a reason.

const calls = callFixtures();
const ARN = 'arn:aws:ecs:us-east-1:111122223333:';

function parsed(name: string): ParsedEvent {
  const r = parseEvent(calls[name], { redactEnvironment: true });
  if (!r.ok) throw new Error(`${name}: ${r.rejection.reason} ${r.rejection.message}`);
  return r.value;
}

const stamp = { ingestedAt: Date.now(), ingestId: '01JTESTULIDTESTULIDTESTULI' };
const itemsOf = (name: string) => logEntriesOf(parsed(name)).map((e) => toLogItem(e, stamp));

describe('API calls: where each is filed', () => {
  // File → the resources (after arn:aws:ecs:us-east-1:111122223333:) its items are filed under.
  const FILED: Record<string, string[]> = {
    'run-task': ['task/prod/0a1b2c3d4e5f60718293a4b5c6d7e8f9'],
    'run-task-two-tasks': ['task/prod/1b2c3d4e5f60718293a4b5c6d7e8f90a', 'task/prod/2c3d4e5f60718293a4b5c6d7e8f90a1b'],
    // A RunTask that started nothing, denied or failed: under its cluster.
    'run-task-failures-only': ['cluster/prod'],
    'run-task-access-denied': ['cluster/prod'],
    // A bare task id and a cluster name, normalised with the call's account and Region.
    'stop-task-id-and-cluster-name': ['task/prod/1b2c3d4e5f60718293a4b5c6d7e8f90a'],
    // The old short service ARN in the response: keyed by (cluster, name) as every other service call.
    'update-service-short-arn': ['service/prod/web'],
    'update-service': ['service/prod/web'],
    'create-task-set': ['service/prod/api'],
    'update-container-instances-state': ['container-instance/prod/8e1d3c5b7a9f4e2d6c8b0a1f3e5d7c9b'],
    'deregister-container-instance': ['container-instance/prod/8e1d3c5b7a9f4e2d6c8b0a1f3e5d7c9b'],
    'update-cluster': ['cluster/prod'],
    'delete-cluster': ['cluster/prod'],
  };

  it.each(Object.entries(FILED))('%s', (name, resources) => {
    const items = itemsOf(name);
    expect(items.map((i) => i.arn)).toEqual(resources.map((r) => `${ARN}${r}#call`));
    // One call, one version and one id in every partition it is filed under.
    expect(new Set(items.map((i) => i.version)).size).toBe(1);
    expect(new Set(items.map((i) => i.eventId))).toEqual(new Set([calls[name]?.detail.eventID]));
    for (const i of items) {
      expect(i.callKey).toBe(callKey(FIXTURE_CLUSTER, i.eventTime));
      expect(i.timelineKey).toBeUndefined();
      expect(i.resourceArn).toBeUndefined();
    }
  });

  it('every accepted fixture is kept, and each item is what verify --log derives from its own event', () => {
    for (const name of Object.keys(calls)) {
      for (const item of itemsOf(name)) {
        expect(checkLogItem(item as unknown as Record<string, unknown>), `${name} ${item.arn}`).toEqual({ type: 'ok' });
      }
    }
  });

  it('an item moved under a resource its call does not name is a mismatch', () => {
    const [item] = itemsOf('run-task');
    const moved = { ...item, arn: `${ARN}task/prod/ffffffffffffffffffffffffffffffff#call` };
    const check = checkLogItem(moved);
    expect(check.type).toBe('mismatch');
    expect(check.type === 'mismatch' && check.problems.join('\n')).toMatch(
      /^arn: stored "arn:aws:ecs:us-east-1:111122223333:task\/prod\/ffff.*, the event gives "arn:aws:ecs:.*0a1b2c3d/m,
    );
  });

  it('holds who, the action, the error and the deployment started, for the index', () => {
    const [denied] = itemsOf('run-task-access-denied');
    expect(denied).toMatchObject({
      eventName: 'RunTask',
      principal: 'ci-readonly/gha-pr-1337',
      principalArn: `arn:aws:iam::111122223333:role/ci-readonly`,
      errorCode: 'AccessDenied',
    });
    const [update] = itemsOf('update-service');
    expect(update?.deploymentId).toMatch(/^ecs-svc\/\d{19}$/);
    expect(update?.principal).toBe('deploy/gha-deploy-4242');
    const [root] = itemsOf('update-cluster');
    expect(root?.principal).toBe('root');
    const [scaling] = itemsOf('update-service-autoscaling');
    expect(scaling?.principal).toBe('AWSServiceRoleForApplicationAutoScaling_ECSService/AutoScaling');
  });

  it('the calls index covers each UTC day of a window once', () => {
    const day = Date.UTC(2030, 0, 2);
    expect(callKeys(FIXTURE_CLUSTER, day - 1, day + 86_400_000)).toEqual([
      `${FIXTURE_CLUSTER}#2030-01-01`,
      `${FIXTURE_CLUSTER}#2030-01-02`,
      `${FIXTURE_CLUSTER}#2030-01-03`,
    ]);
  });
});

describe('API calls: what is never kept', () => {
  const stored = (name: string) => itemsOf(name).map((i) => decodeStoredEvent(i as never));

  it('environment values in overrides, request and response', () => {
    for (const json of stored('run-task-environment-secrets')) {
      for (const secret of ['EXAMPLE-db-passw0rd', 'sk_live_EXAMPLE', 'wJalrXUtnFEMI'])
        expect(json).not.toContain(secret);
      expect(json).toContain('"name":"DATABASE_URL","value":"[REDACTED]"');
    }
  });

  it("ExecuteCommand's session URL and token, and the arguments of its command", () => {
    for (const name of ['execute-command', 'execute-command-token-hidden']) {
      const [json] = stored(name);
      expect(json).not.toMatch(/streamUrl|tokenValue|PGPASSWORD|Pa55w0rd/);
      const event = JSON.parse(json as string) as EcsEvent;
      const request = event.detail.requestParameters as Record<string, unknown>;
      expect(request.command).toBe('/bin/sh [REDACTED]');
      expect((event.detail.responseElements as { session: unknown }).session).toEqual({
        sessionId: expect.any(String),
      });
    }
  });

  it('of a response, only what the joins read; the principal, source IP, user agent and error stay', () => {
    const [json] = stored('create-service');
    const event = JSON.parse(json as string) as EcsEvent;
    const response = event.detail.responseElements as { service: Record<string, unknown> };
    expect(Object.keys(response.service).sort()).toEqual(
      ['clusterArn', 'deployments', 'desiredCount', 'serviceArn', 'serviceName', 'status', 'taskDefinition'].sort(),
    );
    expect(event.detail).toMatchObject({ sourceIPAddress: expect.any(String), userAgent: expect.any(String) });
    expect((event.detail.userIdentity as Record<string, unknown>).invokedBy).toBe('cloudformation.amazonaws.com');
    const [deniedJson] = stored('run-task-access-denied');
    expect(JSON.parse(deniedJson as string).detail).toMatchObject({
      errorCode: 'AccessDenied',
      errorMessage: expect.stringContaining('is not authorized to perform: ecs:RunTask'),
    });
  });

  it('parsing a stored call again changes nothing (verify --log derives its keys from it)', () => {
    for (const name of Object.keys(calls)) {
      const [json] = stored(name);
      const again = parseEvent(JSON.parse(json as string), { redactEnvironment: false });
      expect(again.ok && JSON.stringify(again.value.event), name).toBe(json);
    }
  });
});

describe('API calls: duplicates and refusals', () => {
  it('a redelivery in a new envelope, or an archive replay, is a duplicate; another call is not', () => {
    const first = parsed('stop-task-id-and-cluster-name');
    const [item] = itemsOf('stop-task-id-and-cluster-name');
    const again = parseEvent(
      { ...calls['stop-task-id-and-cluster-name'], id: 'another-envelope', 'replay-name': 'r1' },
      { redactEnvironment: true },
    );
    expect(again.ok && again.value.version).toBe(first.version);
    expect(again.ok && isSameEvent(again.value, item?.event)).toBe(true);
    const other = calls['stop-task-id-and-cluster-name'] as EcsEvent;
    const otherCall = parseEvent(
      { ...other, detail: { ...other.detail, eventID: 'a-different-call' } },
      {
        redactEnvironment: true,
      },
    );
    expect(otherCall.ok && otherCall.value.version).not.toBe(first.version);
  });

  const REFUSED: Record<string, [string, RegExp]> = {
    'event-source-ec2': ['SOURCE_UNSUPPORTED', /source must be "aws.ecs", got "aws.ec2"/],
    'event-source-mismatch': ['CALL_SOURCE_UNSUPPORTED', /detail.eventSource must be "ecs.amazonaws.com"/],
    'read-only-describe-tasks': ['CALL_READ_ONLY', /detail.readOnly is true \("DescribeTasks"\)/],
    'no-event-id': ['CALL_ID_MISSING', /detail.eventID is required/],
    'no-event-time': ['TIME_MISSING', /detail.eventTime is required/],
    'no-resource-put-account-setting': [
      'CALL_ACTION_UNSUPPORTED',
      /detail.eventName must be one of RunTask, .*"PutAccountSetting"/,
    ],
  };
  const bad = badCallFixtures();

  it('the bad fixtures are exactly the refused cases', () => {
    expect(Object.keys(bad).sort()).toEqual(Object.keys(REFUSED).sort());
  });

  it.each(Object.entries(REFUSED))('%s', (name, [reason, message]) => {
    const r = parseEvent(bad[name], { redactEnvironment: true });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.rejection.reason).toBe(reason);
    expect(r.rejection.message).toMatch(message);
  });

  it('a call that names no resource, with no request to find a cluster in, is refused', () => {
    const e = calls['update-cluster'] as EcsEvent;
    const r = parseEvent(
      { ...e, detail: { ...e.detail, requestParameters: null, responseElements: null } },
      {
        redactEnvironment: true,
      },
    );
    expect(!r.ok && r.rejection.reason).toBe('CALL_RESOURCE_MISSING');
  });
});
