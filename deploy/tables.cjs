// The three AWS::DynamoDB::Table resources. Keys, attributes, indexes and the stream come from the
// table model (infra/tables.cjs, the same that creates the local tables); the deploy-only properties
// (recovery, protection, encryption, TTL, retention policies, the log's resource policy) are added here.
'use strict';

const model = require('../infra/tables.cjs');
const { LOGICAL_IDS } = require('./logicalIds.cjs');
const { forbiddenKeyPatterns, leadingKeyPatterns } = require('../domain/keySuffixes.cjs');
const { getAtt, stackArn } = require('./intrinsics.cjs');
const { APPEND_ROLES } = require('./roles.cjs');

/**
 * The control-plane calls that can lift the log's lock or blind the detection: with
 * `deploymentRoleArn` set, the log's policy denies them to every principal but that role (the stack's
 * CloudFormation execution role). The account root can still DeleteResourcePolicy (DynamoDB's own
 * lock-out guard); an SCP closes that (docs/guarantees.md).
 */
const LOG_CONTROL_PLANE = Object.freeze([
  'dynamodb:PutResourcePolicy',
  'dynamodb:DeleteResourcePolicy',
  'dynamodb:UpdateTable',
  'dynamodb:UpdateTimeToLive',
  'dynamodb:UpdateContinuousBackups',
  'dynamodb:ExportTableToPointInTime',
  'dynamodb:DeleteTable',
  'dynamodb:EnableKinesisStreamingDestination',
  'dynamodb:UpdateKinesisStreamingDestination',
  'dynamodb:DisableKinesisStreamingDestination',
]);

/** `aws:userid` of any session of one of this stack's roles: `<RoleId>:*` (not its name: a re-created role has another id). */
const roleSessions = (fn) => ({ 'Fn::Join': ['', [getAtt(LOGICAL_IDS.roles[fn], 'RoleId'), ':*']] });

/**
 * The log's resource policy: defence in depth for an append-only log, whatever a principal's IAM
 * policy says. Nobody may change or delete an item. Only the append roles may PutItem (an
 * unconditional put would overwrite), matched by their unique role id (`aws:userid` = `<RoleId>:*`),
 * each only under the partition keys the suffix-writer map gives it (domain/keySuffixes.cjs), denied
 * here because a role's own policy can be edited. `logRepairPrincipalArn` (not a role of ours: matched
 * by ARN) may PutItem event keys and trust words until `logRepairExpiresAt` (aws:CurrentTime), never a
 * tamper marker or an observation. With `deploymentRoleArn`, the control plane of the table is that
 * role's alone. DynamoDB's own TTL deletions, when opted in, are not API calls and still run. The
 * table is named by a constructed ARN: a table's policy cannot Fn::GetAtt its own table.
 */
function logResourcePolicy(settings) {
  const resource = stackArn('dynamodb', `table/${settings.names.tables.eventLog}`);
  const repair = settings.logRepairPrincipalArn;
  const deny = (Sid, Action, Condition) => ({
    Sid,
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action,
    Resource: resource,
    ...(Condition && { Condition }),
  });
  const put = 'dynamodb:PutItem';
  /** Deny the writer's PutItem under any key outside its suffixes (`who`: the condition naming it). */
  const keysOf = (Sid, writer, who) => {
    const own = leadingKeyPatterns(writer);
    const outside = own
      ? { 'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': own } }
      : { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': forbiddenKeyPatterns(writer) } };
    return deny(Sid, put, { ...who, ...outside });
  };
  const pascal = (word) => word[0].toUpperCase() + word.slice(1);
  const changes = ['UpdateItem', 'DeleteItem', 'BatchWriteItem', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete'];
  const statements = [
    deny(
      'AppendOnlyLog',
      changes.map((action) => `dynamodb:${action}`),
    ),
    deny('PutOnlyByTheAppendRoles', put, {
      StringNotLike: { 'aws:userid': APPEND_ROLES.map(roleSessions) },
      ...(repair && { ArnNotEquals: { 'aws:PrincipalArn': repair } }),
    }),
    // Fail closed: a PutItem names its key, so a request without the key is no append.
    deny('PutOnlyWithItsKey', put, { Null: { 'dynamodb:LeadingKeys': 'true' } }),
    ...APPEND_ROLES.map((fn) =>
      keysOf(`${pascal(fn)}OnlyUnderItsKeys`, fn, { StringLike: { 'aws:userid': roleSessions(fn) } }),
    ),
  ];
  if (repair) {
    statements.push(
      keysOf('RepairOnlyUnderItsKeys', 'repair', { ArnEquals: { 'aws:PrincipalArn': repair } }),
      deny('RepairEndsAtItsExpiry', put, {
        ArnEquals: { 'aws:PrincipalArn': repair },
        DateGreaterThan: { 'aws:CurrentTime': settings.logRepairExpiresAt },
      }),
    );
  }
  if (settings.deploymentRoleArn) {
    statements.push(
      deny('ControlPlaneOnlyByTheDeploymentRole', [...LOG_CONTROL_PLANE], {
        ArnNotEquals: { 'aws:PrincipalArn': settings.deploymentRoleArn },
      }),
    );
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** The three tables, keyed by logical id. */
function tableResources(settings) {
  const common = (kind) => ({
    ...model.tableProperties(kind, settings.names.tables[kind]),
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    // KMS with the AWS managed key aws/dynamodb: no key to pay for or manage, and every use of the
    // key is in CloudTrail (the default AWS owned key is not).
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
  });
  const ttl = (attributeName) => ({ TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true } });

  const eventLog = {
    Type: 'AWS::DynamoDB::Table',
    // The log is the truth: neither a stack deletion nor a replacing change may drop it.
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      ...common('eventLog'),
      DeletionProtectionEnabled: true,
      // Off unless an organisation's policy asks for it (eventLogRetentionDays > 0): ingest then
      // writes the TTL attribute on each item (LOG_RETENTION_DAYS).
      ...(Number(settings.eventLogRetentionDays) > 0 ? ttl(model.TTL_ATTRIBUTE) : {}),
      ResourcePolicy: { PolicyDocument: logResourcePolicy(settings) },
    },
  };

  // Latest-state tables are derived (rebuildable from the log), so a stack deletion drops them; a
  // replacement (a new stateTableSuffix) keeps the previous pair, still readable during the switch.
  const stateTable = (kind) => ({
    Type: 'AWS::DynamoDB::Table',
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Retain',
    Properties: { ...common(kind), ...ttl(model.tables[kind].ttlAttribute) },
  });

  const ids = LOGICAL_IDS.tables;
  return {
    [ids.eventLog]: eventLog,
    [ids.taskState]: stateTable('taskState'),
    [ids.instanceState]: stateTable('instanceState'),
  };
}

module.exports = { LOG_CONTROL_PLANE, tableResources };
