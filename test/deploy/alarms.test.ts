// The alarms: what each watches, its threshold, and the topic it notifies.
import { beforeAll, describe, expect, it } from 'vitest';
import { getAtt, loadTemplates, ref, type Template } from './template.js';

let template: Template;
let custom: Template;

beforeAll(async () => {
  ({ template, custom } = await loadTemplates());
});

describe('alarms', () => {
  const alarms = (t: Template) =>
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
    for (const a of alarms(template)) {
      expect(a).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
      // No topic by default: the alarms show in the console only.
      expect(a.AlarmActions).toEqual([]);
      if (a.MetricName === 'IteratorAge') expect(a).toMatchObject({ Statistic: 'Maximum', Threshold: 300_000 });
      else expect(a.Threshold).toBe(0);
    }
  });

  it('notifies the SNS topic given as a parameter, and takes the iterator-age threshold from one', () => {
    for (const a of alarms(custom)) {
      expect(a.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:ops-alerts']);
      expect(a.OKActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:ops-alerts']);
      if (a.MetricName === 'IteratorAge') expect(a.Threshold).toBe(120_000);
    }
  });
});
