// The logical ids of the CloudFormation template, by what they are: the one place every renderer of
// deploy/ (and the tests) names a resource by. Those of the functions and their log groups are osls's
// own (`<Name>LambdaFunction`, `<Name>LogGroup` of serverless.yml's function keys): written here so that
// a statement or an alarm can point at them.
'use strict';

const LOGICAL_IDS = Object.freeze({
  tables: Object.freeze({
    eventLog: 'EventLogTable',
    taskState: 'TaskStateTable',
    instanceState: 'InstanceStateTable',
  }),
  routing: Object.freeze({ centralEventBus: 'CentralEventBus', eventArchive: 'EventArchive' }),
  queues: Object.freeze({
    ingestFailures: 'IngestFailureQueue',
    ingestRuleDeadLetters: 'IngestRuleDeadLetterQueue',
    projectorFailures: 'ProjectorFailureQueue',
    logTampered: 'LogTamperQueue',
  }),
  roles: Object.freeze({ ingest: 'IngestRole', projector: 'ProjectorRole', reconciler: 'ReconcilerRole' }),
  /** Each role's policy, an AWS::IAM::RolePolicy of its own (the log's policy names the role's id). */
  rolePolicies: Object.freeze({
    ingest: 'IngestRolePolicy',
    projector: 'ProjectorRolePolicy',
    reconciler: 'ReconcilerRolePolicy',
  }),
  /** The projector's stream-read policy: its event source mapping DependsOn it (Lambda checks it then). */
  projectorStreamPolicy: 'ProjectorStreamReadPolicy',
  /** osls's id of the projector's event source mapping on the log's stream. */
  projectorStreamMapping: 'ProjectorEventSourceMappingDynamodbEventLogTable',
  /** The tamper queue's policy: its control plane denied to all but the deployment role. */
  tamperQueuePolicy: 'LogTamperQueuePolicy',
  alarmTopic: Object.freeze({
    topic: 'AlarmTopic',
    key: 'AlarmTopicKey',
    keyAlias: 'AlarmTopicKeyAlias',
    policy: 'AlarmTopicPolicy',
  }),
  /** The rules on the default bus that see the store's own control plane change, and their alarm (deploy/selfAudit.cjs). */
  selfAudit: Object.freeze({
    rules: Object.freeze({
      dynamodb: 'StoreChangedDynamodbRule',
      lambda: 'StoreChangedLambdaRule',
      events: 'StoreChangedEventsRule',
      sqs: 'StoreChangedSqsRule',
      cloudwatch: 'StoreChangedCloudwatchRule',
      iam: 'StoreChangedIamRule',
      sns: 'StoreChangedSnsRule',
      kms: 'StoreChangedKmsRule',
      s3: 'StoreChangedS3Rule',
    }),
    /** The same calls to the ingest function (the store's history in the log), and each rule's invoke permission. */
    logRules: Object.freeze({
      dynamodb: 'StoreChangedDynamodbLogRule',
      lambda: 'StoreChangedLambdaLogRule',
      events: 'StoreChangedEventsLogRule',
      sqs: 'StoreChangedSqsLogRule',
      cloudwatch: 'StoreChangedCloudwatchLogRule',
      iam: 'StoreChangedIamLogRule',
      sns: 'StoreChangedSnsLogRule',
      kms: 'StoreChangedKmsLogRule',
      s3: 'StoreChangedS3LogRule',
    }),
    alarm: 'StoreChangedAlarm',
  }),
  functions: Object.freeze({
    ingest: 'IngestLambdaFunction',
    projector: 'ProjectorLambdaFunction',
    reconciler: 'ReconcilerLambdaFunction',
  }),
  logGroups: Object.freeze({
    ingest: 'IngestLogGroup',
    projector: 'ProjectorLogGroup',
    reconciler: 'ReconcilerLogGroup',
  }),
});

/** The template's condition names: a resource under a false condition is not created at all. */
const CONDITIONS = Object.freeze({ centralEventBus: 'CentralEventBusEnabled', eventArchive: 'EventArchiveEnabled' });

module.exports = { LOGICAL_IDS, CONDITIONS };
