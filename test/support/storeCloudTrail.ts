// Hand-written CloudTrail records of calls on the store's own resources, as the self-audit rules
// (deploy/selfAudit.cjs) deliver them from the default bus: the EventBridge envelope `AWS API Call via
// CloudTrail` of the service's source, its `detail` the CloudTrail record in AWS's documented format
// (eventVersion 1.08/1.09, userIdentity of an assumed role, requestParameters as the API's request).
import type { EcsEvent } from '../../domain/eventTypes.js';

export const STORE_ACCOUNT = '111122223333';
export const STORE_REGION = 'eu-west-1';
export const ADMIN_ROLE_ARN = `arn:aws:iam::${STORE_ACCOUNT}:role/Admin`;
export const DEPLOYER_ROLE_ARN = `arn:aws:iam::${STORE_ACCOUNT}:role/ecs-events-prod-deployer`;

const identity = (roleArn: string, session: string, invokedBy?: string) => ({
  type: 'AssumedRole',
  principalId: `AROAEXAMPLEID:${session}`,
  arn: `arn:aws:sts::${STORE_ACCOUNT}:assumed-role/${roleArn.split('/').pop()}/${session}`,
  accountId: STORE_ACCOUNT,
  accessKeyId: 'ASIAEXAMPLEKEY',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAEXAMPLEID',
      arn: roleArn,
      accountId: STORE_ACCOUNT,
      userName: roleArn.split('/').pop(),
    },
    attributes: { creationDate: '2026-11-02T09:58:00Z', mfaAuthenticated: 'false' },
  },
  ...(invokedBy !== undefined && { invokedBy }),
});

function envelope(
  service: string,
  id: string,
  time: string,
  eventName: string,
  request: unknown,
  response: unknown,
  extra: Record<string, unknown> = {},
): EcsEvent {
  const eventSource = `${service === 'cloudwatch' ? 'monitoring' : service}.amazonaws.com`;
  return {
    version: '0',
    id: `e0${id}-1111-2222-3333-444455556666`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${service}` as 'aws.ecs',
    account: STORE_ACCOUNT,
    time,
    region: STORE_REGION,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: identity(ADMIN_ROLE_ARN, 'alice'),
      eventTime: time,
      eventSource,
      eventName,
      awsRegion: STORE_REGION,
      sourceIPAddress: '203.0.113.7',
      userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2',
      requestParameters: request,
      responseElements: response,
      requestID: `REQ${id}`,
      eventID: `${id}aaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`.slice(0, 36),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: STORE_ACCOUNT,
      eventCategory: 'Management',
      tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'x' },
      ...extra,
    },
  };
}

/** The store's own resources in these records (stage `prod`). */
export const STORE_RESOURCES = {
  table: `arn:aws:dynamodb:${STORE_REGION}:${STORE_ACCOUNT}:table/ecs-events-prod-event-log`,
  function: `arn:aws:lambda:${STORE_REGION}:${STORE_ACCOUNT}:function:ecs-events-prod-projector`,
  rule: `arn:aws:events:${STORE_REGION}:${STORE_ACCOUNT}:rule/ecs-events-prod-ingest`,
  role: `arn:aws:iam::${STORE_ACCOUNT}:role/ecs-events-prod-ingest`,
};

/** Calls that lift the lock or blind the detection, and a deploy's own call. */
export function storeCallFixtures(): Record<string, EcsEvent> {
  return {
    // UpdateTable turning the stream off: the projector no longer sees changes.
    'update-table-stream-off': envelope(
      'dynamodb',
      '1',
      '2026-11-02T10:00:00Z',
      'UpdateTable',
      { tableName: 'ecs-events-prod-event-log', streamSpecification: { streamEnabled: false } },
      {
        tableDescription: {
          tableName: 'ecs-events-prod-event-log',
          tableArn: STORE_RESOURCES.table,
          tableStatus: 'UPDATING',
          attributeDefinitions: [{ attributeName: 'arn', attributeType: 'S' }],
        },
      },
    ),
    // DeleteResourcePolicy on the log: the lock itself (it names the table by ARN).
    'delete-resource-policy': envelope(
      'dynamodb',
      '2',
      '2026-11-02T10:01:00Z',
      'DeleteResourcePolicy',
      { resourceArn: STORE_RESOURCES.table },
      { revisionId: '1730541660000' },
    ),
    // PutFunctionConcurrency 0 on the projector: it stops.
    'put-function-concurrency-0': envelope(
      'lambda',
      '3',
      '2026-11-02T10:02:00Z',
      'PutFunctionConcurrency20171031',
      { functionName: 'ecs-events-prod-projector', reservedConcurrentExecutions: 0 },
      { reservedConcurrentExecutions: 0 },
    ),
    // DisableRule on the ingest rule (the ECS events stop).
    'disable-rule': envelope(
      'events',
      '4',
      '2026-11-02T10:03:00Z',
      'DisableRule',
      { name: 'ecs-events-prod-ingest', eventBusName: 'default' },
      null,
    ),
    // An IAM call on a role (forwarded from us-east-1, where IAM's calls reach EventBridge).
    'put-role-policy': envelope(
      'iam',
      '5',
      '2026-11-02T10:04:00Z',
      'PutRolePolicy',
      {
        roleName: 'ecs-events-prod-ingest',
        policyName: 'more',
        policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      },
      null,
      { awsRegion: 'us-east-1' },
    ),
    // The deployment role updating the table through CloudFormation: logged, not alarmed on.
    'deploy-update-table': envelope(
      'dynamodb',
      '6',
      '2026-11-02T11:00:00Z',
      'UpdateTable',
      { tableName: 'ecs-events-prod-event-log', deletionProtectionEnabled: true },
      { tableDescription: { tableArn: STORE_RESOURCES.table } },
      {
        userIdentity: identity(DEPLOYER_ROLE_ARN, 'AWSCloudFormation', 'cloudformation.amazonaws.com'),
        sourceIPAddress: 'cloudformation.amazonaws.com',
        userAgent: 'cloudformation.amazonaws.com',
      },
    ),
  };
}
