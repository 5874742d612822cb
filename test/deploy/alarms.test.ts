// The alarms: what each watches, its threshold, and the topic it notifies.
import { beforeAll, describe, expect, it } from 'vitest';
import { getAtt, type Json, loadTemplates, ref, type Template } from './template.js';

let template: Template;
let custom: Template;

beforeAll(async () => {
  ({ template, custom } = await loadTemplates());
});

describe('alarms', () => {
  // The alarms on one metric (StoreChanged sums the self-audit rules': below).
  const alarms = (t: Template) =>
    Object.values(t.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && !r.Properties.Metrics)
      .map((r) => r.Properties);
  const every = (t: Template) =>
    Object.values(t.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => r.Properties);

  it('watches both DLQs, the failure queue, iterator age, errors and lost deliveries', () => {
    const watched = alarms(template)
      .map((a) => JSON.stringify([a.Namespace, a.MetricName, a.Dimensions]))
      .sort();
    const dims = (name: string, value: unknown) => [{ Name: name, Value: value }];
    expect(watched).toEqual(
      [
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', dims('QueueName', getAtt('IngestFailureQueue', 'QueueName'))],
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          dims('QueueName', getAtt('IngestRuleDeadLetterQueue', 'QueueName')),
        ],
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          dims('QueueName', getAtt('ProjectorFailureQueue', 'QueueName')),
        ],
        ['AWS/Lambda', 'IteratorAge', dims('FunctionName', ref('ProjectorLambdaFunction'))],
        ['AWS/Lambda', 'Errors', dims('FunctionName', ref('IngestLambdaFunction'))],
        ['ECSEventStore', 'Rejected', dims('service', 'ecs-event-store-dev')],
        ['ECSEventStore', 'LogTampered', dims('service', 'ecs-event-store-dev')],
        ['AWS/Lambda', 'Errors', dims('FunctionName', ref('ProjectorLambdaFunction'))],
        ['AWS/Lambda', 'DestinationDeliveryFailures', dims('FunctionName', ref('IngestLambdaFunction'))],
        ['AWS/Lambda', 'DestinationDeliveryFailures', dims('FunctionName', ref('ProjectorLambdaFunction'))],
        ['AWS/Events', 'InvocationsFailedToBeSentToDlq', dims('RuleName', 'ecs-event-store-dev-ecs-events')],
      ]
        .map((x) => JSON.stringify(x))
        .sort(),
    );
    expect(every(template)).toHaveLength(12);
    for (const a of every(template)) {
      expect(a).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
      // Every alarm has an action: by default the stack's own topic.
      expect(a.AlarmActions).toEqual([ref('AlarmTopic')]);
      expect(a.OKActions).toEqual([ref('AlarmTopic')]);
    }
    for (const a of alarms(template)) {
      if (a.MetricName === 'IteratorAge') expect(a).toMatchObject({ Statistic: 'Maximum', Threshold: 300_000 });
      else expect(a.Threshold).toBe(0);
    }
  });

  it('notifies the SNS topic given as a parameter, and takes the iterator-age threshold from one', () => {
    expect(custom.Resources.AlarmTopic).toBeUndefined();
    for (const a of every(custom)) {
      expect(a.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:ops-alerts']);
      expect(a.OKActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:ops-alerts']);
      if (a.MetricName === 'IteratorAge') expect(a.Threshold).toBe(120_000);
    }
  });

  it('creates the alarm topic by default, encrypted with a key whose policy admits CloudWatch and EventBridge', () => {
    const R = template.Resources;
    expect(R.AlarmTopic?.Properties).toMatchObject({
      TopicName: 'ecs-event-store-dev-alarms',
      KmsMasterKeyId: getAtt('AlarmTopicKey'),
    });
    const key = R.AlarmTopicKey?.Properties;
    expect(key.EnableKeyRotation).toBe(true);
    const services = key.KeyPolicy.Statement.find((s: Json) => s.Sid === 'AlarmsAndTheSelfAuditRulePublish');
    expect(services).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    });
    const publishers = R.AlarmTopicPolicy?.Properties.PolicyDocument.Statement.map((s: Json) => s.Principal.Service);
    expect(publishers).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    expect(template.Outputs.AlarmTopicArn?.Value).toEqual(ref('AlarmTopic'));
    expect(custom.Outputs.AlarmTopicArn?.Value).toBe('arn:aws:sns:eu-west-1:123456789012:ops-alerts');
  });

  it('alarms StoreChanged on the sum of the self-audit rules, which target the topic directly', () => {
    const R = template.Resources;
    const rules = Object.entries(R).filter(([id]) => /^StoreChanged\w+Rule$/.test(id) && !id.endsWith('LogRule'));
    expect(rules.map(([, r]) => r.Properties.Name).sort()).toEqual(
      ['cloudwatch', 'dynamodb', 'events', 'iam', 'kms', 'lambda', 's3', 'sns', 'sqs'].map(
        (s) => `ecs-event-store-dev-store-changed-${s}`,
      ),
    );
    for (const [, rule] of rules) {
      expect(rule.Properties).toMatchObject({ EventBusName: 'default', State: 'ENABLED' });
      expect(rule.Properties.Targets).toEqual([{ Id: 'AlarmTopic', Arn: ref('AlarmTopic') }]);
      expect(rule.Properties.EventPattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
      // EventBridge's limit on a pattern is 2,048 characters (an ARN or UUID resolved is < 100 more).
      expect(JSON.stringify(rule.Properties.EventPattern).length).toBeLessThan(1900);
    }
    const changed = R.StoreChangedAlarm?.Properties;
    expect(changed.AlarmName).toBe('ecs-event-store-dev-store-changed');
    const summed = changed.Metrics.filter((m: Json) => m.MetricStat).map(
      (m: Json) => m.MetricStat.Metric.Dimensions[0].Value,
    );
    expect(summed.sort()).toEqual(rules.map(([, r]) => r.Properties.Name).sort());
    expect(changed.Metrics.at(-1)).toMatchObject({ ReturnData: true });
    expect(changed.Metrics.at(-1).Expression).toMatch(/^SUM\(\[rule0(, rule\d)+\]\)$/);
    // With a deployment role, its own CloudFormation calls do not alarm; without one, every call does.
    expect(R.StoreChangedDynamodbRule?.Properties.EventPattern.detail.userIdentity).toBeUndefined();
    expect(custom.Resources.StoreChangedDynamodbRule?.Properties.EventPattern.detail.userIdentity).toEqual({
      $or: [
        { invokedBy: [{ 'anything-but': 'cloudformation.amazonaws.com' }] },
        { invokedBy: [{ exists: false }] },
        {
          sessionContext: {
            sessionIssuer: {
              arn: [{ 'anything-but': 'arn:aws:iam::123456789012:role/ecs-event-store-prod-deployer' }],
            },
          },
        },
      ],
    });
    // The log's table, the projector's mapping and function are among what the rules name.
    expect(JSON.stringify(R.StoreChangedDynamodbRule?.Properties.EventPattern)).toContain('ECSEventLog-dev');
    expect(JSON.stringify(R.StoreChangedLambdaRule?.Properties.EventPattern)).toContain(
      JSON.stringify(ref('ProjectorEventSourceMappingDynamodbEventLogTable')),
    );
    expect(JSON.stringify(R.StoreChangedEventsRule?.Properties.EventPattern)).toContain(
      'ecs-event-store-dev-ecs-events',
    );
  });

  it('logs a copy of each call: a second rule per service to the ingest function, deployer included, with its permission', () => {
    for (const t of [template, custom]) {
      const R = t.Resources;
      const logRules = Object.entries(R).filter(([id]) => /^StoreChanged\w+LogRule$/.test(id));
      // One a service the alarm rules watch (no key of its own with a given alarm topic: no kms).
      const alarmRules = Object.entries(R).filter(
        ([id]) => /^StoreChanged\w+Rule$/.test(id) && !id.endsWith('LogRule'),
      );
      expect(logRules.map(([, r]) => r.Properties.Name).sort()).toEqual(
        alarmRules.map(([, r]) => r.Properties.Name.replace('-store-changed-', '-store-calls-')).sort(),
      );
      expect(logRules.length).toBe(t === template ? 9 : 8);
      for (const [id, rule] of logRules) {
        const alarmRule = R[id.replace(/LogRule$/, 'Rule')] as Json;
        expect(rule.Properties).toMatchObject({ EventBusName: 'default', State: 'ENABLED' });
        // One target, the ingest function, retried for a day; the alarm rule keeps the topic alone.
        expect(rule.Properties.Targets).toEqual([
          {
            Id: 'Ingest',
            Arn: getAtt('IngestLambdaFunction'),
            RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
            // What it gives up on lands in the ingest rule's dead-letter queue (deploy/queues.cjs).
            DeadLetterConfig: { Arn: getAtt('IngestRuleDeadLetterQueue') },
          },
        ]);
        expect(alarmRule.Properties.Targets).toHaveLength(1);
        // The same match as the alarm rule's, without the deployer's exclusion.
        const { userIdentity, ...rest } = alarmRule.Properties.EventPattern.detail;
        expect(rule.Properties.EventPattern).toEqual({ ...alarmRule.Properties.EventPattern, detail: rest });
        expect(rule.Properties.EventPattern.detail.userIdentity).toBeUndefined();
        if (t === custom) expect(userIdentity).toBeDefined();
        expect(JSON.stringify(rule.Properties.EventPattern).length).toBeLessThan(1900);
        const permission = R[id.replace(/LogRule$/, 'LogPermission')];
        expect(permission).toEqual({
          Type: 'AWS::Lambda::Permission',
          Properties: {
            FunctionName: ref('IngestLambdaFunction'),
            Action: 'lambda:InvokeFunction',
            Principal: 'events.amazonaws.com',
            SourceArn: getAtt(id),
          },
        });
      }
      // A call that cuts the log path names a store resource: the alarm rules match the log rules too.
      expect(JSON.stringify(R.StoreChangedEventsRule?.Properties.EventPattern)).toContain(
        t === template ? 'ecs-event-store-dev-store-calls-lambda' : 'ecs-event-store-prod-store-calls-lambda',
      );
      // The alarm sums the alarm rules only.
      expect(JSON.stringify(R.StoreChangedAlarm?.Properties.Metrics)).not.toContain('store-calls');
    }
  });
});
