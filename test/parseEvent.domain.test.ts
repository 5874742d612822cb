import { describe, expect, it } from 'vitest';
import { DERIVED_VERSION_SLOTS, derivedVersionSecond } from '../domain/derivedVersion.js';
import { parseEvent } from '../domain/parseEvent.js';
import { REDACTED } from '../domain/redact.js';
import { loadSamples } from '../sim/samples.js';

const opts = { redactEnvironment: true };
const samples = loadSamples();
const sample = (name: string) => structuredClone(samples.get(name)) as Record<string, any>;

function rejectionOf(event: unknown) {
  const r = parseEvent(event, opts);
  if (r.ok) throw new Error('expected a rejection');
  return r.rejection;
}

describe('parseEvent: keys of the log', () => {
  it('keys a task event by detail.taskArn and detail.version', () => {
    const r = parseEvent(sample('task-1'), opts);
    expect(r.ok && r.value).toMatchObject({
      kind: 'task',
      arn: 'arn:aws:ecs:us-east-1:111122223333:task/b99d40b3-5176-4f71-9a52-9dbd6f1cebef',
      version: 4,
      clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/default',
      eventId: '9bcdac79-b31f-4d3d-9410-fbd727c29fab',
      eventTime: Date.parse('2016-12-06T16:41:06Z'),
    });
  });

  it('keys an instance event by detail.containerInstanceArn', () => {
    const r = parseEvent(sample('instance-1'), opts);
    expect(r.ok && r.value).toMatchObject({ kind: 'instance', version: 14801 });
    expect(r.ok && r.value.arn).toMatch(/:container-instance\/b54a2a04/);
  });

  it('accepts every AWS sample of every detail-type', () => {
    for (const [name, event] of samples) expect(parseEvent(event, opts).ok, name).toBe(true);
  });

  it('falls back to detail.updatedAt when the envelope has no time', () => {
    const e = sample('task-2');
    delete e.time;
    const r = parseEvent(e, opts);
    expect(r.ok && r.value.eventTime).toBe(Date.parse('2020-01-23T17:57:58.103Z'));
  });

  it('derives a service version from the event time second and the content', () => {
    const a = parseEvent(sample('deployment-2'), opts);
    const b = parseEvent(sample('deployment-3'), opts);
    if (!a.ok || !b.ok) throw new Error('samples must parse');
    expect(derivedVersionSecond(a.value.version)).toBe(Date.parse('2020-05-23T12:31:14Z') / 1000);
    expect(a.value.version).not.toBe(b.value.version);
    expect(Number.isSafeInteger(a.value.version)).toBe(true);
    expect(parseEvent(sample('deployment-2'), opts)).toEqual(a);
    expect(a.value.version % DERIVED_VERSION_SLOTS).toBeLessThan(DERIVED_VERSION_SLOTS);
    expect(a.value.clusterArn).toBe('arn:aws:ecs:us-west-2:111122223333:cluster/default');
  });

  it('redacts container-override environment values and keeps their names', () => {
    const r = parseEvent(sample('task-3'), opts);
    const env = r.ok && (r.value.event.detail.overrides as any).containerOverrides[1].environment;
    expect(env).toContainEqual({ name: 'STAGE', value: REDACTED });
    expect(JSON.stringify(r.ok && r.value.event)).not.toContain('ecsfargate');
    const kept = parseEvent(sample('task-3'), { redactEnvironment: false });
    expect(JSON.stringify(kept.ok && kept.value.event)).toContain('ecsfargate');
  });

  it('keeps unknown fields', () => {
    const e = sample('task-1');
    e.detail.somethingNew = { nested: [1, 2] };
    e.brandNewEnvelopeField = 'x';
    const r = parseEvent(e, opts);
    expect(r.ok && r.value.event.detail.somethingNew).toEqual({ nested: [1, 2] });
    expect(r.ok && r.value.event.brandNewEnvelopeField).toBe('x');
  });
});

describe('parseEvent: refusals name the field and the rule', () => {
  const task = () => sample('task-1');
  const cases: [string, () => unknown, string, RegExp][] = [
    ['null event', () => null, 'EVENT_NOT_OBJECT', /must be a JSON object, got null/],
    ['array event', () => [task()], 'EVENT_NOT_OBJECT', /JSON object/],
    [
      'wrong source',
      () => ({ ...task(), source: 'aws.ec2' }),
      'SOURCE_UNSUPPORTED',
      /source must be "aws.ecs", got "aws.ec2"/,
    ],
    ['missing source', () => ({ ...task(), source: undefined }), 'SOURCE_UNSUPPORTED', /got undefined/],
    [
      'a detail-type not of ECS (CloudTrail service events share the source)',
      () => ({ ...task(), 'detail-type': 'AWS Service Event via CloudTrail' }),
      'DETAIL_TYPE_UNSUPPORTED',
      /detail-type must be one of .* or another ECS type \(starting "ECS "\), got "AWS Service Event via CloudTrail"/,
    ],
    [
      "a task event under the API calls' detail-type (no CloudTrail record)",
      () => ({ ...task(), 'detail-type': 'AWS API Call via CloudTrail' }),
      'CALL_SOURCE_UNSUPPORTED',
      /detail.eventSource must be "ecs.amazonaws.com", got undefined/,
    ],
    ['detail a string', () => ({ ...task(), detail: 'x' }), 'DETAIL_NOT_OBJECT', /detail must be a JSON object/],
    ['detail an array', () => ({ ...task(), detail: [] }), 'DETAIL_NOT_OBJECT', /detail must be a JSON object/],
    [
      'version a string',
      () => ({ ...task(), detail: { ...task().detail, version: '7' } }),
      'VERSION_NOT_INTEGER',
      /detail.version must be a non-negative integer, got "7"/,
    ],
    [
      'version negative',
      () => ({ ...task(), detail: { ...task().detail, version: -1 } }),
      'VERSION_NOT_INTEGER',
      /got -1/,
    ],
    [
      'version a fraction',
      () => ({ ...task(), detail: { ...task().detail, version: 1.5 } }),
      'VERSION_NOT_INTEGER',
      /got 1.5/,
    ],
    [
      'version above 2^53',
      () => ({ ...task(), detail: { ...task().detail, version: 2 ** 53 } }),
      'VERSION_TOO_LARGE',
      /at most 2\^53 - 1/,
    ],
    [
      'version missing',
      () => ({ ...task(), detail: { ...task().detail, version: undefined } }),
      'VERSION_MISSING',
      /detail.version is required/,
    ],
    [
      'ARN missing',
      () => ({ ...task(), detail: { ...task().detail, taskArn: undefined } }),
      'ARN_MISSING',
      /detail.taskArn is required/,
    ],
    ['ARN empty', () => ({ ...task(), detail: { ...task().detail, taskArn: '' } }), 'ARN_MISSING', /detail.taskArn/],
    [
      'ARN not a string',
      () => ({ ...task(), detail: { ...task().detail, taskArn: 42 } }),
      'ARN_INVALID',
      /must be a string, got 42/,
    ],
    [
      'ARN of another resource',
      () => ({ ...task(), detail: { ...task().detail, taskArn: 'arn:aws:ecs:us-east-1:111122223333:service/x' } }),
      'ARN_INVALID',
      /must be an ECS task ARN/,
    ],
    [
      'time not ISO',
      () => ({ ...task(), time: '06/12/2016 16:41' }),
      'TIME_INVALID',
      /time must be an ISO-8601 timestamp/,
    ],
    [
      'no time at all',
      () => ({ ...task(), time: undefined, detail: { ...task().detail, updatedAt: undefined } }),
      'TIME_MISSING',
      /time is required/,
    ],
  ];
  it.each(cases)('%s', (_name, make, reason, message) => {
    const r = rejectionOf(make());
    expect(r.reason).toBe(reason);
    expect(r.message).toMatch(message);
  });
});
