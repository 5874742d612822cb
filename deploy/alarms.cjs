// The CloudWatch alarms, from one table: what each watches and what it means (docs/operations.md
// "Alarms" says what to do). Every alarm fires on a value above its threshold, treats missing data as
// fine (no traffic is no failure), and notifies the alarm topic (the stack's own, or alarmTopicArn).
'use strict';

const { getAtt, ref } = require('./intrinsics.cjs');
const { LOGICAL_IDS } = require('./logicalIds.cjs');

const RUNBOOK_LOAD = 'Runbook - docs/operations.md, replay with `ecs-events load`.';

/** The metrics alarmed on. Sum over 5 minutes above 0, unless an alarm says otherwise. */
const queueBacklog = (queue) => ({
  Namespace: 'AWS/SQS',
  MetricName: 'ApproximateNumberOfMessagesVisible',
  Dimensions: [{ Name: 'QueueName', Value: getAtt(LOGICAL_IDS.queues[queue], 'QueueName') }],
  Statistic: 'Maximum',
});
const lambdaMetric = (MetricName, fn) => ({
  Namespace: 'AWS/Lambda',
  MetricName,
  Dimensions: [{ Name: 'FunctionName', Value: ref(LOGICAL_IDS.functions[fn]) }],
});
/** A metric the functions emit themselves (Powertools: their namespace and `service` dimension). */
const ownMetric = (MetricName, settings) => ({
  Namespace: settings.names.metricsNamespace,
  MetricName,
  Dimensions: [{ Name: 'service', Value: settings.names.prefix }],
});

/** [logical id, name after `<service>-<stage>-`, description, metric and overrides]. */
const alarmTable = (settings) => [
  [
    'IngestFailureQueueAlarm',
    'ingest-failures-waiting',
    `Events refused or failed by ingest are parked in the ingest failure queue. ${RUNBOOK_LOAD}`,
    queueBacklog('ingestFailures'),
  ],
  [
    'IngestRuleDeadLetterQueueAlarm',
    'ingest-rule-dead-letters',
    `EventBridge could not deliver events to the ingest function. ${RUNBOOK_LOAD}`,
    queueBacklog('ingestRuleDeadLetters'),
  ],
  [
    'ProjectorFailureQueueAlarm',
    'projector-failures-waiting',
    'The projector gave up on stream records. Runbook - docs/operations.md, `ecs-events verify --repair`.',
    queueBacklog('projectorFailures'),
  ],
  [
    'ProjectorIteratorAgeAlarm',
    'projector-lagging',
    'The latest-state tables lag the event log (projector iterator age) for 5 minutes.',
    {
      ...lambdaMetric('IteratorAge', 'projector'),
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 5,
      Threshold: settings.iteratorAgeAlarmMs,
    },
  ],
  [
    'IngestErrorsAlarm',
    'ingest-errors',
    'The ingest function failed on events (DynamoDB, or a refusal it could not park); Lambda retries them, then parks them in the ingest failure queue.',
    lambdaMetric('Errors', 'ingest'),
  ],
  // Refusals are parked by the function and are no function errors: this watches its own count.
  [
    'IngestRejectedAlarm',
    'ingest-rejected',
    `Ingest refused events (the reason dimension of Rejected, and the logs, give the code); each is parked once in the ingest failure queue. ${RUNBOOK_LOAD}`,
    ownMetric('Rejected', settings),
  ],
  // Any change or removal of a log item but DynamoDB's own TTL: never projected, kept, reported.
  [
    'LogTamperedAlarm',
    'log-tampered',
    'A log item was changed or removed (not by TTL); it is not projected, its old image is in the tamper queue. Runbook - docs/operations.md "Log tampering".',
    ownMetric('LogTampered', settings),
  ],
  [
    'ProjectorErrorsAlarm',
    'projector-errors',
    'The projector function failed whole invocations (single-record failures are retried through batchItemFailures).',
    lambdaMetric('Errors', 'projector'),
  ],
  // A failure that could not even be parked is a lost event (ingest) or an unrecorded gap (projector).
  [
    'IngestDestinationFailuresAlarm',
    'ingest-destination-failures',
    'Lambda could not park a failed ingest event in the failure queue; the event is lost from the pipeline.',
    lambdaMetric('DestinationDeliveryFailures', 'ingest'),
  ],
  [
    'ProjectorDestinationFailuresAlarm',
    'projector-destination-failures',
    'Lambda could not record a failed projector batch in the failure queue; run `ecs-events verify --repair`.',
    lambdaMetric('DestinationDeliveryFailures', 'projector'),
  ],
  [
    'IngestRuleDeadLetterFailuresAlarm',
    'ingest-rule-dead-letter-failures',
    'EventBridge could neither deliver events to ingest nor dead-letter them; those events are lost.',
    // RuleName on the default bus; EventBusName and RuleName on the central bus.
    {
      Namespace: 'AWS/Events',
      MetricName: 'InvocationsFailedToBeSentToDlq',
      Dimensions: settings.ingestRuleMetricDimensions,
    },
  ],
];

/** What every alarm shares: it fires above its threshold, missing data is fine, it notifies the topic. */
const alarmCommon = (settings) => ({
  ComparisonOperator: 'GreaterThanThreshold',
  TreatMissingData: 'notBreaching',
  // Every alarm notifies: the stack's topic (deploy/alarmTopic.cjs), or the one alarmTopicArn names.
  AlarmActions: settings.alarmActions,
  OKActions: settings.alarmActions,
});

/** The AWS::CloudWatch::Alarm resources of the table, keyed by logical id (StoreChanged: deploy/selfAudit.cjs). */
function alarmResources(settings) {
  const alarm = ([, name, description, metric]) => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${settings.names.prefix}-${name}`,
      AlarmDescription: description,
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ...metric,
      ...alarmCommon(settings),
    },
  });
  return Object.fromEntries(alarmTable(settings).map((row) => [row[0], alarm(row)]));
}

module.exports = { alarmCommon, alarmResources };
