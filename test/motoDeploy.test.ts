// `osls deploy` of the real package to moto_server on loopback (CloudFormation, S3, DynamoDB, Lambda,
// SQS, EventBridge, IAM: AWS_ENDPOINT_URL, which osls honours), then what the stack created. moto
// 5.2.1 is not patched. Two things of the shipped template it cannot take are set aside, each named
// (docs/deploy.md "Deploying to moto_server"): the event archive (moto's AWS::Events::Archive fails
// on an EventPattern given as an object, which CloudFormation accepts) is left out with the
// deploy's own parameter, and the always-true/always-false routing conditions are written so that
// cfn-lint cannot fold them (moto's ValidateTemplate refuses any cfn-lint finding, warnings included,
// and W8003 flags `Fn::Equals ['false', 'true']`). Same truth values, same resources. And moto's
// CloudFormation has no AWS::IAM::RolePolicy (it skips the type, so the roles would get no policy):
// each is deployed as the AWS::IAM::Policy moto has, same logical id, name and document, attached to
// the same role (`Roles: [<RoleName>]`), so a missing role or a wrong RoleName still fails the stack.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { LambdaClient, ListEventSourceMappingsCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ListQueuesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, motoServerOrSkip, startMotoServer } from './support/motoServer.js';

const moto = motoServerOrSkip('osls deploy to moto_server');
const root = resolve(import.meta.dirname, '..');
const stage = 'motodeploy';
const work = mkdtempSync(join(tmpdir(), 'ecs-events-moto-deploy-'));
const pkg = join(work, 'package');

type Json = any;

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ status: number | null; output: string }>((done, fail) => {
    const child = spawn(command, args, { cwd: root, env });
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    child.on('error', fail);
    child.on('close', (status) => done({ status, output }));
  });
}

/** `Fn::Equals` of two constants, as a condition cfn-lint cannot evaluate: the same truth value. */
const opaque = (condition: Json): Json => {
  const [a, b] = condition['Fn::Equals'] ?? [];
  if (typeof a !== 'string' || typeof b !== 'string') return condition;
  return { 'Fn::Equals': [{ Ref: 'AWS::Partition' }, a === b ? { Ref: 'AWS::Partition' } : 'no-such-partition'] };
};

const DEPLOYER = `arn:aws:iam::123456789012:role/ecs-event-store-${stage}-deployer`;

let server: MotoServer | undefined;
let deploy: { status: number | null; output: string };
const clients = () => {
  const config = {
    endpoint: server?.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
  };
  return {
    cfn: new CloudFormationClient(config),
    dynamo: new DynamoDBClient(config),
    lambda: new LambdaClient(config),
    sqs: new SQSClient(config),
  };
};

describe.skipIf(moto.skip)('osls deploy to moto_server', () => {
  beforeAll(async () => {
    server = await startMotoServer();
    const packaged = await run(
      process.execPath,
      [
        'scripts/package.mjs',
        '--out',
        pkg,
        '--',
        '--stage',
        stage,
        '--param=eventArchiveRetentionDays=off',
        // osls then deploys with RoleARN (provider.iam.deploymentRole), which moto takes as given.
        `--param=deploymentRoleArn=${DEPLOYER}`,
      ],
      process.env,
    );
    expect(packaged.status, packaged.output).toBe(0);
    // The two set-asides above, in the files osls deploys from.
    const statePath = join(pkg, 'serverless-state.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    const compiled = state.service.provider.compiledCloudFormationTemplate;
    for (const [name, condition] of Object.entries(compiled.Conditions ?? {}))
      compiled.Conditions[name] = opaque(condition);
    for (const resource of Object.values<Json>(compiled.Resources)) {
      if (resource.Type !== 'AWS::IAM::RolePolicy') continue;
      const { RoleName, ...rest } = resource.Properties;
      resource.Type = 'AWS::IAM::Policy';
      resource.Properties = { ...rest, Roles: [RoleName] };
    }
    // osls packs in the service's own .serverless/ and moves the zips: point the state at where they are.
    for (const [name, fn] of Object.entries<Json>(state.service.functions))
      fn.package.artifact = join(pkg, `${name}.zip`);
    writeFileSync(statePath, JSON.stringify(state));
    writeFileSync(join(pkg, 'cloudformation-template-update-stack.json'), JSON.stringify(compiled));

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ENDPOINT_URL: server.endpoint,
      AWS_ACCESS_KEY_ID: 'moto',
      AWS_SECRET_ACCESS_KEY: 'moto',
      AWS_REGION: 'us-east-1',
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    };
    for (const name of Object.keys(env)) if (/^AWS_ENDPOINT_URL_/.test(name)) delete env[name];
    const osls = join(root, 'node_modules', '.bin', 'osls');
    deploy = await run(osls, ['deploy', '--stage', stage, '--region', 'us-east-1', '--package', pkg], env);
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('deploys the stack', () => {
    expect(deploy.status, deploy.output.slice(-3000)).toBe(0);
    expect(deploy.output).toContain(`Service deployed to stack ecs-event-store-${stage}`);
  });

  it('created every resource of the template', async () => {
    const { cfn } = clients();
    try {
      const template = JSON.parse(readFileSync(join(pkg, 'cloudformation-template-update-stack.json'), 'utf8'));
      const expected = Object.entries<Json>(template.Resources)
        .filter(([, r]) => r.Condition === undefined)
        .map(([id]) => id)
        .sort();
      const { StackResourceSummaries = [] } = await cfn.send(
        new ListStackResourcesCommand({ StackName: `ecs-event-store-${stage}` }),
      );
      const created = StackResourceSummaries.filter((r) => r.ResourceStatus === 'CREATE_COMPLETE');
      // moto leaves some logical ids blank (log groups, alarms); the named ones must all be there.
      const named = created.map((r) => r.LogicalResourceId).filter((id): id is string => Boolean(id));
      for (const id of [
        'EventLogTable',
        'TaskStateTable',
        'InstanceStateTable',
        'IngestFailureQueue',
        'IngestRuleDeadLetterQueue',
        'ProjectorFailureQueue',
        'LogTamperQueue',
        'IngestRole',
        'ProjectorRole',
        // The roles' policies (as AWS::IAM::Policy, above): created only if their role is there.
        'IngestRolePolicy',
        'ProjectorRolePolicy',
        'ProjectorStreamReadPolicy',
        'ReconcilerRolePolicy',
        'ProjectorEventSourceMappingDynamodbEventLogTable',
        'AlarmTopic',
        'AlarmTopicKey',
        'StoreChangedDynamodbRule',
      ]) {
        expect(named, id).toContain(id);
      }
      expect(StackResourceSummaries.filter((r) => r.ResourceStatus !== 'CREATE_COMPLETE')).toEqual([]);
      expect(created.length).toBeGreaterThanOrEqual(expected.length);
    } finally {
      cfn.destroy();
    }
  });

  it('created the self-audit rules on the default bus, each targeting the alarm topic', async () => {
    const events = new EventBridgeClient({
      endpoint: server?.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
    });
    try {
      const { Rules = [] } = await events.send(
        new ListRulesCommand({ NamePrefix: `ecs-event-store-${stage}-store-changed-`, EventBusName: 'default' }),
      );
      expect(Rules.map((r) => r.Name?.split('-').at(-1)).sort()).toEqual([
        'cloudwatch',
        'dynamodb',
        'events',
        'iam',
        'kms',
        'lambda',
        's3',
        'sns',
        'sqs',
      ]);
      for (const rule of Rules) {
        const { Targets = [] } = await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name }));
        expect(Targets.map((t) => t.Arn)).toEqual([
          `arn:aws:sns:us-east-1:123456789012:ecs-event-store-${stage}-alarms`,
        ]);
      }
    } finally {
      events.destroy();
    }
  });

  it("matches the calls that change the store, not the deployment role's through CloudFormation, nor others' resources", async () => {
    // moto runs the rules' patterns ($or, suffix, anything-but, exists) on what is put on the bus;
    // a probe queue in place of the topic shows which calls each rule took. (moto's matcher, not
    // EventBridge's: the same operators, checked here on the shapes CloudTrail gives these calls.)
    const events = new EventBridgeClient({
      endpoint: server?.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
    });
    const { sqs } = clients();
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${stage}-probe` }));
      const probe = `arn:aws:sqs:us-east-1:123456789012:${stage}-probe`;
      const { Rules = [] } = await events.send(
        new ListRulesCommand({ NamePrefix: `ecs-event-store-${stage}-store-changed-`, EventBusName: 'default' }),
      );
      // moto runs every rule of the bus on each event, a schedule rule (no pattern) matching them all,
      // and delivers to no Lambda target (a 500 on PutEvents): the other rules' targets are taken off.
      const { Rules: all = [] } = await events.send(new ListRulesCommand({ EventBusName: 'default' }));
      for (const other of all.filter((r) => !Rules.some((own) => own.Name === r.Name))) {
        const { Targets = [] } = await events.send(new ListTargetsByRuleCommand({ Rule: other.Name }));
        const Ids = Targets.map((t) => t.Id).filter((id): id is string => Boolean(id));
        if (Ids.length > 0) await events.send(new RemoveTargetsCommand({ Rule: other.Name, Ids }));
      }
      for (const rule of Rules) {
        // moto delivers to no SNS target (its send_to_targets raises NotImplementedError, a 500 on
        // PutEvents): the probe queue stands in for the topic, as the rules' one target.
        await events.send(new RemoveTargetsCommand({ Rule: rule.Name, Ids: ['AlarmTopic'] }));
        await events.send(new PutTargetsCommand({ Rule: rule.Name, Targets: [{ Id: 'probe', Arn: probe }] }));
      }
      const admin = { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice' };
      const deployer = {
        type: 'AssumedRole',
        invokedBy: 'cloudformation.amazonaws.com',
        sessionContext: { sessionIssuer: { type: 'Role', arn: DEPLOYER } },
      };
      const call = (id: string, service: string, eventName: string, requestParameters: Json, who: Json = admin) => ({
        Source: `aws.${service}`,
        DetailType: 'AWS API Call via CloudTrail',
        Detail: JSON.stringify({
          eventSource: `${service}.amazonaws.com`,
          eventName,
          requestParameters,
          userIdentity: who,
          probeId: id,
        }),
      });
      const p = `ecs-event-store-${stage}`;
      const calls = [
        call('disable-ingest-rule', 'events', 'DisableRule', { name: `${p}-ecs-events` }),
        call('zero-ingest', 'lambda', 'PutFunctionConcurrency20171031', {
          functionName: `${p}-ingest`,
          reservedConcurrentExecutions: 0,
        }),
        call('stream-off', 'dynamodb', 'UpdateTable', {
          tableName: `ECSEventLog-${stage}`,
          streamSpecification: { streamEnabled: false },
        }),
        call('lift-lock', 'dynamodb', 'DeleteResourcePolicy', {
          resourceArn: `arn:aws:dynamodb:us-east-1:123456789012:table/ECSEventLog-${stage}`,
        }),
        call('purge-tamper-queue', 'sqs', 'PurgeQueue', {
          queueUrl: `https://sqs.us-east-1.amazonaws.com/123456789012/${p}-log-tampered`,
        }),
        call('delete-alarm', 'cloudwatch', 'DeleteAlarms', { alarmNames: [`${p}-log-tampered`] }),
        call('edit-trust', 'iam', 'UpdateAssumeRolePolicy', { roleName: `${p}-ingest` }),
        call('cold-store-policy', 's3', 'DeleteBucketPolicy', { bucketName: `${p}-coldstoredatabucket-1a2b3c4d5e6f` }),
        // Not alarmed: the stack's own update, and other resources.
        call('deploy', 'dynamodb', 'UpdateTable', { tableName: `ECSEventLog-${stage}` }, deployer),
        call('other-table', 'dynamodb', 'UpdateTable', { tableName: 'SomeoneElsesTable' }),
        call('other-rule', 'events', 'DisableRule', { name: 'someone-elses-rule' }),
      ];
      await events.send(new PutEventsCommand({ Entries: calls.slice(0, 5) }));
      await events.send(new PutEventsCommand({ Entries: calls.slice(5) }));
      const seen = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        for (const m of Messages) seen.add(JSON.parse(m.Body ?? '{}').detail?.probeId);
      }
      expect([...seen].sort()).toEqual([
        'cold-store-policy',
        'delete-alarm',
        'disable-ingest-rule',
        'edit-trust',
        'lift-lock',
        'purge-tamper-queue',
        'stream-off',
        'zero-ingest',
      ]);
    } finally {
      events.destroy();
      sqs.destroy();
    }
  });

  it('created the log with old images on its stream, the queues, the functions on their fixed roles, the mapping', async () => {
    const { dynamo, lambda, sqs } = clients();
    try {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: `ECSEventLog-${stage}` }));
      expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
      expect(Table?.DeletionProtectionEnabled).toBe(true);
      const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: `ecs-event-store-${stage}` }));
      expect(QueueUrls.map((u) => u.split('/').at(-1)).sort()).toEqual(
        ['ingest-failures', 'ingest-rule-dlq', 'log-tampered', 'projector-failures'].map(
          (q) => `ecs-event-store-${stage}-${q}`,
        ),
      );
      const { Functions = [] } = await lambda.send(new ListFunctionsCommand({}));
      const roles = Object.fromEntries(
        Functions.filter((f) => f.FunctionName?.startsWith(`ecs-event-store-${stage}-`)).map((f) => [
          f.FunctionName,
          f.Role,
        ]),
      );
      // The roles the log's resource policy names by constructed ARN are the functions' real roles.
      for (const name of ['ingest', 'projector']) {
        expect(roles[`ecs-event-store-${stage}-${name}`]).toBe(
          `arn:aws:iam::123456789012:role/ecs-event-store-${stage}-${name}`,
        );
      }
      const { EventSourceMappings = [] } = await lambda.send(new ListEventSourceMappingsCommand({}));
      const mapping = EventSourceMappings.find((m) =>
        m.FunctionArn?.endsWith(`:function:ecs-event-store-${stage}-projector`),
      );
      expect(mapping?.EventSourceArn).toBe(Table?.LatestStreamArn);
      expect(mapping?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    } finally {
      dynamo.destroy();
      lambda.destroy();
      sqs.destroy();
    }
  });
});
