// The four SQS queues (14 days, encrypted with SQS-managed keys: free, and EventBridge can write to
// them, which it cannot with aws/sqs) and the policy of the rule's dead-letter queue.
'use strict';

const { LOGICAL_IDS } = require('./logicalIds.cjs');
const { getAtt, ref, stackArn } = require('./intrinsics.cjs');

/**
 * Which queues outlive the stack: those that can hold the only copy of an event (parked,
 * dead-lettered, or the old image of a tampered log item) are kept by `remove` and by a replacing
 * change (docs/deploy.md). The projector's holds pointers only (shard and sequence range, never
 * events: the log has the events, and `verify --repair` needs no pointer): deleted with the stack.
 */
const KEEPS_EVENTS = { ingestFailures: true, ingestRuleDeadLetters: true, projectorFailures: false, logTampered: true };

const FOURTEEN_DAYS = 1_209_600;

/**
 * What can empty the tamper queue (the only copy of old images) or change who reads it: with
 * `deploymentRoleArn` set, its policy denies these to every principal but that role.
 */
const TAMPER_QUEUE_CONTROL_PLANE = Object.freeze([
  'sqs:PurgeQueue',
  'sqs:DeleteQueue',
  'sqs:SetQueueAttributes',
  'sqs:AddPermission',
  'sqs:RemovePermission',
]);

/** The tamper queue's policy (only with a deployment role): its control plane is that role's alone. */
function tamperQueuePolicy(settings) {
  const queue = LOGICAL_IDS.queues.logTampered;
  return {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [ref(queue)],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ControlPlaneOnlyByTheDeploymentRole',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: [...TAMPER_QUEUE_CONTROL_PLANE],
            Resource: getAtt(queue),
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': settings.deploymentRoleArn } },
          },
        ],
      },
    },
  };
}

function queueResources(settings) {
  const queue = (key) => ({
    Type: 'AWS::SQS::Queue',
    ...(KEEPS_EVENTS[key] && { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }),
    Properties: {
      QueueName: settings.names.queues[key],
      MessageRetentionPeriod: FOURTEEN_DAYS,
      SqsManagedSseEnabled: true,
    },
  });
  const ids = LOGICAL_IDS.queues;
  const deadLetters = ids.ingestRuleDeadLetters;
  return {
    ...Object.fromEntries(Object.keys(KEEPS_EVENTS).map((key) => [ids[key], queue(key)])),
    ...(settings.deploymentRoleArn && { [LOGICAL_IDS.tamperQueuePolicy]: tamperQueuePolicy(settings) }),
    // EventBridge's dead letters of the rules that deliver to ingest (the ingest rule, the store-call
    // log rules of deploy/selfAudit.cjs), and only of those.
    [`${deadLetters}Policy`]: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [ref(deadLetters)],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OnlyTheIngestRulesMayDeadLetter',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: getAtt(deadLetters),
              Condition: {
                ArnEquals: {
                  'aws:SourceArn': [
                    settings.ingestRuleArn,
                    ...Object.values(settings.names.storeCallRules).map((name) => stackArn('events', `rule/${name}`)),
                  ],
                },
              },
            },
          ],
        },
      },
    },
  };
}

module.exports = { TAMPER_QUEUE_CONTROL_PLANE, queueResources };
