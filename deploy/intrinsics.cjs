// CloudFormation intrinsics the renderers share. ARNs are Fn::Join, never Fn::Sub: Serverless would
// read `${AWS::Region}` as a variable of its own.
'use strict';

const ref = (logicalId) => ({ Ref: logicalId });
const getAtt = (logicalId, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });

/** `arn:<partition>:<service>:<region>:<account>:<resource>` of this stack's account and region. */
const stackArn = (service, resource) => ({
  'Fn::Join': [':', ['arn', ref('AWS::Partition'), service, ref('AWS::Region'), ref('AWS::AccountId'), resource]],
});

/**
 * `arn:<partition>:iam::<account>:role/<name>`, constructed from a fixed name: no dependency on the
 * role resource (the log's resource policy needs that, docs/deploy.md).
 */
const roleArn = (name) => ({
  'Fn::Join': ['', ['arn:', ref('AWS::Partition'), ':iam::', ref('AWS::AccountId'), `:role/${name}`]],
});

/** `arn:<partition>:iam::<account>:root` of another account. */
const accountRootArn = (accountId) => ({
  'Fn::Join': ['', ['arn:', ref('AWS::Partition'), `:iam::${accountId}:root`]],
});

/** IAM policy statements (the roles, the bootstrap's deployer and SCP, the cold store's roles). */
const statement = (Effect) => (Sid, Action, Resource, Condition) => ({
  Sid,
  Effect,
  Action,
  Resource,
  ...(Condition && { Condition }),
});
const allow = statement('Allow');
const deny = statement('Deny');

module.exports = { ref, getAtt, stackArn, roleArn, accountRootArn, allow, deny };
