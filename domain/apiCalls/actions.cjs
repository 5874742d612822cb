// The ECS API calls the store keeps (CloudTrail records that EventBridge delivers as `AWS API Call via
// CloudTrail`): the write calls that change tasks, services, container instances and clusters, each
// with the type of resource it acts on, which decides the log partitions it is filed under
// (domain/apiCalls/resources.ts). The one list: the EventBridge pattern of the ingest rule, the
// archive and the member forwarders (deploy/routing.cjs) is derived from it, so a call added here is
// routed, archived and forwarded with no other change. CommonJS because the deploy model is loaded by
// Serverless' ${file()}, which cannot load TypeScript or ESM.
'use strict';

const CALL_ACTIONS = Object.freeze({
  RunTask: 'task',
  StartTask: 'task',
  StopTask: 'task',
  ExecuteCommand: 'task',
  CreateService: 'service',
  UpdateService: 'service',
  DeleteService: 'service',
  CreateTaskSet: 'service',
  UpdateTaskSet: 'service',
  DeleteTaskSet: 'service',
  UpdateServicePrimaryTaskSet: 'service',
  UpdateContainerInstancesState: 'container-instance',
  DeregisterContainerInstance: 'container-instance',
  PutClusterCapacityProviders: 'cluster',
  UpdateCluster: 'cluster',
  DeleteCluster: 'cluster',
});

/** CloudTrail's `eventSource` of ECS's API. */
const ECS_EVENT_SOURCE = 'ecs.amazonaws.com';

/** The EventBridge detail-type of a CloudTrail management event. */
const CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * The services whose calls on the store's own resources the self-audit watches (deploy/selfAudit.cjs,
 * one rule each) and the log keeps (kind storeCall, domain/apiCalls/storeCall.ts): the EventBridge
 * source of each and CloudTrail's `eventSource` (CloudWatch's is monitoring.amazonaws.com).
 */
const SELF_AUDITED_SOURCES = Object.freeze({
  'aws.dynamodb': 'dynamodb.amazonaws.com',
  'aws.lambda': 'lambda.amazonaws.com',
  'aws.events': 'events.amazonaws.com',
  'aws.sqs': 'sqs.amazonaws.com',
  'aws.cloudwatch': 'monitoring.amazonaws.com',
  'aws.iam': 'iam.amazonaws.com',
  'aws.sns': 'sns.amazonaws.com',
  'aws.kms': 'kms.amazonaws.com',
  'aws.s3': 's3.amazonaws.com',
});

module.exports = { CALL_ACTIONS, ECS_EVENT_SOURCE, CALL_DETAIL_TYPE, SELF_AUDITED_SOURCES };
