// The deployment, proven without an AWS account: `npm run build` and `npm run package` (osls, offline,
// network denied) into fresh folders, then assertions on the generated CloudFormation template, the
// zips, the bundles themselves (run on DynamoDB Local), and cfn-lint when it is installed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cfn from '../deploy/cloudformation.cjs';
import { DETAIL_TYPE_NAMES } from '../domain/kinds.js';
import model, { type TableKind } from '../infra/tables.cjs';
import type { Pipeline } from '../local/localStack.js';
import { loadSamples } from '../sim/samples.js';
import { scanAll, testPipeline } from './support/pipeline.js';

const root = resolve(import.meta.dirname, '..');
const denyNetwork = join(root, 'test', 'support', 'denyNetwork.cjs');
const KINDS = Object.keys(model.tables) as TableKind[];

// A CloudFormation template is untyped JSON.
type Json = any;
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: unknown;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });
const ref = (logicalId: string) => ({ Ref: logicalId });

/** Runs a script of this repository with node; returns its exit status and output. */
function runScript(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const run = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Runs a command without blocking, so that cfn-lint runs while the other tests do. */
function runAsync(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ status: number | null; stdout: string; output: string }>((done, fail) => {
    const child = spawn(command, args, { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, output: stdout + stderr }));
  });
}

/** `npm run package` with the network denied to osls, into `outDir` (emptied by the script). */
function packageOffline(outDir: string, oslsArgs: string[] = []) {
  const env = { ...process.env, NODE_OPTIONS: `--require ${denyNetwork}` };
  return runAsync(process.execPath, ['scripts/package.mjs', '--out', outDir, '--', ...oslsArgs], env);
}

const readTemplate = (outDir: string): Template =>
  JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));

/** Names of the files in a zip archive, from its central directory. */
function zipEntries(file: string): string[] {
  const buf = readFileSync(file);
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${file} is not a complete zip archive`);
  const count = buf.readUInt16LE(end + 10);
  let offset = buf.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    names.push(buf.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names.sort();
}

/** Every statement of every policy document in the template, with the resource that holds it. */
function policyStatements(template: Template): { holder: string; statement: Json }[] {
  const out: { holder: string; statement: Json }[] = [];
  const add = (holder: string, document: Json) => {
    for (const statement of [document?.Statement ?? []].flat()) out.push({ holder, statement });
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    for (const policy of r.Properties?.Policies ?? []) add(id, policy.PolicyDocument);
    if (r.Properties?.PolicyDocument) add(id, r.Properties.PolicyDocument);
    if (r.Properties?.ResourcePolicy) add(id, r.Properties.ResourcePolicy.PolicyDocument);
  }
  return out;
}

const actionsOf = (statement: Json): string[] => [statement.Action].flat();
const resourcesOf = (statement: Json): unknown[] => [statement.Resource].flat();

const work = mkdtempSync(join(tmpdir(), 'ecs-events-deploy-'));
const defaultOut = join(work, 'default');
const customOut = join(work, 'custom');
const CUSTOM_PARAMS = [
  '--stage',
  'prod',
  '--region',
  'eu-west-1',
  '--param=stateTableSuffix=-v2',
  '--param=stateTtlDays=7',
  '--param=eventLogRetentionDays=400',
  '--param=alarmTopicArn=arn:aws:sns:eu-west-1:123456789012:ops-alerts',
  '--param=iteratorAgeAlarmSeconds=120',
  '--param=lambdaLogRetentionDays=90',
];
let template: Template;
let custom: Template;
let R: Record<string, Resource>;
let badParameter: Awaited<ReturnType<typeof packageOffline>>;

const cfnLintVersion = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const hasCfnLint = cfnLintVersion.status === 0;
if (!hasCfnLint) {
  console.warn('SKIPPED cfn-lint check: `cfn-lint` is not on PATH (pip install cfn-lint); CI has it and runs it.');
}
let cfnLint: ReturnType<typeof runAsync> | undefined;

beforeAll(async () => {
  const build = runScript(['scripts/build.mjs']);
  expect(build.status, build.output).toBe(0);

  // A stale file in the output folder must not survive: every package run starts from nothing.
  mkdirSync(defaultOut, { recursive: true });
  writeFileSync(join(defaultOut, 'stale.json'), '{}');
  // One after the other: osls stages every run in the service's own .serverless/ folder.
  const first = await packageOffline(defaultOut);
  const second = await packageOffline(customOut, CUSTOM_PARAMS);
  const bad = await packageOffline(join(work, 'bad'), ['--param=stateTtlDays=thirty']);
  expect(first.status, first.output).toBe(0);
  expect(second.status, second.output).toBe(0);
  badParameter = bad;
  template = readTemplate(defaultOut);
  custom = readTemplate(customOut);
  R = template.Resources;
  // Started now, awaited by its test: it runs while the other tests do.
  if (hasCfnLint) {
    const files = [defaultOut, customOut].map((dir) => join(dir, 'cloudformation-template-update-stack.json'));
    cfnLint = runAsync('cfn-lint', ['--format', 'json', ...files]);
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('build and package', () => {
  it('packages offline, with no credentials and the network denied, into a fresh folder', () => {
    // The network guard really bites (otherwise "offline" would be vacuous).
    const probe = runScript(['--require', denyNetwork, '-e', "require('node:net').connect(443, 'example.com')"]);
    expect(probe.status).not.toBe(0);
    expect(probe.output).toContain('network access in an offline step: example.com:443');

    expect(existsSync(join(defaultOut, 'stale.json'))).toBe(false);
    expect(existsSync(join(defaultOut, 'cloudformation-template-update-stack.json'))).toBe(true);
  });

  it('hands osls no AWS credentials or profile, whatever the caller has', async () => {
    const script = (await import(pathToFileURL(join(root, 'scripts', 'package.mjs')).href)) as {
      offlineEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
    };
    const env = script.offlineEnv({
      PATH: '/bin',
      AWS_ACCESS_KEY_ID: 'AKIA...',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_PROFILE: 'prod-admin',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.2/creds',
    });
    expect(
      Object.keys(env)
        .filter((k) => k.startsWith('AWS_'))
        .sort(),
    ).toEqual(['AWS_CONFIG_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_SHARED_CREDENTIALS_FILE']);
    expect(existsSync(env.AWS_CONFIG_FILE as string)).toBe(false);
    expect(env.PATH).toBe('/bin');
  });

  it('knows when there is nothing built to package (a fresh clone)', async () => {
    const script = (await import(pathToFileURL(join(root, 'scripts', 'package.mjs')).href)) as {
      missingBundles(dir: string): string[];
    };
    expect(script.missingBundles(work)).toEqual([
      join('dist', 'ingest', 'ingest.mjs'),
      join('dist', 'projector', 'projector.mjs'),
    ]);
    expect(script.missingBundles(root)).toEqual([]);
  });

  it('zips each function alone: its bundle and source map, nothing else', () => {
    for (const name of ['ingest', 'projector']) {
      expect(zipEntries(join(defaultOut, `${name}.zip`))).toEqual([
        `dist/${name}/${name}.mjs`,
        `dist/${name}/${name}.mjs.map`,
      ]);
    }
  });

  it('runs the functions on nodejs22.x arm64 from the built .mjs files, each with its own role', () => {
    const expected = {
      IngestLambdaFunction: { handler: 'dist/ingest/ingest.handler', role: 'IngestRole', timeout: 10 },
      ProjectorLambdaFunction: { handler: 'dist/projector/projector.handler', role: 'ProjectorRole', timeout: 60 },
    };
    const functions = Object.entries(R).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(Object.keys(expected).sort());
    for (const [id, { handler, role, timeout }] of Object.entries(expected)) {
      const p = R[id]?.Properties;
      expect(p).toMatchObject({ Handler: handler, Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: timeout });
      expect(p.Role).toEqual(getAtt(role));
      // The handler file Lambda will load is the bundle in the zip.
      expect(existsSync(join(root, `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`))).toBe(true);
    }
    // No published versions pile up (nothing invokes one), and no shared default role exists.
    expect(Object.values(R).filter((r) => r.Type === 'AWS::Lambda::Version')).toEqual([]);
    expect(R.IamRoleLambdaExecution).toBeUndefined();
  });

  it('configures each function through its environment, per stage', () => {
    const common = {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'ecs-event-store-dev',
      POWERTOOLS_METRICS_NAMESPACE: 'ECSEventStore',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    expect(R.IngestLambdaFunction?.Properties.Environment.Variables).toEqual({
      ...common,
      EVENT_LOG_TABLE: 'ECSEventLog-dev',
      REDACT_OVERRIDE_ENVIRONMENT: 'true',
      LOG_RETENTION_DAYS: '0',
    });
    expect(R.ProjectorLambdaFunction?.Properties.Environment.Variables).toEqual({
      ...common,
      TASK_STATE_TABLE: 'ECSTaskState-dev',
      INSTANCE_STATE_TABLE: 'ECSCtrInstanceState-dev',
      STATE_TTL_DAYS: '30',
    });
    for (const name of ['ingest', 'projector']) {
      const group = Object.values(R).find(
        (r) => r.Properties?.LogGroupName === `/aws/lambda/ecs-event-store-dev-${name}`,
      );
      expect(group?.Properties.RetentionInDays).toBe(30);
    }
  });
});

describe('ingest wiring', () => {
  const rule = () => Object.values(R).find((r) => r.Type === 'AWS::Events::Rule') as Resource;

  it('routes source aws.ecs with exactly the four ECS detail-types the code accepts', () => {
    expect(Object.values(R).filter((r) => r.Type === 'AWS::Events::Rule')).toHaveLength(1);
    expect(rule().Properties.EventPattern).toEqual({
      source: ['aws.ecs'],
      'detail-type': [
        'ECS Task State Change',
        'ECS Container Instance State Change',
        'ECS Service Action',
        'ECS Deployment State Change',
      ],
    });
    expect([...rule().Properties.EventPattern['detail-type']].sort()).toEqual([...DETAIL_TYPE_NAMES].sort());
    expect(rule().Properties).toMatchObject({ Name: 'ecs-event-store-dev-ecs-events', State: 'ENABLED' });
  });

  it('gives the rule target bounded retries and its own dead-letter queue, which only that rule may use', () => {
    const [target] = rule().Properties.Targets;
    expect(target.Arn).toEqual(getAtt('IngestLambdaFunction'));
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 });
    expect(target.DeadLetterConfig).toEqual({ Arn: getAtt('IngestRuleDeadLetterQueue') });

    const policy = R.IngestRuleDeadLetterQueuePolicy?.Properties;
    expect(policy.Queues).toEqual([ref('IngestRuleDeadLetterQueue')]);
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Sid: 'OnlyTheIngestRuleMayDeadLetter',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: getAtt('IngestRuleDeadLetterQueue'),
        Condition: {
          ArnEquals: {
            'aws:SourceArn': {
              'Fn::Join': [
                ':',
                [
                  'arn',
                  ref('AWS::Partition'),
                  'events',
                  ref('AWS::Region'),
                  ref('AWS::AccountId'),
                  'rule/ecs-event-store-dev-ecs-events',
                ],
              ],
            },
          },
        },
      },
    ]);
  });

  it('parks function errors (refusals included) in the on-failure queue after bounded async retries', () => {
    const configs = Object.values(R).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    expect(configs).toHaveLength(1);
    expect(configs[0]?.Properties).toEqual({
      FunctionName: ref('IngestLambdaFunction'),
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21_600,
      DestinationConfig: { OnFailure: { Destination: getAtt('IngestFailureQueue') } },
    });
  });
});

describe('projector wiring', () => {
  it('reads the log stream with partial-batch responses, bisection, bounded retries and an on-failure queue', () => {
    const mappings = Object.values(R).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toEqual({
      EventSourceArn: getAtt('EventLogTable', 'StreamArn'),
      FunctionName: getAtt('ProjectorLambdaFunction'),
      Enabled: true,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 21_600,
      DestinationConfig: { OnFailure: { Destination: getAtt('ProjectorFailureQueue') } },
    });
  });
});

describe('queues', () => {
  it('keeps failures 14 days, encrypted', () => {
    const queues = Object.entries(R).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
    expect(queues.map(([id]) => id).sort()).toEqual(
      ['IngestFailureQueue', 'IngestRuleDeadLetterQueue', 'ProjectorFailureQueue'].sort(),
    );
    for (const [, queue] of queues) {
      expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
    }
  });
});

describe('tables', () => {
  const table = (t: Template, kind: TableKind) => t.Resources[cfn.TABLE_LOGICAL_IDS[kind]] as Resource;

  it('renders keys, attributes, indexes and the stream from the single table model', () => {
    const names = cfn.tableNames('dev');
    for (const kind of KINDS) {
      expect(table(template, kind).Properties).toMatchObject(model.tableProperties(kind, names[kind]));
    }
    expect(table(template, 'eventLog').Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    expect(table(template, 'eventLog').Properties.GlobalSecondaryIndexes.map((i: Json) => i.IndexName)).toEqual([
      'byClusterTime',
    ]);
    expect(Object.values(R).filter((r) => r.Type === 'AWS::DynamoDB::Table')).toHaveLength(3);
  });

  it('protects the log: retained, deletion-protected, point-in-time recovery, KMS, append-only by policy', () => {
    const log = table(template, 'eventLog');
    expect(log.DeletionPolicy).toBe('Retain');
    expect(log.UpdateReplacePolicy).toBe('Retain');
    expect(log.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
    // Never expired by default.
    expect(log.Properties.TimeToLiveSpecification).toBeUndefined();
    expect(log.Properties.ResourcePolicy.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AppendOnlyLog',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: [
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:PartiQLUpdate',
          'dynamodb:PartiQLDelete',
        ],
        Resource: {
          'Fn::Join': [
            ':',
            [
              'arn',
              ref('AWS::Partition'),
              'dynamodb',
              ref('AWS::Region'),
              ref('AWS::AccountId'),
              'table/ECSEventLog-dev',
            ],
          ],
        },
      },
    ]);
  });

  it('gives the latest-state tables recovery, KMS, on-demand billing and the expiresAt TTL', () => {
    for (const kind of ['taskState', 'instanceState'] as const) {
      const t = table(template, kind);
      // Derived data: dropped with the stack, but kept when a new suffix replaces it (blue/green).
      expect(t.DeletionPolicy).toBe('Delete');
      expect(t.UpdateReplacePolicy).toBe('Retain');
      expect(t.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
      expect(t.Properties.GlobalSecondaryIndexes.map((i: Json) => i.IndexName)).toEqual(['byCluster']);
    }
  });
});

describe('least privilege', () => {
  const statementsOf = (roleId: string) => {
    const role = R[roleId] as Resource;
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(role.Properties.Policies).toHaveLength(1);
    return role.Properties.Policies[0].PolicyDocument.Statement;
  };

  it('lets ingest only PutItem on the log, send to its own failure queue and write its own logs', () => {
    expect(statementsOf('IngestRole')).toEqual([
      { Sid: 'AppendToEventLog', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: getAtt('EventLogTable') },
      { Sid: 'ParkFailedEvents', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt('IngestFailureQueue') },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: getAtt('IngestLogGroup'),
      },
    ]);
  });

  it('lets the projector only read the log stream, PutItem on the two state tables, send to its queue, log', () => {
    expect(statementsOf('ProjectorRole')).toEqual([
      {
        Sid: 'ReadEventLogStream',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Resource: getAtt('EventLogTable', 'StreamArn'),
      },
      { Sid: 'ListStreamsRequiresStar', Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
      {
        Sid: 'PutLatestState',
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: [getAtt('TaskStateTable'), getAtt('InstanceStateTable')],
      },
      {
        Sid: 'ParkFailedBatches',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: getAtt('ProjectorFailureQueue'),
      },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: getAtt('ProjectorLogGroup'),
      },
    ]);
  });

  it('has no other roles, and no wildcard in any grant except ListStreams, where AWS requires one', () => {
    expect(
      Object.entries(R)
        .filter(
          ([, r]) =>
            r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy',
        )
        .map(([id]) => id)
        .sort(),
    ).toEqual(['IngestRole', 'ProjectorRole']);
    const grants = policyStatements(template).filter(({ statement }) => statement.Effect === 'Allow');
    expect(grants.length).toBeGreaterThan(8);
    for (const { holder, statement } of grants) {
      for (const action of actionsOf(statement)) expect(action, `${holder} ${statement.Sid}`).not.toContain('*');
      if (statement.Sid === 'ListStreamsRequiresStar') continue;
      for (const resource of resourcesOf(statement)) {
        expect(JSON.stringify(resource), `${holder} ${statement.Sid}`).not.toContain('*');
      }
      if (statement.Principal) expect(JSON.stringify(statement.Principal)).not.toContain('*');
    }
  });

  it('grants nobody UpdateItem, DeleteItem or batch writes, anywhere', () => {
    const forbidden = /^dynamodb:(UpdateItem|DeleteItem|BatchWriteItem|PartiQL\w+|\*)$/;
    const grants = policyStatements(template).filter(({ statement }) => statement.Effect === 'Allow');
    expect(grants.flatMap(({ statement }) => actionsOf(statement)).filter((a) => forbidden.test(a))).toEqual([]);
  });

  it('makes the projector role follow the state-table suffix', () => {
    expect(custom.Resources.TaskStateTable?.Properties.TableName).toBe('ECSTaskState-prod-v2');
    expect(custom.Resources.InstanceStateTable?.Properties.TableName).toBe('ECSCtrInstanceState-prod-v2');
    const put = custom.Resources.ProjectorRole?.Properties.Policies[0].PolicyDocument.Statement.find(
      (s: Json) => s.Sid === 'PutLatestState',
    );
    expect(put.Resource).toEqual([getAtt('TaskStateTable'), getAtt('InstanceStateTable')]);
    expect(custom.Resources.ProjectorLambdaFunction?.Properties.Environment.Variables).toMatchObject({
      TASK_STATE_TABLE: 'ECSTaskState-prod-v2',
      INSTANCE_STATE_TABLE: 'ECSCtrInstanceState-prod-v2',
      STATE_TTL_DAYS: '7',
    });
    // The log never takes the suffix: there is one log.
    expect(custom.Resources.EventLogTable?.Properties.TableName).toBe('ECSEventLog-prod');
  });
});

describe('alarms', () => {
  const alarms = (t: Template) =>
    Object.values(t.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => r.Properties);

  it('watches both DLQs, the failure queue, iterator age, errors and lost deliveries', () => {
    const watched = alarms(template)
      .map((a) => JSON.stringify([a.Namespace, a.MetricName, a.Dimensions]))
      .sort();
    const dims = (name: string, value: unknown) => [{ Name: name, Value: value }];
    expect(watched).toEqual(
      [
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', dims('QueueName', getAtt('IngestFailureQueue', 'QueueName'))],
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          dims('QueueName', getAtt('IngestRuleDeadLetterQueue', 'QueueName')),
        ],
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          dims('QueueName', getAtt('ProjectorFailureQueue', 'QueueName')),
        ],
        ['AWS/Lambda', 'IteratorAge', dims('FunctionName', ref('ProjectorLambdaFunction'))],
        ['AWS/Lambda', 'Errors', dims('FunctionName', ref('IngestLambdaFunction'))],
        ['AWS/Lambda', 'Errors', dims('FunctionName', ref('ProjectorLambdaFunction'))],
        ['AWS/Lambda', 'DestinationDeliveryFailures', dims('FunctionName', ref('IngestLambdaFunction'))],
        ['AWS/Lambda', 'DestinationDeliveryFailures', dims('FunctionName', ref('ProjectorLambdaFunction'))],
        ['AWS/Events', 'InvocationsFailedToBeSentToDlq', dims('RuleName', 'ecs-event-store-dev-ecs-events')],
      ]
        .map((x) => JSON.stringify(x))
        .sort(),
    );
    for (const a of alarms(template)) {
      expect(a).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
      // No topic by default: the alarms show in the console only.
      expect(a.AlarmActions).toEqual([]);
      if (a.MetricName === 'IteratorAge') expect(a).toMatchObject({ Statistic: 'Maximum', Threshold: 300_000 });
      else expect(a.Threshold).toBe(0);
    }
  });

  it('notifies the SNS topic given as a parameter, and takes the iterator-age threshold from one', () => {
    for (const a of alarms(custom)) {
      expect(a.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:ops-alerts']);
      expect(a.OKActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:ops-alerts']);
      if (a.MetricName === 'IteratorAge') expect(a.Threshold).toBe(120_000);
    }
  });
});

describe('parameters', () => {
  it('turns on the optional log retention: TTL on the log and LOG_RETENTION_DAYS for ingest', () => {
    expect(custom.Resources.EventLogTable?.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
    expect(custom.Resources.IngestLambdaFunction?.Properties.Environment.Variables.LOG_RETENTION_DAYS).toBe('400');
    const groups = Object.values(custom.Resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(groups.map((g) => g.Properties.RetentionInDays)).toEqual([90, 90]);
  });

  it('refuses a bad parameter with a message naming it and the rule', () => {
    expect(badParameter.status).not.toBe(0);
    expect(badParameter.output).toContain('parameter stateTtlDays must be an integer from 0 to');
    expect(badParameter.output).toContain('got "thirty"');
  });

  it('validates every parameter in the renderer', () => {
    const ok = {
      stage: 'dev',
      stateTableSuffix: '',
      stateTtlDays: 30,
      eventLogRetentionDays: 0,
      redactOverrideEnvironment: true,
      logLevel: 'INFO',
      lambdaLogRetentionDays: 30,
      iteratorAgeAlarmSeconds: 300,
      alarmTopicArn: '',
    };
    expect(cfn.deploySettings(ok).tableNames).toEqual({
      eventLog: 'ECSEventLog-dev',
      taskState: 'ECSTaskState-dev',
      instanceState: 'ECSCtrInstanceState-dev',
    });
    const refusals: [Record<string, unknown>, string][] = [
      [{ stateTableSuffix: 'a/b' }, 'parameter stateTableSuffix may hold only letters'],
      [{ stateTtlDays: -1 }, 'parameter stateTtlDays must be an integer'],
      [{ eventLogRetentionDays: '1.5' }, 'parameter eventLogRetentionDays must be an integer'],
      [{ redactOverrideEnvironment: 'maybe' }, 'parameter redactOverrideEnvironment must be true or false'],
      [{ lambdaLogRetentionDays: 31 }, 'parameter lambdaLogRetentionDays must be one of'],
      [{ iteratorAgeAlarmSeconds: 0 }, 'parameter iteratorAgeAlarmSeconds must be an integer from 1'],
      [{ alarmTopicArn: 'ops-alerts' }, 'parameter alarmTopicArn must be an SNS topic ARN'],
      [{ logLevel: 'LOUD' }, 'parameter logLevel must be'],
      [{ stage: 'prod/eu' }, 'stage must be'],
    ];
    for (const [change, message] of refusals) {
      expect(() => cfn.deploySettings({ ...ok, ...change })).toThrow(message);
    }
  });
});

describe('the bundles', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await testPipeline(import.meta.filename);
  });
  afterAll(() => pipeline.client.destroy());

  /** Invokes a built bundle the way Lambda's Node runtime would: a fresh process, env read at init. */
  function invoke(name: string, event: unknown, env: Record<string, string>): { result?: Json; error?: Json } {
    const bundle = pathToFileURL(join(root, 'dist', name, `${name}.mjs`)).href;
    const code = `
      const chunks = [];
      for await (const chunk of process.stdin) chunks.push(chunk);
      const { handler } = await import(${JSON.stringify(bundle)});
      try {
        process.stdout.write(JSON.stringify({ result: await handler(JSON.parse(Buffer.concat(chunks).toString())) }));
      } catch (e) {
        process.stdout.write(JSON.stringify({ error: { name: e.name, message: e.message, stack: e.stack } }));
      }`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      input: JSON.stringify(event),
      encoding: 'utf8',
      env: { ...process.env, ...env, NODE_OPTIONS: '--enable-source-maps' },
    });
    return JSON.parse(out);
  }

  it('ingest appends (with the opted-in log TTL) and refuses with its reason; the projector projects', async () => {
    const env = {
      EVENT_LOG_TABLE: pipeline.tables.eventLog,
      TASK_STATE_TABLE: pipeline.tables.taskState,
      INSTANCE_STATE_TABLE: pipeline.tables.instanceState,
      LOG_RETENTION_DAYS: '7',
    };
    const sample = loadSamples('task-1').get('task-1') as Json;
    expect(invoke('ingest', sample, env).result).toMatchObject({ outcome: 'appended', version: sample.detail.version });
    expect(invoke('ingest', sample, env).result).toMatchObject({ outcome: 'duplicate' });
    const refused = invoke('ingest', { ...sample, detail: { ...sample.detail, version: '7' } }, env).error;
    expect(refused.name).toBe('IngestRejectedError');
    expect(refused.message).toMatch(/^rejected \[VERSION_NOT_INTEGER\]: detail\.version/);
    // The shipped source map works: the stack names the TypeScript source, not the minified bundle.
    expect(refused.stack).toMatch(/functions\/ingest\.ts:\d+/);

    const [item, ...others] = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    expect(others).toEqual([]);
    const eventTime = Date.parse(sample.time);
    expect(item).toMatchObject({
      arn: sample.detail.taskArn,
      eventTime,
      expiresAt: Math.floor(eventTime / 1000) + 7 * 86_400,
    });

    // The real stream, read like Lambda's event source mapping, into the projector bundle.
    await pipeline
      .poller({ handler: async (event) => invoke('projector', event, env).result as DynamoDBBatchResponse })
      .drain();
    const rows = await scanAll(pipeline.doc, pipeline.tables.taskState);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      taskArn: sample.detail.taskArn,
      version: sample.detail.version,
      lastStatus: 'RUNNING',
    });
  });
});

describe('cfn-lint', () => {
  it.skipIf(!hasCfnLint)(
    hasCfnLint
      ? `finds zero errors in both templates (${cfnLintVersion.stdout.trim()})`
      : 'SKIPPED: cfn-lint not on PATH',
    async () => {
      const run = await (cfnLint as ReturnType<typeof runAsync>);
      const findings: Json[] = JSON.parse(run.stdout || '[]');
      const errors = findings.filter((f) => f.Level === 'Error');
      // Warnings do not fail the check (osls adds a DependsOn that W3005 calls redundant).
      expect(errors, JSON.stringify(errors, null, 2)).toEqual([]);
    },
  );
});
