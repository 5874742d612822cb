// A whole organization in one store: the central bus and its policy, the archive, the member template.
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployedNames } from '../../cli/stageNames.js';
import cfn from '../../deploy/cloudformation.cjs';
import { CALL_ACTION_NAMES } from '../../domain/apiCalls/actions.js';
import { MEMBER_TEMPLATE } from '../support/packaging.js';
import { getAtt, type Json, loadTemplates, type Resource, ref, type Template } from './template.js';

let template: Template;
let custom: Template;
let organization: Template;
let R: Record<string, Resource>;

beforeAll(async () => {
  ({ template, custom, organization } = await loadTemplates());
  R = template.Resources;
});

describe('organization: central bus, archive, member template', () => {
  const busArn = (name: string) => ({
    'Fn::Join': [
      ':',
      ['arn', ref('AWS::Partition'), 'events', ref('AWS::Region'), ref('AWS::AccountId'), `event-bus/${name}`],
    ],
  });
  const ingestRule = (t: Template) =>
    Object.values(t.Resources).find((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern) as Resource;
  /** Whether CloudFormation creates the resource: no condition, or one that is (statically) true. */
  const created = (t: Template & { Conditions?: Json }, id: string): boolean => {
    const condition = t.Resources[id]?.Condition as string | undefined;
    if (condition === undefined) return true;
    const [left, right] = t.Conditions[condition]['Fn::Equals'];
    return left === right;
  };

  it('keeps a single account on the default bus, with no central bus, and archives its ECS events 30 days', () => {
    expect(created(template, 'CentralEventBus')).toBe(false);
    expect(ingestRule(template).Properties.EventBusName).toBeUndefined();
    expect(created(template, 'EventArchive')).toBe(true);
    expect(R.EventArchive?.Properties).toEqual({
      ArchiveName: 'ecs-event-store-dev-ecs-events',
      Description: expect.any(String),
      SourceArn: busArn('default'),
      EventPattern: {
        $or: [
          { source: ['aws.ecs'], 'detail-type': [{ prefix: 'ECS ' }] },
          {
            source: ['aws.ecs'],
            'detail-type': ['AWS API Call via CloudTrail'],
            detail: { eventSource: ['ecs.amazonaws.com'], eventName: CALL_ACTION_NAMES },
          },
        ],
      },
      RetentionDays: 30,
    });
    // One definition of "every ECS event" for the archive, the member rule and the ingest rule.
    expect(R.EventArchive?.Properties.EventPattern).toEqual(cfn.ECS_EVENT_PATTERN);
    // `ecs-events replay --stage` finds the archive and the rule by these names.
    expect(deployedNames('dev')).toEqual({
      archive: R.EventArchive?.Properties.ArchiveName,
      rule: ingestRule(template).Properties.Name,
    });
    expect(deployedNames('prod').archive).toBe(organization.Resources.EventArchive?.Properties.ArchiveName);
    expect(template.Outputs.EventArchiveName).toMatchObject({
      Condition: 'EventArchiveEnabled',
      Value: ref('EventArchive'),
    });
  });

  it('creates no archive at all with eventArchiveRetentionDays=off', () => {
    expect(created(custom, 'EventArchive')).toBe(false);
    expect((custom.Outputs.EventArchiveName as Json).Condition).toBe('EventArchiveEnabled');
  });

  it('puts the ingest rule on a central bus that only the organization and the listed accounts may put ECS events on', () => {
    const O = organization.Resources;
    expect(created(organization, 'CentralEventBus')).toBe(true);
    expect(O.CentralEventBus?.Properties.Name).toBe('ecs-event-store-prod');
    const ecsOnly = {
      'ForAllValues:StringEquals': { 'events:source': ['aws.ecs'] },
      'ForAllValues:StringLike': { 'events:detail-type': ['ECS *', 'AWS API Call via CloudTrail'] },
      // ForAllValues passes when the key is absent: each is required present.
      Null: { 'events:source': 'false', 'events:detail-type': 'false' },
    };
    const root = (id: string) => ({ 'Fn::Join': ['', ['arn:', ref('AWS::Partition'), `:iam::${id}:root`]] });
    expect(O.CentralEventBus?.Properties.Policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OrganizationMayForwardEcsEvents',
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: busArn('ecs-event-store-prod'),
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' }, ...ecsOnly },
        },
        {
          Sid: 'MemberAccountsMayForwardEcsEvents',
          Effect: 'Allow',
          Principal: { AWS: [root('111122223333'), root('444455556666')] },
          Action: 'events:PutEvents',
          Resource: busArn('ecs-event-store-prod'),
          Condition: ecsOnly,
        },
      ],
    });
    // Nothing broader: every grant is PutEvents on this bus; "*" only ever with the organization condition.
    for (const s of (O.CentralEventBus as Resource).Properties.Policy.Statement as Json[]) {
      expect([s.Effect, s.Action]).toEqual(['Allow', 'events:PutEvents']);
      if (s.Principal === '*') expect(s.Condition.StringEquals['aws:PrincipalOrgID']).toBe('o-a1b2c3d4e5');
      else expect(JSON.stringify(s.Principal)).not.toContain('*');
    }
    // No other bus, and no osls-made one.
    expect(Object.values(O).filter((r) => r.Type === 'AWS::Events::EventBus')).toHaveLength(1);

    // The ingest rule, its invoke permission, its dead-letter queue and its alarm all name the central bus.
    const rule = ingestRule(organization);
    expect(rule.Properties.EventBusName).toEqual(getAtt('CentralEventBus', 'Name'));
    const permission = Object.values(O).find(
      (r) =>
        r.Type === 'AWS::Lambda::Permission' &&
        JSON.stringify(r.Properties.FunctionName) === JSON.stringify(getAtt('IngestLambdaFunction')),
    ) as Resource;
    expect(JSON.stringify(permission.Properties.SourceArn)).toContain(
      JSON.stringify(['rule', getAtt('CentralEventBus', 'Name'), 'ecs-event-store-prod-ecs-events']),
    );
    const deadLetter = O.IngestRuleDeadLetterQueuePolicy?.Properties.PolicyDocument.Statement[0];
    expect(JSON.stringify(deadLetter.Condition)).toContain(
      '"rule/ecs-event-store-prod/ecs-event-store-prod-ecs-events"',
    );
    expect(O.IngestRuleDeadLetterFailuresAlarm?.Properties.Dimensions).toEqual([
      { Name: 'EventBusName', Value: 'ecs-event-store-prod' },
      { Name: 'RuleName', Value: 'ecs-event-store-prod-ecs-events' },
    ]);

    // The archive records the central bus, 90 days as asked; the member stacks get the bus ARN from an output.
    expect(O.EventArchive?.Properties).toMatchObject({
      SourceArn: getAtt('CentralEventBus'),
      EventPattern: cfn.ECS_EVENT_PATTERN,
      RetentionDays: 90,
    });
    expect(organization.Outputs.CentralEventBusArn).toMatchObject({ Value: getAtt('CentralEventBus') });
    // The ingest metrics count these accounts by id (every other one as "other").
    expect(O.IngestLambdaFunction?.Properties.Environment.Variables.METRIC_ACCOUNT_IDS).toBe(
      '111122223333,444455556666',
    );
    // An organization's store counts Ingested by account and region; one account's does not.
    expect(O.IngestLambdaFunction?.Properties.Environment.Variables.METRIC_ORIGINS).toBe('true');
    expect(R.IngestLambdaFunction?.Properties.Environment.Variables.METRIC_ORIGINS).toBe('false');
  });

  it('ships a StackSets-ready member template: a rule forwarding every ECS event, and a role that may only PutEvents there', () => {
    const text = readFileSync(MEMBER_TEMPLATE, 'utf8');
    const member = yaml.load(text) as Json;
    // Nothing account-specific: no account id, the bus a parameter without default, the role unnamed.
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(member.Parameters.CentralEventBusArn).toMatchObject({ Type: 'String' });
    expect(member.Parameters.CentralEventBusArn.Default).toBeUndefined();
    const M: Record<string, Resource> = member.Resources;
    expect(Object.keys(M).sort()).toEqual(
      ['ForwardEcsEvents', 'ForwarderRole', 'ForwardingDeadLetterQueue', 'ForwardingDeadLetterQueuePolicy'].sort(),
    );

    const rule = M.ForwardEcsEvents?.Properties;
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual(cfn.ECS_EVENT_PATTERN);
    expect(rule.Targets).toEqual([
      {
        Id: 'central-ecs-event-store',
        Arn: ref('CentralEventBusArn'),
        RoleArn: getAtt('ForwarderRole'),
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: getAtt('ForwardingDeadLetterQueue') },
      },
    ]);

    const role = M.ForwarderRole?.Properties;
    expect(role.RoleName).toBeUndefined();
    expect(role.ManagedPolicyArns).toBeUndefined();
    const ruleArn = {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
      'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${ForwarderRuleName}',
    };
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
          ArnEquals: { 'aws:SourceArn': ruleArn },
        },
      },
    ]);
    expect(role.Policies).toHaveLength(1);
    expect(role.Policies[0].PolicyDocument.Statement).toEqual([
      {
        Sid: 'PutEventsOnTheCentralBusOnly',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: ref('CentralEventBusArn'),
      },
    ]);
    expect(M.ForwardingDeadLetterQueuePolicy?.Properties.PolicyDocument.Statement[0].Condition).toEqual({
      ArnEquals: { 'aws:SourceArn': ruleArn },
    });
  });

  it('validates the organization and archive parameters', () => {
    const ok = {
      stage: 'dev',
      stateTtlDays: 30,
      eventLogRetentionDays: 0,
      redactOverrideEnvironment: true,
      lambdaLogRetentionDays: 30,
      iteratorAgeAlarmSeconds: 300,
      logLevel: 'INFO',
    };
    expect(cfn.deploySettings({ ...ok, memberAccountIds: ' 222222222222, 111111111111,222222222222' })).toMatchObject({
      centralEventBus: true,
      memberAccountIds: ['111111111111', '222222222222'],
      metricAccountIds: '111111111111,222222222222',
      eventBusName: 'ecs-event-store-dev',
    });
    expect(cfn.deploySettings({ ...ok, eventArchiveRetentionDays: 'forever' }).eventArchive).toEqual({
      enabled: true,
      retentionDays: 0,
    });
    const refusals: [Record<string, unknown>, string][] = [
      [{ organizationId: 'my-org' }, 'parameter organizationId must be an AWS Organizations id'],
      [{ memberAccountIds: '1111,2222' }, 'parameter memberAccountIds must be 12-digit AWS account ids'],
      [{ metricAccountIds: 'abc' }, 'parameter metricAccountIds must be 12-digit'],
      [{ eventArchiveRetentionDays: 0 }, 'say "forever" (never expire) or "off" (no archive)'],
      [{ eventArchiveRetentionDays: 'soon' }, 'parameter eventArchiveRetentionDays must be an integer'],
      [
        { metricAccountIds: Array.from({ length: 51 }, (_, i) => String(100_000_000_000 + i)).join(',') },
        'at most 50 get their own metric',
      ],
    ];
    for (const [change, message] of refusals) {
      expect(() => cfn.deploySettings({ ...ok, ...change })).toThrow(message);
    }
  });
});
