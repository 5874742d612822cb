// One least-privilege role per function, rendered: exact resources by logical id, and every PutItem
// on the log held to the partition keys its writer owns (domain/keySuffixes.cjs). No shared default
// role; fixed names (deploy/names.cjs), which the log's resource policy names (deploy/tables.cjs).
'use strict';

const { LOG_WRITERS, leadingKeyPatterns } = require('../domain/keySuffixes.cjs');
const model = require('../infra/tables.cjs');
const { allow, getAtt, ref, stackArn } = require('./intrinsics.cjs');
const { LOGICAL_IDS } = require('./logicalIds.cjs');
const { FUNCTIONS } = require('./names.cjs');

/**
 * The functions whose roles may PutItem on the log (its resource policy denies it to every other
 * principal): the log's writers that are functions, in keySuffixes' order (`repair` is a principal
 * of the operators', logRepairPrincipalArn).
 */
const APPEND_ROLES = Object.freeze(LOG_WRITERS.filter((writer) => FUNCTIONS.includes(writer)));

const table = (kind) => getAtt(LOGICAL_IDS.tables[kind]);
const stateTables = () => [table('taskState'), table('instanceState')];

/**
 * PutItem on the log (never UpdateItem or DeleteItem), only under the partition keys `writer` owns.
 * A writer of plain ARNs (ingest) gets no condition: no StringLike pattern admits "no suffix" and
 * refuses the others (domain/keySuffixes.cjs).
 */
function appendToLog(Sid, writer) {
  const patterns = leadingKeyPatterns(writer);
  const own = patterns && { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns } };
  return allow(Sid, 'dynamodb:PutItem', table('eventLog'), own);
}

const sendTo = (Sid, queue) => allow(Sid, 'sqs:SendMessage', getAtt(LOGICAL_IDS.queues[queue]));

/** The log group's ARN ends in ":*" (its streams): the form AWS documents for these actions. */
const writeOwnLogs = (fn) =>
  allow('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(LOGICAL_IDS.logGroups[fn]));

const ingestStatements = () => [
  appendToLog('AppendToEventLog', 'ingest'),
  sendTo('ParkFailedEvents', 'ingestFailures'),
  writeOwnLogs('ingest'),
];

/** What Lambda checks when the mapping is created: a policy of its own, which the mapping DependsOn. */
const projectorStreamStatements = () => [
  allow(
    'ReadEventLogStream',
    ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
    getAtt(LOGICAL_IDS.tables.eventLog, 'StreamArn'),
  ),
  // ListStreams supports no resource-level permission: AWS requires "*". It lists stream ARNs only, never data.
  allow('ListStreamsRequiresStar', 'dynamodb:ListStreams', '*'),
];

const projectorStatements = () => [
  // PutItem only, on the current pair of latest-state tables (they follow stateTableSuffix).
  allow('PutLatestState', 'dynamodb:PutItem', stateTables()),
  // One attribute of a row, never its version: the reconciler's missing mark (lastSeenMissingAt),
  // set by a conditional update on the row of that version.
  allow('MarkLatestStateMissing', 'dynamodb:UpdateItem', stateTables()),
  sendTo('ParkFailedBatches', 'projectorFailures'),
  appendToLog('AppendTamperMarkers', 'projector'),
  sendTo('KeepTamperedImages', 'logTampered'),
  writeOwnLogs('projector'),
];

/**
 * The reconciler's: only the ECS reads it makes, scoped to the configured clusters where IAM allows
 * (ListContainerInstances by cluster ARN; ListTasks, DescribeTasks and DescribeContainerInstances by
 * the ecs:cluster condition key; ListClusters supports neither and is granted only when no cluster is
 * configured); Query and BatchGetItem on the two latest-state tables and their cluster index; PutItem
 * on the log under its own partition keys only (never an event's); its own logs.
 */
function reconcilerStatements(settings) {
  const names = settings.reconcileClusterNames;
  const clusters = (names.length === 0 ? ['*'] : names).map((name) => stackArn('ecs', `cluster/${name}`));
  // Each latest-state table's cluster index, by its name in the table model.
  const index = (kind) => {
    const byCluster = model.tables[kind].indexes.find((i) => i.partitionKey === 'clusterArn').name;
    return { 'Fn::Join': ['', [table(kind), `/index/${byCluster}`]] };
  };
  return [
    ...(names.length === 0 ? [allow('ListClustersRequiresStar', 'ecs:ListClusters', '*')] : []),
    allow('ListContainerInstancesOfClusters', 'ecs:ListContainerInstances', clusters),
    // These take their cluster through the ecs:cluster condition key (their resource is a task or
    // container instance, or none for ListTasks): "*" narrowed by the condition.
    allow(
      'ListAndDescribeInClustersByCondition',
      ['ecs:ListTasks', 'ecs:DescribeTasks', 'ecs:DescribeContainerInstances'],
      '*',
      { ArnLike: { 'ecs:cluster': clusters } },
    ),
    allow(
      'ReadLatestState',
      ['dynamodb:Query', 'dynamodb:BatchGetItem'],
      [table('taskState'), index('taskState'), table('instanceState'), index('instanceState')],
    ),
    appendToLog('AppendObservationsToEventLog', 'reconciler'),
    writeOwnLogs('reconciler'),
  ];
}

/** Each function's role: what it is for (its Description), and its statements. */
const ROLES = {
  ingest: {
    description: 'ECS event store ingest - append to the event log, park failures, write its logs',
    statements: ingestStatements,
  },
  projector: {
    description:
      "ECS event store projector - read the log's stream, put latest-state rows, park failures, write its logs",
    // Its stream read is a policy of its own (projectorStreamStatements).
    statements: projectorStatements,
  },
  reconciler: {
    description:
      'ECS event store reconciler - read ECS and the latest-state tables, append observations to the log, write its logs',
    statements: reconcilerStatements,
  },
};

const policyDocument = (Statement) => ({ Version: '2012-10-17', Statement });

/**
 * The three AWS::IAM::Role resources and their policies, keyed by logical id: each role assumable by
 * Lambda only, with no inline policy of its own; its statements are AWS::IAM::RolePolicy resources.
 * So the log's resource policy can name each role by its unique id (Fn::GetAtt RoleId: the table
 * depends on the roles) while the policies name the table (they depend on it): no cycle.
 */
function roleResources(settings) {
  const role = (fn) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: settings.names.roles[fn],
      Path: '/',
      Description: ROLES[fn].description,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
    },
  });
  const rolePolicy = (fn, PolicyName, statements) => ({
    Type: 'AWS::IAM::RolePolicy',
    Properties: { RoleName: ref(LOGICAL_IDS.roles[fn]), PolicyName, PolicyDocument: policyDocument(statements) },
  });
  return {
    ...Object.fromEntries(FUNCTIONS.map((fn) => [LOGICAL_IDS.roles[fn], role(fn)])),
    ...Object.fromEntries(
      FUNCTIONS.map((fn) => [LOGICAL_IDS.rolePolicies[fn], rolePolicy(fn, fn, ROLES[fn].statements(settings))]),
    ),
    [LOGICAL_IDS.projectorStreamPolicy]: rolePolicy('projector', 'projector-stream', projectorStreamStatements()),
  };
}

module.exports = { APPEND_ROLES, reconcilerStatements, roleResources };
