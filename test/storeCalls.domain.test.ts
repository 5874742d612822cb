import { describe, expect, it } from 'vitest';
import names from '../deploy/names.cjs';
import { MAX_KEPT_VALUE_BYTES, STORE_CALL_EVENT_SOURCES } from '../domain/apiCalls/storeCall.js';
import { isSameEvent } from '../domain/duplicate.js';
import { decodeStoredEvent } from '../domain/eventCodec.js';
import type { EcsEvent, ParsedEvent } from '../domain/eventTypes.js';
import { KINDS, kindOfDetailType, kindOfEvent, kindOfItem, labelsOf, metricDetailType } from '../domain/kinds.js';
import { checkLogItem } from '../domain/logCheck.js';
import { logEntriesOf } from '../domain/logEntries.js';
import { toLogItem } from '../domain/logItem.js';
import { parseEvent } from '../domain/parseEvent.js';
import { REDACTED } from '../domain/redact.js';
import { STORE_ACCOUNT, STORE_REGION, STORE_RESOURCES, storeCallFixtures } from './support/storeCloudTrail.js';

// The calls that change the store itself (kind storeCall): the self-audit rules send each to ingest
// besides the alarm topic, and the log files it under the store's resource it names, `#store-call`.

const calls = storeCallFixtures();
const stamp = { ingestedAt: 1, ingestId: '01JTESTULIDTESTULIDTESTULI' };

function parsed(name: string): ParsedEvent {
  const r = parseEvent(calls[name], { redactEnvironment: true });
  if (!r.ok) throw new Error(`${name}: ${r.rejection.reason} ${r.rejection.message}`);
  return r.value;
}
const refusal = (event: unknown) => {
  const r = parseEvent(event, { redactEnvironment: true });
  if (r.ok) throw new Error('accepted');
  return r.rejection;
};
const withDetail = (name: string, detail: Record<string, unknown>): EcsEvent => {
  const e = structuredClone(calls[name]) as EcsEvent;
  return { ...e, detail: { ...e.detail, ...detail } };
};

describe('store calls: the kind', () => {
  it('takes the sources of the services the self-audit rules watch, each with its CloudTrail eventSource', () => {
    expect([...KINDS.storeCall.sources]).toEqual(names.SELF_AUDITED_SERVICES.map((s: string) => `aws.${s}`));
    expect(Object.keys(STORE_CALL_EVENT_SOURCES)).toEqual([...KINDS.storeCall.sources]);
  });

  it('is chosen by source and detail-type: aws.ecs is an ECS call, a self-audited source a store call', () => {
    expect(kindOfEvent('aws.ecs', 'AWS API Call via CloudTrail')).toBe('apiCall');
    for (const source of KINDS.storeCall.sources) {
      expect(kindOfEvent(source, 'AWS API Call via CloudTrail')).toBe('storeCall');
    }
    expect(kindOfEvent('aws.dynamodb', 'ECS Task State Change')).toBeUndefined();
    expect(kindOfEvent('aws.ec2', 'AWS API Call via CloudTrail')).toBeUndefined();
    expect(kindOfEvent('aws.ecs', 'ECS Task State Change')).toBe('task');
  });

  it('readers of stored items keep their words: the detail-type alone is the ECS call, the key tells a store call', () => {
    expect(kindOfDetailType('AWS API Call via CloudTrail')).toBe('apiCall');
    expect(metricDetailType('AWS API Call via CloudTrail')).toBe('AWS API Call via CloudTrail');
    expect(kindOfItem('AWS API Call via CloudTrail', `${STORE_RESOURCES.table}#store-call`)).toBe('storeCall');
    expect(kindOfItem('AWS API Call via CloudTrail', 'arn:aws:ecs:eu-west-1:1:task/c/x#call')).toBe('apiCall');
    expect(kindOfItem('ECS Task State Change', 'arn:aws:ecs:eu-west-1:1:task/c/x')).toBe('task');
    expect(labelsOf('storeCall')).toMatchObject({ history: 'aside', timelineType: 'call', timelineWord: 'storeCall' });
  });
});

describe('store calls: where each is filed', () => {
  const FILED: Record<string, string> = {
    'update-table-stream-off': STORE_RESOURCES.table,
    'delete-resource-policy': STORE_RESOURCES.table,
    'put-function-concurrency-0': STORE_RESOURCES.function,
    'disable-rule': STORE_RESOURCES.rule,
    'put-role-policy': STORE_RESOURCES.role,
    'deploy-update-table': STORE_RESOURCES.table,
  };

  it.each(Object.entries(FILED))('%s', (name, resource) => {
    const p = parsed(name);
    expect(p.kind).toBe('storeCall');
    const items = logEntriesOf(p).map((e) => toLogItem(e, stamp));
    expect(items).toHaveLength(1);
    const item = items[0] as unknown as Record<string, unknown>;
    expect(item.arn).toBe(`${resource}#store-call`);
    expect(item.resourceArn).toBe(resource);
    expect(item.eventId).toBe(calls[name]?.detail.eventID);
    // History only: no cluster timeline, no calls index.
    expect(item.timelineKey).toBeUndefined();
    expect(item.callKey).toBeUndefined();
    // verify --log derives the same item from its stored event.
    expect(checkLogItem(item)).toMatchObject({ type: 'ok', storeCall: { resource } });
  });

  it('normalises the names each service gives: ARNs, partial ARNs, queue URLs, other buses; else the service key', () => {
    const arnOf = (service: string, request: unknown, response: unknown = null) => {
      const e = withDetail('disable-rule', {
        eventSource: `${service === 'cloudwatch' ? 'monitoring' : service}.amazonaws.com`,
        requestParameters: request,
        responseElements: response,
      });
      return parsed2({ ...e, source: `aws.${service}` as 'aws.ecs' }).resourceArn;
    };
    const parsed2 = (e: unknown) => {
      const r = parseEvent(e, { redactEnvironment: true });
      if (!r.ok) throw new Error(r.rejection.message);
      return r.value;
    };
    const at = `${STORE_REGION}:${STORE_ACCOUNT}`;
    expect(arnOf('lambda', { functionName: `${STORE_ACCOUNT}:function:f:7` })).toBe(`arn:aws:lambda:${at}:function:f`);
    expect(arnOf('lambda', { functionName: `arn:aws:lambda:${at}:function:f:live` })).toBe(
      `arn:aws:lambda:${at}:function:f`,
    );
    expect(arnOf('lambda', { uUID: 'abc-123' })).toBe(`arn:aws:lambda:${at}:event-source-mapping:abc-123`);
    expect(arnOf('lambda', null, { functionArn: `arn:aws:lambda:${at}:function:g` })).toBe(
      `arn:aws:lambda:${at}:function:g`,
    );
    expect(arnOf('events', { rule: 'r', eventBusName: 'arn:aws:events:x:y:event-bus/b' })).toBe(
      `arn:aws:events:${at}:rule/b/r`,
    );
    expect(arnOf('sqs', { queueUrl: `https://sqs.${STORE_REGION}.amazonaws.com/${STORE_ACCOUNT}/q` })).toBe(
      `arn:aws:sqs:${at}:q`,
    );
    expect(arnOf('cloudwatch', { alarmNames: ['a', 'b'] })).toBe(`arn:aws:cloudwatch:${at}:alarm:a`);
    expect(arnOf('sns', { subscriptionArn: `arn:aws:sns:${at}:t:0b1c` })).toBe(`arn:aws:sns:${at}:t`);
    expect(arnOf('kms', { keyId: 'alias/k' })).toBe(`arn:aws:kms:${at}:alias/k`);
    expect(arnOf('kms', { keyId: '1234abcd' })).toBe(`arn:aws:kms:${at}:key/1234abcd`);
    expect(arnOf('s3', { bucketName: 'b' })).toBe('arn:aws:s3:::b');
    expect(arnOf('dynamodb', { resourceArn: `${STORE_RESOURCES.table}/stream/2026` })).toBe(STORE_RESOURCES.table);
    expect(arnOf('dynamodb', null)).toBe(`arn:aws:dynamodb:${at}:*`);
  });
});

describe('store calls: what is kept', () => {
  it('the request whole (a policy is the evidence), the response ids only, the identity without its keys', () => {
    const p = parsed('put-role-policy');
    const d = p.event.detail as Record<string, any>;
    expect(d.requestParameters.policyDocument).toContain('"Action":"*"');
    expect(d.userIdentity.accessKeyId).toBeUndefined();
    expect(d.userIdentity.sessionContext.sessionIssuer.arn).toBe('arn:aws:iam::111122223333:role/Admin');
    expect(d.tlsDetails).toBeUndefined();
    const t = parsed('update-table-stream-off').event.detail as Record<string, any>;
    expect(t.requestParameters).toEqual({
      tableName: 'ecs-events-prod-event-log',
      streamSpecification: { streamEnabled: false },
    });
    // The table description is the table's, not the call's: nothing of it is an id at the top level.
    expect(t.responseElements).toEqual({});
    expect((parsed('delete-resource-policy').event.detail as any).responseElements).toEqual({
      revisionId: '1730541660000',
    });
  });

  it('caps a bulky value at its size and redacts a message body; keeping it again changes nothing', () => {
    const big = 'x'.repeat(MAX_KEPT_VALUE_BYTES + 10);
    const e = withDetail('put-role-policy', {
      requestParameters: { roleName: 'ecs-events-prod-ingest', policyDocument: big, message: 'secret' },
    });
    const r = parseEvent(e, { redactEnvironment: false });
    if (!r.ok) throw new Error(r.rejection.message);
    const q = (r.value.event.detail as any).requestParameters;
    expect(q.policyDocument).toBe(`[${MAX_KEPT_VALUE_BYTES + 12} bytes of JSON, not kept]`);
    expect(q.message).toBe(REDACTED);
    const again = parseEvent(r.value.event, { redactEnvironment: false });
    expect(again.ok && again.value.event).toEqual(r.value.event);
  });

  it('a redelivery (other envelope id, same CloudTrail record) is the same item', () => {
    const a = parsed('disable-rule');
    const b = parseEvent({ ...calls['disable-rule'], id: 'another-envelope' }, { redactEnvironment: true });
    expect(b.ok && b.value.arn).toBe(a.arn);
    expect(b.ok && b.value.version).toBe(a.version);
    const item = toLogItem(a, stamp) as unknown as Record<string, unknown>;
    expect(b.ok && isSameEvent(b.value, item.event)).toBe(true);
    expect(JSON.parse(decodeStoredEvent(item))).toEqual(a.event);
  });
});

describe('store calls: refusals', () => {
  it('another source is refused as ever, naming the sources taken', () => {
    const r = refusal({ ...calls['disable-rule'], source: 'aws.ec2' });
    expect(r.reason).toBe('SOURCE_UNSUPPORTED');
    expect(r.message).toContain('"aws.dynamodb"');
  });

  it('a self-audited source is taken for CloudTrail calls only', () => {
    const r = refusal({ ...calls['disable-rule'], 'detail-type': 'EventBridge Rule State Change' });
    expect(r.reason).toBe('DETAIL_TYPE_UNSUPPORTED');
    expect(r.message).toBe(
      'detail-type must be "AWS API Call via CloudTrail" for source "aws.events", got "EventBridge Rule State Change"',
    );
  });

  it.each([
    ['an eventSource of another service', { eventSource: 'ecs.amazonaws.com' }, 'CALL_SOURCE_UNSUPPORTED'],
    ['no eventName', { eventName: '' }, 'CALL_ACTION_UNSUPPORTED'],
    ['no eventID', { eventID: undefined }, 'CALL_ID_MISSING'],
    ['no eventTime', { eventTime: undefined }, 'TIME_MISSING'],
    ['a bad eventTime', { eventTime: 'yesterday' }, 'TIME_INVALID'],
    ['a bad account', { recipientAccountId: '12' }, 'FIELD_INVALID'],
    ['a bad Region', { awsRegion: 'mars-1' }, 'FIELD_INVALID'],
    ['a request that is not an object', { requestParameters: 'x' }, 'FIELD_INVALID'],
  ] as [string, Record<string, unknown>, string][])('%s', (_what, detail, reason) => {
    const e = withDetail('disable-rule', detail);
    for (const [k, v] of Object.entries(detail)) if (v === undefined) delete e.detail[k];
    expect(refusal(e).reason).toBe(reason);
  });

  it('verify --log reports an edited store call as a mismatch, still as store history', () => {
    const item = toLogItem(parsed('disable-rule'), stamp) as unknown as Record<string, unknown>;
    const check = checkLogItem({ ...item, arn: `${STORE_RESOURCES.table}#store-call` });
    expect(check.type).toBe('mismatch');
  });
});
