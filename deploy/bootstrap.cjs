// The bootstrap stack of one stage (`ecs-events bootstrap` prints it), deployed once, before the
// service, by an administrator: the stack's CloudFormation execution role (the deploy parameter
// deploymentRoleArn), the only principal the log's and the tamper queue's policies let change their
// control plane; and, for a store outside us-east-1, the rule that forwards IAM's calls on the store's
// roles to the store's default bus (IAM's CloudTrail events reach EventBridge only in us-east-1).
// Plain CloudFormation (no osls), rendered from the deploy's names. Also the organization SCP that
// closes what resource policies cannot (docs/guarantees.md "What can still lift the lock").
'use strict';

const { CALL_DETAIL_TYPE } = require('../domain/apiCalls/actions.cjs');
const { coldStoreSettings } = require('./coldStore.cjs');
const { allow, deny } = require('./intrinsics.cjs');
const { deployNames } = require('./names.cjs');
const { LOG_CONTROL_PLANE } = require('./tables.cjs');
const { TAMPER_QUEUE_CONTROL_PLANE } = require('./queues.cjs');

const ref = (id) => ({ Ref: id });
const join = (...parts) => ({ 'Fn::Join': ['', parts] });
const partition = ref('AWS::Partition');
const account = ref('AWS::AccountId');
const region = ref('AWS::Region');
/** `arn:<partition>:<service>:<region>:<account>:<resource>`; region "" for global services. */
const arn = (service, resource, where = region) =>
  join('arn:', partition, `:${service}:`, where, ':', account, `:${resource}`);

/** What the execution role may do: every resource type of the template, by the stage's names where IAM allows. */
function deploymentStatements(names) {
  const p = names.prefix;
  const cold = coldStoreSettings({ coldStore: 'on' }, names).coldStore;
  const storeRoles = [
    ...['ingest', 'projector', 'reconciler'].map((fn) => names.roles[fn]),
    cold.archiverRole,
    cold.deliveryRole,
  ].map((role) => arn('iam', `role/${role}`, ''));
  const lambdaRoles = [...['ingest', 'projector', 'reconciler'].map((fn) => names.roles[fn]), cold.archiverRole].map(
    (role) => arn('iam', `role/${role}`, ''),
  );
  const tables = Object.values(names.tables).flatMap((t) => [`table/${t}`, `table/${t}/*`]);
  return [
    allow(
      'StoreTables',
      'dynamodb:*',
      tables.map((t) => arn('dynamodb', t)),
    ),
    allow('StoreFunctions', 'lambda:*', [arn('lambda', `function:${p}-*`)]),
    // A mapping's ARN holds a UUID Lambda picks: these actions are scoped by the function they map.
    allow(
      'StoreStreamMapping',
      ['lambda:CreateEventSourceMapping', 'lambda:UpdateEventSourceMapping', 'lambda:DeleteEventSourceMapping'],
      '*',
      { ArnLike: { 'lambda:FunctionArn': arn('lambda', `function:${p}-*`) } },
    ),
    allow('ReadMappings', ['lambda:GetEventSourceMapping', 'lambda:ListEventSourceMappings'], '*'),
    allow(
      'StoreRoles',
      [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy',
        'iam:GetRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:TagRole',
        'iam:UntagRole',
      ],
      storeRoles,
    ),
    allow('PassStoreRolesToLambda', 'iam:PassRole', lambdaRoles, {
      StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    }),
    allow('StoreQueues', 'sqs:*', [arn('sqs', `${p}-*`)]),
    allow('StoreRulesBusArchive', 'events:*', [
      arn('events', `rule/${p}-*`),
      arn('events', `rule/${p}/*`),
      arn('events', `event-bus/${p}`),
      arn('events', `archive/${p}-*`),
    ]),
    allow('StoreLogGroups', 'logs:*', [
      arn('logs', `log-group:/aws/lambda/${p}-*`),
      arn('logs', `log-group:/aws/lambda/${p}-*:*`),
    ]),
    allow('DescribeLogGroups', 'logs:DescribeLogGroups', '*'),
    allow('StoreAlarms', 'cloudwatch:*', [arn('cloudwatch', `alarm:${p}-*`)]),
    allow('DescribeAlarms', 'cloudwatch:DescribeAlarms', '*'),
    allow('StoreAlarmTopic', 'sns:*', [arn('sns', names.alarmTopic)]),
    // A new key has no ARN yet; the topic's key is then managed by its alias, the tables' SSE
    // uses aws/dynamodb through DynamoDB.
    allow('CreateTheAlarmKey', ['kms:CreateKey', 'kms:ListAliases'], '*'),
    allow(
      'TheAlarmKey',
      [
        'kms:DescribeKey',
        'kms:PutKeyPolicy',
        'kms:GetKeyPolicy',
        'kms:EnableKeyRotation',
        'kms:GetKeyRotationStatus',
        'kms:TagResource',
        'kms:ScheduleKeyDeletion',
        'kms:CreateAlias',
        'kms:DeleteAlias',
        'kms:UpdateAlias',
      ],
      [arn('kms', 'key/*'), arn('kms', names.alarmTopicKeyAlias)],
    ),
    allow('TablesEncryptWithAwsDynamodbKey', ['kms:DescribeKey', 'kms:CreateGrant'], '*', {
      StringLike: { 'kms:ViaService': 'dynamodb.*.amazonaws.com' },
    }),
    // The cold store's (coldStore=on, deploy/coldStore.cjs): its buckets (names CloudFormation makes
    // from the stack's and the logical id), Glue database and tables, Athena workgroup, Firehose stream.
    allow('ColdStoreBuckets', 's3:*', [
      join('arn:', partition, `:s3:::${p}-coldstore*`),
      join('arn:', partition, `:s3:::${p}-coldstore*/*`),
    ]),
    allow('ColdStoreCatalog', 'glue:*', [
      arn('glue', 'catalog'),
      arn('glue', `database/${cold.database}`),
      arn('glue', `table/${cold.database}/*`),
    ]),
    allow('ColdStoreWorkgroup', 'athena:*', [arn('athena', `workgroup/${cold.workgroup}`)]),
    allow('ColdStoreDelivery', 'firehose:*', [arn('firehose', `deliverystream/${cold.deliveryStream}`)]),
    allow('ColdStoreDeliveryLogs', 'logs:*', [
      arn('logs', `log-group:/aws/kinesisfirehose/${cold.deliveryStream}`),
      arn('logs', `log-group:/aws/kinesisfirehose/${cold.deliveryStream}:*`),
    ]),
    allow('PassTheDeliveryRoleToFirehose', 'iam:PassRole', [arn('iam', `role/${cold.deliveryRole}`, '')], {
      StringEquals: { 'iam:PassedToService': 'firehose.amazonaws.com' },
    }),
    // osls's deployment bucket is a resource of the stack.
    allow('DeploymentBucket', 's3:*', [
      join('arn:', partition, `:s3:::${p}-serverlessdeploymentbucket-*`),
      join('arn:', partition, `:s3:::${p}-serverlessdeploymentbucket-*/*`),
    ]),
  ];
}

/**
 * The bootstrap template of a stage whose store is in `storeRegion`: the execution role, and (for a
 * store outside us-east-1, created only where this stack is deployed in us-east-1) the forwarding of
 * IAM's calls on the store's roles to the store's default bus.
 */
function bootstrapTemplate({ service, stage, storeRegion }) {
  const names = deployNames({ service, stage });
  const forward = storeRegion !== 'us-east-1';
  const roles = [...Object.values(names.roles), names.deploymentRole];
  const storeBus = arn('events', 'event-bus/default', storeRegion);
  const Resources = {
    DeploymentRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: names.deploymentRole,
        Path: '/',
        Description: `CloudFormation execution role of the ECS event store stack ${names.prefix} (deploymentRoleArn)`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'cloudformation.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': account } },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'deploy-the-store',
            PolicyDocument: { Version: '2012-10-17', Statement: deploymentStatements(names) },
          },
        ],
      },
    },
  };
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Bootstrap of the ECS event store ${names.prefix} (ecs-events bootstrap): its deployment role${forward ? `, and IAM calls on its roles forwarded from us-east-1 to ${storeRegion}` : ''}`,
    Resources,
    Outputs: {
      DeploymentRoleArn: {
        Description: 'deploymentRoleArn of the store stack (--param="deploymentRoleArn=...")',
        Value: { 'Fn::GetAtt': ['DeploymentRole', 'Arn'] },
      },
    },
  };
  if (forward) {
    template.Conditions = { InUsEast1: { 'Fn::Equals': [region, 'us-east-1'] } };
    Resources.IamCallsForwarderRole = {
      Type: 'AWS::IAM::Role',
      Condition: 'InUsEast1',
      Properties: {
        Description: `Forwards IAM calls on the roles of ${names.prefix} to the default bus of ${storeRegion}`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': account } },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'put-events-on-the-store-bus',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: storeBus }],
            },
          },
        ],
      },
    };
    Resources.IamCallsForwarder = {
      Type: 'AWS::Events::Rule',
      Condition: 'InUsEast1',
      Properties: {
        Name: names.iamForwardRule,
        Description: `IAM calls on the roles of ${names.prefix} to the store's default bus in ${storeRegion} (StoreChanged)`,
        EventBusName: 'default',
        State: 'ENABLED',
        EventPattern: {
          source: ['aws.iam'],
          'detail-type': [CALL_DETAIL_TYPE],
          detail: { requestParameters: { roleName: roles } },
        },
        Targets: [
          {
            Id: 'StoreDefaultBus',
            Arn: storeBus,
            RoleArn: { 'Fn::GetAtt': ['IamCallsForwarderRole', 'Arn'] },
          },
        ],
      },
    };
  }
  return template;
}

/**
 * The organization SCP (attach it to the store account's OU or the account): what no resource policy
 * can deny. The control plane of the log, the tamper queue, the functions, the rules, the alarms, the
 * alarm topic and its key to the deployment role only (the account root included: an SCP binds a
 * member account's root, and DynamoDB lets the root delete a table's policy whatever it says); the
 * store's roles changed only by the deployment role, the deployment role by nobody in the account (its
 * bootstrap stack is updated from the management account, which no SCP binds, or with the SCP
 * detached); the function roles assumed by Lambda only, and their credentials append to the log only
 * from their own function (`lambda:SourceFunctionArn`, which SCPs and identity policies see, resource
 * policies do not).
 */
function storeScp({ service, stage }) {
  const names = deployNames({ service, stage });
  const p = names.prefix;
  const deployer = `arn:*:iam::*:role/${names.deploymentRole}`;
  const notTheDeployer = { ArnNotLike: { 'aws:PrincipalArn': deployer } };
  const logTable = `arn:*:dynamodb:*:*:table/${names.tables.eventLog}`;
  const fnRoles = ['ingest', 'projector', 'reconciler'].map((fn) => `arn:*:iam::*:role/${names.roles[fn]}`);
  const cold = coldStoreSettings({ coldStore: 'on' }, names).coldStore;
  const coldRoles = [cold.archiverRole, cold.deliveryRole].map((role) => `arn:*:iam::*:role/${role}`);
  const roleChanges = [
    'iam:CreateRole',
    'iam:DeleteRole',
    'iam:UpdateRole',
    'iam:UpdateAssumeRolePolicy',
    'iam:PutRolePolicy',
    'iam:DeleteRolePolicy',
    'iam:AttachRolePolicy',
    'iam:DetachRolePolicy',
    'iam:PutRolePermissionsBoundary',
    'iam:DeleteRolePermissionsBoundary',
  ];
  return {
    Version: '2012-10-17',
    Statement: [
      deny('LogControlPlane', [...LOG_CONTROL_PLANE], logTable, notTheDeployer),
      deny(
        'TamperQueueControlPlane',
        [...TAMPER_QUEUE_CONTROL_PLANE],
        `arn:*:sqs:*:*:${names.queues.logTampered}`,
        notTheDeployer,
      ),
      deny(
        'DetectionPath',
        [
          'lambda:Update*',
          'lambda:Delete*',
          'lambda:Put*',
          'lambda:RemovePermission',
          'events:DisableRule',
          'events:DeleteRule',
          'events:PutRule',
          'events:RemoveTargets',
          'events:PutTargets',
          'cloudwatch:DeleteAlarms',
          'cloudwatch:DisableAlarmActions',
          'cloudwatch:PutMetricAlarm',
          'sns:DeleteTopic',
          'sns:SetTopicAttributes',
          'sns:RemovePermission',
        ],
        [
          `arn:*:lambda:*:*:function:${p}-*`,
          `arn:*:events:*:*:rule/${p}-*`,
          `arn:*:events:*:*:rule/${p}/*`,
          `arn:*:cloudwatch:*:*:alarm:${p}-*`,
          `arn:*:sns:*:*:${names.alarmTopic}`,
        ],
        notTheDeployer,
      ),
      // The cold store's history bucket (coldStore): the root can always delete a bucket's policy too.
      deny(
        'ColdStoreBucket',
        ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutLifecycleConfiguration', 's3:PutBucketVersioning'],
        `arn:*:s3:::${p}-coldstore*`,
        notTheDeployer,
      ),
      deny('ProjectorMapping', ['lambda:UpdateEventSourceMapping', 'lambda:DeleteEventSourceMapping'], '*', {
        ...notTheDeployer,
        ArnLike: { 'lambda:FunctionArn': `arn:*:lambda:*:*:function:${names.functions.projector}` },
      }),
      deny('AlarmKey', ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy'], '*', {
        ...notTheDeployer,
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': names.alarmTopicKeyAlias },
      }),
      deny('StoreRoles', roleChanges, [...fnRoles, ...coldRoles], notTheDeployer),
      deny('DeploymentRole', roleChanges, `arn:*:iam::*:role/${names.deploymentRole}`),
      // Lambda (a service principal, which no SCP binds) assumes the function roles, CloudFormation the deployer.
      deny('NobodyAssumesTheStoreRoles', 'sts:AssumeRole', [...fnRoles, deployer]),
      // Only the log's writes: Lambda's own calls with the role outside the function (the stream
      // mapping's reads, the on-failure destinations) carry no lambda:SourceFunctionArn. One statement
      // for the three (an SCP holds 5,120 characters): a role's credentials append only from inside
      // one of the store's functions, whose code only the deployment role may change (DetectionPath).
      deny('AppendOnlyFromTheFunctions', 'dynamodb:PutItem', logTable, {
        ArnLike: { 'aws:PrincipalArn': fnRoles },
        ArnNotLike: { 'lambda:SourceFunctionArn': `arn:*:lambda:*:*:function:${p}-*` },
      }),
    ],
  };
}

module.exports = { bootstrapTemplate, deploymentStatements, storeScp };
