// The topic every alarm notifies, and the self-audit rule too: created by the stack unless
// `alarmTopicArn` names one. Encrypted with a customer-managed key, because the AWS-managed key of
// SNS (aws/sns) admits no service principal: CloudWatch and EventBridge could not publish to it.
'use strict';

const { getAtt, ref, stackArn } = require('./intrinsics.cjs');
const { LOGICAL_IDS } = require('./logicalIds.cjs');

/** The services that publish to the topic: CloudWatch (alarms) and EventBridge (the self-audit rule). */
const PUBLISHERS = Object.freeze(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);

const account = ref('AWS::AccountId');

function alarmTopicResources(settings) {
  if (!settings.createAlarmTopic) return {};
  const ids = LOGICAL_IDS.alarmTopic;
  const fromThisAccount = { StringEquals: { 'aws:SourceAccount': account } };
  return {
    [ids.key]: {
      Type: 'AWS::KMS::Key',
      Properties: {
        Description: `ECS event store ${settings.names.prefix} - the alarm topic's key (CloudWatch and EventBridge publish)`,
        EnableKeyRotation: true,
        KeyPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              // Without it the key is unmanageable (AWS's default key policy): IAM policies decide.
              Sid: 'AccountManagesTheKey',
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::Join': ['', ['arn:', ref('AWS::Partition'), ':iam::', account, ':root']] } },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Sid: 'AlarmsAndTheSelfAuditRulePublish',
              Effect: 'Allow',
              Principal: { Service: [...PUBLISHERS] },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
              Condition: fromThisAccount,
            },
          ],
        },
      },
    },
    [ids.keyAlias]: {
      Type: 'AWS::KMS::Alias',
      Properties: { AliasName: settings.names.alarmTopicKeyAlias, TargetKeyId: ref(ids.key) },
    },
    [ids.topic]: {
      Type: 'AWS::SNS::Topic',
      Properties: {
        TopicName: settings.names.alarmTopic,
        DisplayName: `ECS event store ${settings.names.prefix} alarms`,
        KmsMasterKeyId: getAtt(ids.key),
      },
    },
    [ids.policy]: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [ref(ids.topic)],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AlarmsOfThisAccountPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: ref(ids.topic),
              Condition: fromThisAccount,
            },
            {
              Sid: 'TheSelfAuditRulesPublish',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: ref(ids.topic),
              Condition: {
                ArnEquals: {
                  'aws:SourceArn': Object.values(settings.names.selfAuditRules).map((rule) =>
                    stackArn('events', `rule/${rule}`),
                  ),
                },
              },
            },
          ],
        },
      },
    },
  };
}

module.exports = { PUBLISHERS, alarmTopicResources };
