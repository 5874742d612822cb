// The three AWS::DynamoDB::Table resources. Keys, attributes, indexes and the stream come from the
// table model (infra/tables.cjs, the same that creates the local tables); the deploy-only properties
// (recovery, protection, encryption, TTL, retention policies, the log's resource policy) are added here.
'use strict';

const model = require('../infra/tables.cjs');
const { LOGICAL_IDS } = require('./logicalIds.cjs');
const { roleArn, stackArn } = require('./intrinsics.cjs');
const { APPEND_ROLES } = require('./roles.cjs');

/**
 * The log's resource policy: defence in depth for an append-only log, whatever a principal's IAM
 * policy says. Nobody may change or delete an item, and only the append roles may PutItem (an
 * unconditional put would overwrite). DynamoDB's own TTL deletions, when opted in, are not API calls
 * and still run. `logRepairPrincipalArn` (empty by default) lets one more role through the PutItem
 * lock, on purpose and for a while: the copy-back of a restore (docs/operations.md). The table is
 * named by a constructed ARN: a table's policy cannot Fn::GetAtt its own table.
 */
function logResourcePolicy(settings) {
  const resource = stackArn('dynamodb', `table/${settings.names.tables.eventLog}`);
  const appenders = APPEND_ROLES.map((role) => roleArn(settings.names.roles[role]));
  if (settings.logRepairPrincipalArn) appenders.push(settings.logRepairPrincipalArn);
  const deny = (Sid, Action, Condition) => ({
    Sid,
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action,
    Resource: resource,
    ...(Condition && { Condition }),
  });
  const changes = ['UpdateItem', 'DeleteItem', 'BatchWriteItem', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete'];
  return {
    Version: '2012-10-17',
    Statement: [
      deny(
        'AppendOnlyLog',
        changes.map((action) => `dynamodb:${action}`),
      ),
      deny('PutOnlyByTheAppendRoles', 'dynamodb:PutItem', { ArnNotEquals: { 'aws:PrincipalArn': appenders } }),
    ],
  };
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

module.exports = { tableResources };
