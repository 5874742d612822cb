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
