// Self-audit, on a path the attack cannot cut: rules on the store account's default bus that match
// the CloudTrail calls changing the store itself (its tables, functions, rules, queues, alarms, roles,
// alarm topic and key), one rule a service (an event pattern holds 2,048 characters), each targeting
// the alarm topic directly, and the StoreChanged alarm on the sum of their TriggeredRules. None goes
// through the ingest rule or function, so disabling that rule or zeroing that function's concurrency
// still alarms. IAM's calls reach EventBridge only in us-east-1: the bootstrap stack forwards them
// from there to this bus (deploy/bootstrap.cjs).
//
// A copy of each call also goes to the log (kind storeCall, domain/kinds.ts): a second rule per
// service with the same match but no exclusion of the deployer (the store's history holds its
// deploys too), targeting the ingest function. A rule of its own, not a second target of the alarm
// rule: the alarm rule excludes the deployer, and a call that cuts the log path (DisableRule or
// RemoveTargets on a log rule, RemovePermission or PutFunctionConcurrency 0 on ingest) names a store
// resource, so the alarm rules still see it.
'use strict';

const { alarmCommon } = require('./alarms.cjs');
const { getAtt, ref } = require('./intrinsics.cjs');
const { LOGICAL_IDS } = require('./logicalIds.cjs');
const { coldStoreSettings } = require('./coldStore.cjs');
const { FUNCTIONS, SELF_AUDITED_SERVICES } = require('./names.cjs');
const { CALL_DETAIL_TYPE } = require('../domain/apiCalls/actions.cjs');

const CLOUDFORMATION = 'cloudformation.amazonaws.com';

/**
 * Which calls of each service are the store's: a `requestParameters` field naming one of its
 * resources (each service names them its own way), or for Lambda a response naming one of its
 * functions (an event source mapping's calls name it by UUID only). Each: a list of alternatives.
 */
function ownResources(settings) {
  const n = settings.names;
  // The cold store's (coldStore=on), by its names: matching a function or bucket that is not there is harmless.
  const cold = coldStoreSettings({ coldStore: 'on' }, n).coldStore;
  const functions = [...FUNCTIONS.map((fn) => n.functions[fn]), cold.archiverFunction];
  const rules = [n.ingestRule, n.reconcileRule, ...Object.values(n.selfAuditRules), ...Object.values(n.storeCallRules)];
  // The deployment role by the name its ARN gives (the bootstrap stack's is `<prefix>-deployer`).
  const deployer = settings.deploymentRoleArn.split('/').pop();
  const roles = [...Object.values(n.roles), cold.archiverRole, cold.deliveryRole, ...(deployer ? [deployer] : [])];
  const params = (field, values) => ({ requestParameters: { [field]: values } });
  const ofFunctions = functions.map((f) => ({ suffix: `:function:${f}` }));
  const alarmsOfTheStage = [{ prefix: `${n.prefix}-` }];
  const topic = settings.createAlarmTopic ? n.alarmTopic : settings.alarmTopicArn.split(':').pop();
  const key = LOGICAL_IDS.alarmTopic.key;
  return {
    dynamodb: [
      params('tableName', Object.values(n.tables)),
      params('resourceArn', [
        { suffix: `:table/${n.tables.eventLog}` },
        { wildcard: `*:table/${n.tables.eventLog}/*` },
      ]),
      // ExportTableToPointInTime names its table by ARN.
      params('tableArn', [{ suffix: `:table/${n.tables.eventLog}` }]),
    ],
    lambda: [
      params('functionName', [...functions, ...ofFunctions]),
      params('uUID', [ref(LOGICAL_IDS.projectorStreamMapping)]),
      { responseElements: { functionArn: ofFunctions } },
    ],
    events: [params('name', rules), params('rule', rules)],
    sqs: [
      params(
        'queueUrl',
        Object.values(n.queues).map((q) => ({ suffix: `/${q}` })),
      ),
    ],
    cloudwatch: [params('alarmName', alarmsOfTheStage), params('alarmNames', alarmsOfTheStage)],
    iam: [params('roleName', roles)],
    sns: [params('topicArn', [{ suffix: `:${topic}` }]), params('subscriptionArn', [{ wildcard: `*:${topic}:*` }])],
    kms: settings.createAlarmTopic ? [params('keyId', [ref(key), getAtt(key)])] : [],
    // The cold store's buckets (names CloudFormation makes from the stack's): their policy, versioning, lifecycle.
    s3: [params('bucketName', [{ prefix: `${n.prefix}-coldstore` }])],
  };
}

/**
 * Who is not alarmed on: the deployment role acting through CloudFormation (the stack's own
 * updates). Without a deployment role every change alarms, the stack's own deploys included.
 */
function notTheDeployment(settings) {
  if (!settings.deploymentRoleArn) return {};
  return {
    userIdentity: {
      $or: [
        { invokedBy: [{ 'anything-but': CLOUDFORMATION }] },
        { invokedBy: [{ exists: false }] },
        { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': settings.deploymentRoleArn }] } } },
      ],
    },
  };
}

/**
 * Each service's pattern: a CloudTrail call of it, on one of the store's resources, not the
 * deployment's (`logged`: the deployment's included, the log rules' pattern).
 */
function selfAuditPatterns(settings, { logged = false } = {}) {
  const own = ownResources(settings);
  const patterns = {};
  for (const service of SELF_AUDITED_SERVICES) {
    const alternatives = own[service];
    if (alternatives.length === 0) continue;
    patterns[service] = {
      source: [`aws.${service}`],
      'detail-type': [CALL_DETAIL_TYPE],
      detail: {
        ...(alternatives.length === 1 ? alternatives[0] : { $or: alternatives }),
        ...(logged ? {} : notTheDeployment(settings)),
      },
    };
  }
  return patterns;
}

function selfAuditResources(settings) {
  const topic = settings.alarmActions[0];
  const ids = LOGICAL_IDS.selfAudit;
  const patterns = selfAuditPatterns(settings);
  const services = Object.keys(patterns);
  const rule = (service) => ({
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: settings.names.selfAuditRules[service],
      Description: `A call of ${service} changing the ECS event store's own resources (CloudTrail), to its alarm topic`,
      EventBusName: 'default',
      State: 'ENABLED',
      EventPattern: patterns[service],
      Targets: [{ Id: 'AlarmTopic', Arn: topic }],
    },
  });
  const triggered = (service, i) => ({
    Id: `rule${i}`,
    ReturnData: false,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/Events',
        MetricName: 'TriggeredRules',
        Dimensions: [{ Name: 'RuleName', Value: settings.names.selfAuditRules[service] }],
      },
      Period: 300,
      Stat: 'Sum',
    },
  });
  const alarm = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${settings.names.prefix}-store-changed`,
      AlarmDescription:
        'A call changed the ECS event store\'s own resources (tables, functions, rules, queues, alarms, roles, alarm topic), not the deployment role through CloudFormation; the call itself went to the alarm topic. Runbook - docs/operations.md "Store changed".',
      EvaluationPeriods: 1,
      Threshold: 0,
      Metrics: [
        ...services.map(triggered),
        {
          Id: 'changes',
          Label: 'Calls changing the store',
          Expression: `SUM([${services.map((_, i) => `rule${i}`).join(', ')}])`,
          ReturnData: true,
        },
      ],
      ...alarmCommon(settings),
    },
  };
  const logged = selfAuditPatterns(settings, { logged: true });
  const ingest = LOGICAL_IDS.functions.ingest;
  const logRule = (service) => ({
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: settings.names.storeCallRules[service],
      Description: `A call of ${service} changing the ECS event store's own resources (CloudTrail), to its log (the store's history)`,
      EventBusName: 'default',
      State: 'ENABLED',
      EventPattern: logged[service],
      Targets: [
        {
          Id: 'Ingest',
          Arn: getAtt(ingest),
          // As the ingest rule's: EventBridge retries failed deliveries for a day, then dead-letters them.
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: getAtt(LOGICAL_IDS.queues.ingestRuleDeadLetters) },
        },
      ],
    },
  });
  // The function by name (not its ARN): the ingest rule's own permission is the one that names its ARN.
  const permission = (service) => ({
    Type: 'AWS::Lambda::Permission',
    Properties: {
      FunctionName: ref(ingest),
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(ids.logRules[service]),
    },
  });
  return {
    ...Object.fromEntries(services.map((service) => [ids.rules[service], rule(service)])),
    ...Object.fromEntries(services.map((service) => [ids.logRules[service], logRule(service)])),
    ...Object.fromEntries(services.map((service) => [logPermissionId(service), permission(service)])),
    [ids.alarm]: alarm,
  };
}

/** The invoke permission of a service's log rule: `StoreChanged<Service>LogPermission`. */
const logPermissionId = (service) => LOGICAL_IDS.selfAudit.logRules[service].replace(/Rule$/, 'Permission');

module.exports = { selfAuditPatterns, selfAuditResources, logPermissionId };
