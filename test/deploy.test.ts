// The deployment, proven without an AWS account: `npm run build` and `npm run package` (osls, offline,
// network denied) into fresh folders, then assertions on the generated CloudFormation template, the
// zips, the bundles themselves (run on DynamoDB Local), and cfn-lint when it is installed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedNames } from '../cli/stageNames.js';
import cfn from '../deploy/cloudformation.cjs';
import { ECS_DETAIL_TYPE_PREFIX, EVENT_DETAIL_TYPE_NAMES, KINDS as KIND_TABLE } from '../domain/kinds.js';
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
  Condition?: string;
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
  '--param=logRepairPrincipalArn=arn:aws:iam::123456789012:role/ops/log-repair',
  '--param=eventArchiveRetentionDays=off',
  '--param=reconcileSchedule=off',
  '--param=reconcileClusters=prod,batch',
  '--param=reconcileRate=25',
];
const orgOut = join(work, 'organization');
const ORG_PARAMS = [
  '--stage',
  'prod',
  '--param=organizationId=o-a1b2c3d4e5',
  '--param=memberAccountIds=444455556666,111122223333',
  '--param=eventArchiveRetentionDays=90',
];
/** deploy/member-forwarder.yml, the template of the member accounts and regions. */
const MEMBER_TEMPLATE = join(root, 'deploy', 'member-forwarder.yml');
let organization: Template;
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
  const org = await packageOffline(orgOut, ORG_PARAMS);
  expect(first.status, first.output).toBe(0);
  expect(second.status, second.output).toBe(0);
  expect(org.status, org.output).toBe(0);
  organization = readTemplate(orgOut);
  badParameter = bad;
  template = readTemplate(defaultOut);
  custom = readTemplate(customOut);
  R = template.Resources;
  // Started now, awaited by its test: it runs while the other tests do.
  if (hasCfnLint) {
    const files = [defaultOut, customOut, orgOut].map((dir) => join(dir, 'cloudformation-template-update-stack.json'));
    files.push(MEMBER_TEMPLATE);
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
      join('dist', 'reconciler', 'reconciler.mjs'),
    ]);
    expect(script.missingBundles(root)).toEqual([]);
  });

  it('zips each function alone: its bundle and source map, nothing else', () => {
    for (const name of ['ingest', 'projector', 'reconciler']) {
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
      ReconcilerLambdaFunction: {
        handler: 'dist/reconciler/reconciler.handler',
        role: 'ReconcilerRole',
        timeout: 600,
      },
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
      METRIC_ACCOUNT_IDS: '',
      INGEST_FAILURE_QUEUE_URL: ref('IngestFailureQueue'),
    });
    expect(R.ProjectorLambdaFunction?.Properties.Environment.Variables).toEqual({
      ...common,
      TASK_STATE_TABLE: 'ECSTaskState-dev',
      INSTANCE_STATE_TABLE: 'ECSCtrInstanceState-dev',
      STATE_TTL_DAYS: '30',
      EVENT_LOG_TABLE: 'ECSEventLog-dev',
      LOG_TAMPER_QUEUE_URL: ref('LogTamperQueue'),
    });
    expect(R.ReconcilerLambdaFunction?.Properties.Environment.Variables).toEqual({
      ...common,
      EVENT_LOG_TABLE: 'ECSEventLog-dev',
      TASK_STATE_TABLE: 'ECSTaskState-dev',
      INSTANCE_STATE_TABLE: 'ECSCtrInstanceState-dev',
      REDACT_OVERRIDE_ENVIRONMENT: 'true',
      LOG_RETENTION_DAYS: '0',
      RECONCILE_RATE: '10',
      RECONCILE_CLUSTERS: '',
    });
    for (const name of ['ingest', 'projector', 'reconciler']) {
      const group = Object.values(R).find(
        (r) => r.Properties?.LogGroupName === `/aws/lambda/ecs-event-store-dev-${name}`,
      );
      expect(group?.Properties.RetentionInDays).toBe(30);
    }
  });
});

describe('ingest wiring', () => {
  // The ingest rule: the one with an event pattern (the reconciler's rule is a schedule).
  const rule = () =>
    Object.values(R).find((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern) as Resource;

  /** EventBridge matching of the two forms the rule uses: a list of exact strings and `{ prefix }`. */
  const matches = (pattern: Json, event: Json): boolean =>
    Object.entries(pattern).every(([field, allowed]) =>
      (allowed as Json[]).some((a) =>
        typeof a === 'string'
          ? event[field] === a
          : typeof event[field] === 'string' && event[field].startsWith(a.prefix),
      ),
    );

  it('routes source aws.ecs and every detail-type that starts with "ECS ", and CloudTrail\'s API calls not', () => {
    expect(Object.values(R).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern)).toHaveLength(1);
    const pattern = rule().Properties.EventPattern;
    expect(pattern).toEqual({ source: ['aws.ecs'], 'detail-type': [{ prefix: 'ECS ' }] });
    expect(rule().Properties).toMatchObject({ Name: 'ecs-event-store-dev-ecs-events', State: 'ENABLED' });
    // The prefix is the one the code keeps (domain/kinds.ts): what the rule routes, ingest logs.
    expect(pattern['detail-type'][0].prefix).toBe(ECS_DETAIL_TYPE_PREFIX);
    const types = [
      ...EVENT_DETAIL_TYPE_NAMES,
      ...Object.values(KIND_TABLE.other.named),
      ...[...loadSamples().values()].map((e) => (e as Json)['detail-type']),
      'ECS Something New',
    ];
    for (const type of types) expect(matches(pattern, { source: 'aws.ecs', 'detail-type': type }), type).toBe(true);
    for (const [source, type] of [
      ['aws.ecs', 'AWS API Call via CloudTrail'],
      ['aws.ecs', 'ecs task state change'],
      ['aws.ec2', 'ECS Task State Change'],
    ]) {
      expect(matches(pattern, { source, 'detail-type': type }), `${source} ${type}`).toBe(false);
    }
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

  it('parks a refused event once from the function itself: queue URL, SendMessage on that queue only, a Rejected alarm', () => {
    expect(R.IngestLambdaFunction?.Properties.Environment.Variables.INGEST_FAILURE_QUEUE_URL).toEqual(
      ref('IngestFailureQueue'),
    );
    // Least privilege: SendMessage on the one queue, which is also the on-failure destination.
    const sends = policyStatements(template).filter(
      ({ holder, statement }) => holder === 'IngestRole' && actionsOf(statement).some((a) => a.startsWith('sqs:')),
    );
    expect(sends.map(({ statement }) => [actionsOf(statement), resourcesOf(statement)])).toEqual([
      [['sqs:SendMessage'], [getAtt('IngestFailureQueue')]],
    ]);
    // Refusals are no function errors any more: their alarm watches the function's own Rejected count.
    const alarm = R.IngestRejectedAlarm?.Properties;
    expect(alarm).toMatchObject({
      Namespace: 'ECSEventStore',
      MetricName: 'Rejected',
      Dimensions: [{ Name: 'service', Value: 'ecs-event-store-dev' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // The namespace and service dimension are the function's own Powertools settings.
    const env = R.IngestLambdaFunction?.Properties.Environment.Variables;
    expect([alarm.Namespace, alarm.Dimensions[0].Value]).toEqual([
      env.POWERTOOLS_METRICS_NAMESPACE,
      env.POWERTOOLS_SERVICE_NAME,
    ]);
  });

  it('parks function errors (transient failures) in the on-failure queue after bounded async retries', () => {
    // The reconciler's own (no retry: the next scheduled run does it all again) is checked with its wiring.
    const configs = Object.values(R).filter(
      (r) =>
        r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName.Ref !== 'ReconcilerLambdaFunction',
    );
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

describe('reconciler wiring', () => {
  const ecsArn = (resource: string) => ({
    'Fn::Join': [':', ['arn', ref('AWS::Partition'), 'ecs', ref('AWS::Region'), ref('AWS::AccountId'), resource]],
  });
  const scheduleOf = (t: Template) =>
    Object.values(t.Resources).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.ScheduleExpression);
  const statements = (t: Template) => t.Resources.ReconcilerRole?.Properties.Policies[0].PolicyDocument.Statement;

  it('runs hourly by default on an enabled schedule, once per run (no async retry)', () => {
    const [schedule, ...more] = scheduleOf(template);
    expect(more).toEqual([]);
    expect(schedule?.Properties).toMatchObject({
      Name: 'ecs-event-store-dev-reconcile',
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [{ Arn: getAtt('ReconcilerLambdaFunction') }],
    });
    const config = Object.values(R).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName.Ref === 'ReconcilerLambdaFunction',
    );
    expect(config?.Properties).toMatchObject({ MaximumRetryAttempts: 0 });
  });

  it('turns the schedule off with reconcileSchedule=off, and limits itself to reconcileClusters', () => {
    expect(scheduleOf(custom)[0]?.Properties).toMatchObject({ ScheduleExpression: 'rate(1 hour)', State: 'DISABLED' });
    const env = custom.Resources.ReconcilerLambdaFunction?.Properties.Environment.Variables;
    expect(env.RECONCILE_RATE).toBe('25');
    expect(env.RECONCILE_CLUSTERS).toEqual({ 'Fn::Join': [',', [ecsArn('cluster/batch'), ecsArn('cluster/prod')]] });
  });

  it('has its own least-privilege role, by the fixed name the log policy expects', () => {
    const role = R.ReconcilerRole as Resource;
    expect(role.Properties).toMatchObject({ RoleName: 'ecs-event-store-dev-reconciler', Path: '/' });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const index = (id: string) => ({ 'Fn::Join': ['', [getAtt(id), '/index/byClusterPhase']] });
    const scoped = (clusters: unknown[]) => [
      {
        Sid: 'ListContainerInstancesOfClusters',
        Effect: 'Allow',
        Action: 'ecs:ListContainerInstances',
        Resource: clusters,
      },
      {
        Sid: 'ListAndDescribeInClustersByCondition',
        Effect: 'Allow',
        Action: ['ecs:ListTasks', 'ecs:DescribeTasks', 'ecs:DescribeContainerInstances'],
        Resource: '*',
        Condition: { ArnLike: { 'ecs:cluster': clusters } },
      },
      {
        Sid: 'ReadLatestState',
        Effect: 'Allow',
        Action: ['dynamodb:Query', 'dynamodb:BatchGetItem'],
        Resource: [
          getAtt('TaskStateTable'),
          index('TaskStateTable'),
          getAtt('InstanceStateTable'),
          index('InstanceStateTable'),
        ],
      },
      // Never under an event's own key: only the reconciler's partitions.
      {
        Sid: 'AppendObservationsToEventLog',
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: getAtt('EventLogTable'),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['*#observed', '*#observed-missing'] } },
      },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: getAtt('ReconcilerLogGroup'),
      },
    ];
    // Every cluster of the account: ListClusters (no resource-level permission exists for it).
    expect(statements(template)).toEqual([
      { Sid: 'ListClustersRequiresStar', Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' },
      ...scoped([ecsArn('cluster/*')]),
    ]);
    // Named clusters: no ListClusters at all, every ECS grant narrowed to them.
    expect(statements(custom)).toEqual(scoped([ecsArn('cluster/batch'), ecsArn('cluster/prod')]));
    expect(custom.Resources.ReconcilerRole?.Properties.RoleName).toBe('ecs-event-store-prod-reconciler');
  });

  it('validates its parameters', () => {
    const ok = { stage: 'dev', stateTtlDays: 30, eventLogRetentionDays: 0, redactOverrideEnvironment: true };
    const base = {
      ...ok,
      logLevel: 'INFO',
      lambdaLogRetentionDays: 30,
      iteratorAgeAlarmSeconds: 300,
      alarmTopicArn: '',
    };
    for (const good of ['rate(1 hour)', 'rate(15 minutes)', 'rate(2 days)', 'cron(0 6 * * ? *)', 'OFF']) {
      expect(() => cfn.deploySettings({ ...base, reconcileSchedule: good })).not.toThrow();
    }
    const refusals: [Record<string, unknown>, string][] = [
      [{ reconcileSchedule: 'hourly' }, 'parameter reconcileSchedule must be'],
      [{ reconcileSchedule: 'rate(1 hours)' }, 'parameter reconcileSchedule must be'],
      [{ reconcileSchedule: 'rate(0 minutes)' }, 'parameter reconcileSchedule must be'],
      [{ reconcileClusters: 'prod,a/b' }, 'parameter reconcileClusters must be cluster names'],
      [{ reconcileRate: '-1' }, 'parameter reconcileRate must be a number'],
    ];
    for (const [change, message] of refusals) expect(() => cfn.deploySettings({ ...base, ...change })).toThrow(message);
  });
});

describe('queues', () => {
  it('keeps failures 14 days, encrypted', () => {
    const queues = Object.entries(R).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
    expect(queues.map(([id]) => id).sort()).toEqual(
      ['IngestFailureQueue', 'IngestRuleDeadLetterQueue', 'LogTamperQueue', 'ProjectorFailureQueue'].sort(),
    );
    for (const [, queue] of queues) {
      expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
    }
  });

  it('keeps the queues that can hold events through remove and replacement; not the pointer queue', () => {
    const retained = Object.entries(R)
      .filter(([, r]) => r.Type === 'AWS::SQS::Queue' && r.DeletionPolicy === 'Retain')
      .map(([id]) => id)
      .sort();
    expect(retained).toEqual(['IngestFailureQueue', 'IngestRuleDeadLetterQueue', 'LogTamperQueue']);
    for (const id of retained) expect(R[id]?.UpdateReplacePolicy, id).toBe('Retain');
    // Pointers to stream ranges only: the log holds the events and `verify --repair` needs no pointer.
    expect(R.ProjectorFailureQueue?.DeletionPolicy).toBeUndefined();
    expect(R.LogTamperQueue?.Properties.QueueName).toBe('ecs-event-store-dev-log-tampered');
  });
});

describe('tables', () => {
  const table = (t: Template, kind: TableKind) => t.Resources[cfn.TABLE_LOGICAL_IDS[kind]] as Resource;

  it('renders keys, attributes, indexes and the stream from the single table model', () => {
    const names = cfn.tableNames('dev');
    for (const kind of KINDS) {
      expect(table(template, kind).Properties).toMatchObject(model.tableProperties(kind, names[kind]));
    }
    // Old images too: a MODIFY or REMOVE is tampering, and the projector keeps what the item held.
    expect(table(template, 'eventLog').Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
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
    const logArn = {
      'Fn::Join': [
        ':',
        ['arn', ref('AWS::Partition'), 'dynamodb', ref('AWS::Region'), ref('AWS::AccountId'), 'table/ECSEventLog-dev'],
      ],
    };
    const roleArn = (name: string) => ({
      'Fn::Join': ['', ['arn:', ref('AWS::Partition'), ':iam::', ref('AWS::AccountId'), `:role/${name}`]],
    });
    expect(log.Properties.ResourcePolicy.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AppendOnlyLog',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: [
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:PartiQLInsert',
          'dynamodb:PartiQLUpdate',
          'dynamodb:PartiQLDelete',
        ],
        Resource: logArn,
      },
      // PutItem too, to everyone but the append roles: an unconditional put would overwrite an event.
      {
        Sid: 'PutOnlyByTheAppendRoles',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'dynamodb:PutItem',
        Resource: logArn,
        Condition: {
          ArnNotEquals: {
            'aws:PrincipalArn': [
              roleArn('ecs-event-store-dev-ingest'),
              roleArn('ecs-event-store-dev-reconciler'),
              roleArn('ecs-event-store-dev-projector'),
            ],
          },
        },
      },
    ]);
    // The names in the policy are the roles' own fixed names (the ARN is constructed: no cycle).
    expect(R.IngestRole?.Properties).toMatchObject({ RoleName: 'ecs-event-store-dev-ingest', Path: '/' });
    expect(R.ProjectorRole?.Properties).toMatchObject({ RoleName: 'ecs-event-store-dev-projector', Path: '/' });
    expect(JSON.stringify(log)).not.toContain('Fn::GetAtt');
    // The break-glass parameter adds one principal to the exceptions, and only there.
    const put = custom.Resources.EventLogTable?.Properties.ResourcePolicy.PolicyDocument.Statement[1];
    expect(put.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([
      roleArn('ecs-event-store-prod-ingest'),
      roleArn('ecs-event-store-prod-reconciler'),
      roleArn('ecs-event-store-prod-projector'),
      'arn:aws:iam::123456789012:role/ops/log-repair',
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
      expect(t.Properties.GlobalSecondaryIndexes.map((i: Json) => i.IndexName)).toEqual(['byClusterPhase']);
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
      // The reconciler's missing mark: one attribute of a row, conditional on the row's version.
      {
        Sid: 'MarkLatestStateMissing',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: [getAtt('TaskStateTable'), getAtt('InstanceStateTable')],
      },
      {
        Sid: 'ParkFailedBatches',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: getAtt('ProjectorFailureQueue'),
      },
      // The log's record of a tampering, and nothing else: only partition keys ending in #tampered.
      {
        Sid: 'AppendTamperMarkers',
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: getAtt('EventLogTable'),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['*#tampered'] } },
      },
      { Sid: 'KeepTamperedImages', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt('LogTamperQueue') },
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
    ).toEqual(['IngestRole', 'ProjectorRole', 'ReconcilerRole']);
    const grants = policyStatements(template).filter(({ statement }) => statement.Effect === 'Allow');
    expect(grants.length).toBeGreaterThan(8);
    for (const { holder, statement } of grants) {
      for (const action of actionsOf(statement)) expect(action, `${holder} ${statement.Sid}`).not.toContain('*');
      if (statement.Sid === 'ListStreamsRequiresStar' || statement.Sid === 'ListClustersRequiresStar') continue;
      // ECS actions whose cluster IAM checks through the ecs:cluster condition key, not the resource.
      if (statement.Sid === 'ListAndDescribeInClustersByCondition') {
        expect(statement.Condition?.ArnLike?.['ecs:cluster']).toBeDefined();
        continue;
      }
      // The reconciler's cluster ARNs end in cluster/* when it reconciles every cluster of the account.
      if (statement.Sid === 'ListContainerInstancesOfClusters') continue;
      for (const resource of resourcesOf(statement)) {
        expect(JSON.stringify(resource), `${holder} ${statement.Sid}`).not.toContain('*');
      }
      if (statement.Principal) expect(JSON.stringify(statement.Principal)).not.toContain('*');
    }
  });

  it('grants nobody UpdateItem, DeleteItem or batch writes, anywhere (but the missing mark on state rows)', () => {
    const forbidden = /^dynamodb:(UpdateItem|DeleteItem|BatchWriteItem|PartiQL\w+|\*)$/;
    const grants = policyStatements(template).filter(
      ({ holder, statement }) =>
        statement.Effect === 'Allow' && !(holder === 'ProjectorRole' && statement.Sid === 'MarkLatestStateMissing'),
    );
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
        ['ECSEventStore', 'Rejected', dims('service', 'ecs-event-store-dev')],
        ['ECSEventStore', 'LogTampered', dims('service', 'ecs-event-store-dev')],
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
    expect(groups.map((g) => g.Properties.RetentionInDays)).toEqual([90, 90, 90]);
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
      [{ logRepairPrincipalArn: 'ops' }, 'parameter logRepairPrincipalArn must be an IAM role ARN'],
      [{ service: 'x'.repeat(50) }, 'is longer than 64 characters'],
    ];
    for (const [change, message] of refusals) {
      expect(() => cfn.deploySettings({ ...ok, ...change })).toThrow(message);
    }
  });
});

describe('organization: central bus, archive, member template', () => {
  const busArn = (name: string) => ({
    'Fn::Join': [
      ':',
      ['arn', ref('AWS::Partition'), 'events', ref('AWS::Region'), ref('AWS::AccountId'), `event-bus/${name}`],
    ],
  });
  const ingestRule = (t: Template) =>
    Object.values(t.Resources).find((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern) as Resource;
  /** Whether CloudFormation creates the resource: no condition, or one that is (statically) true. */
  const created = (t: Template & { Conditions?: Json }, id: string): boolean => {
    const condition = t.Resources[id]?.Condition as string | undefined;
    if (condition === undefined) return true;
    const [left, right] = t.Conditions[condition]['Fn::Equals'];
    return left === right;
  };

  it('keeps a single account on the default bus, with no central bus, and archives its ECS events 30 days', () => {
    expect(created(template, 'CentralEventBus')).toBe(false);
    expect(ingestRule(template).Properties.EventBusName).toBeUndefined();
    expect(created(template, 'EventArchive')).toBe(true);
    expect(R.EventArchive?.Properties).toEqual({
      ArchiveName: 'ecs-event-store-dev-ecs-events',
      Description: expect.any(String),
      SourceArn: busArn('default'),
      EventPattern: { source: ['aws.ecs'], 'detail-type': [{ prefix: 'ECS ' }] },
      RetentionDays: 30,
    });
    // One definition of "every ECS event" for the archive, the member rule and the ingest rule.
    expect(R.EventArchive?.Properties.EventPattern).toEqual(cfn.ECS_EVENT_PATTERN);
    // `ecs-events replay --stage` finds the archive and the rule by these names.
    expect(deployedNames('dev')).toEqual({
      archive: R.EventArchive?.Properties.ArchiveName,
      rule: ingestRule(template).Properties.Name,
    });
    expect(deployedNames('prod').archive).toBe(organization.Resources.EventArchive?.Properties.ArchiveName);
    expect(template.Outputs.EventArchiveName).toMatchObject({
      Condition: 'EventArchiveEnabled',
      Value: ref('EventArchive'),
    });
  });

  it('creates no archive at all with eventArchiveRetentionDays=off', () => {
    expect(created(custom, 'EventArchive')).toBe(false);
    expect((custom.Outputs.EventArchiveName as Json).Condition).toBe('EventArchiveEnabled');
  });

  it('puts the ingest rule on a central bus that only the organization and the listed accounts may put ECS events on', () => {
    const O = organization.Resources;
    expect(created(organization, 'CentralEventBus')).toBe(true);
    expect(O.CentralEventBus?.Properties.Name).toBe('ecs-event-store-prod');
    const ecsOnly = {
      'ForAllValues:StringEquals': { 'events:source': ['aws.ecs'] },
      'ForAllValues:StringLike': { 'events:detail-type': ['ECS *'] },
    };
    const root = (id: string) => ({ 'Fn::Join': ['', ['arn:', ref('AWS::Partition'), `:iam::${id}:root`]] });
    expect(O.CentralEventBus?.Properties.Policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OrganizationMayForwardEcsEvents',
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: busArn('ecs-event-store-prod'),
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' }, ...ecsOnly },
        },
        {
          Sid: 'MemberAccountsMayForwardEcsEvents',
          Effect: 'Allow',
          Principal: { AWS: [root('111122223333'), root('444455556666')] },
          Action: 'events:PutEvents',
          Resource: busArn('ecs-event-store-prod'),
          Condition: ecsOnly,
        },
      ],
    });
    // Nothing broader: every grant is PutEvents on this bus; "*" only ever with the organization condition.
    for (const s of (O.CentralEventBus as Resource).Properties.Policy.Statement as Json[]) {
      expect([s.Effect, s.Action]).toEqual(['Allow', 'events:PutEvents']);
      if (s.Principal === '*') expect(s.Condition.StringEquals['aws:PrincipalOrgID']).toBe('o-a1b2c3d4e5');
      else expect(JSON.stringify(s.Principal)).not.toContain('*');
    }
    // No other bus, and no osls-made one.
    expect(Object.values(O).filter((r) => r.Type === 'AWS::Events::EventBus')).toHaveLength(1);

    // The ingest rule, its invoke permission, its dead-letter queue and its alarm all name the central bus.
    const rule = ingestRule(organization);
    expect(rule.Properties.EventBusName).toEqual(getAtt('CentralEventBus', 'Name'));
    const permission = Object.values(O).find(
      (r) =>
        r.Type === 'AWS::Lambda::Permission' &&
        JSON.stringify(r.Properties.FunctionName) === JSON.stringify(getAtt('IngestLambdaFunction')),
    ) as Resource;
    expect(JSON.stringify(permission.Properties.SourceArn)).toContain(
      JSON.stringify(['rule', getAtt('CentralEventBus', 'Name'), 'ecs-event-store-prod-ecs-events']),
    );
    const deadLetter = O.IngestRuleDeadLetterQueuePolicy?.Properties.PolicyDocument.Statement[0];
    expect(JSON.stringify(deadLetter.Condition)).toContain(
      '"rule/ecs-event-store-prod/ecs-event-store-prod-ecs-events"',
    );
    expect(O.IngestRuleDeadLetterFailuresAlarm?.Properties.Dimensions).toEqual([
      { Name: 'EventBusName', Value: 'ecs-event-store-prod' },
      { Name: 'RuleName', Value: 'ecs-event-store-prod-ecs-events' },
    ]);

    // The archive records the central bus, 90 days as asked; the member stacks get the bus ARN from an output.
    expect(O.EventArchive?.Properties).toMatchObject({
      SourceArn: getAtt('CentralEventBus'),
      EventPattern: cfn.ECS_EVENT_PATTERN,
      RetentionDays: 90,
    });
    expect(organization.Outputs.CentralEventBusArn).toMatchObject({ Value: getAtt('CentralEventBus') });
    // The ingest metrics count these accounts by id (every other one as "other").
    expect(O.IngestLambdaFunction?.Properties.Environment.Variables.METRIC_ACCOUNT_IDS).toBe(
      '111122223333,444455556666',
    );
  });

  it('ships a StackSets-ready member template: a rule forwarding every ECS event, and a role that may only PutEvents there', () => {
    const text = readFileSync(MEMBER_TEMPLATE, 'utf8');
    const member = yaml.load(text) as Json;
    // Nothing account-specific: no account id, the bus a parameter without default, the role unnamed.
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(member.Parameters.CentralEventBusArn).toMatchObject({ Type: 'String' });
    expect(member.Parameters.CentralEventBusArn.Default).toBeUndefined();
    const M: Record<string, Resource> = member.Resources;
    expect(Object.keys(M).sort()).toEqual(
      ['ForwardEcsEvents', 'ForwarderRole', 'ForwardingDeadLetterQueue', 'ForwardingDeadLetterQueuePolicy'].sort(),
    );

    const rule = M.ForwardEcsEvents?.Properties;
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual(cfn.ECS_EVENT_PATTERN);
    expect(rule.Targets).toEqual([
      {
        Id: 'central-ecs-event-store',
        Arn: ref('CentralEventBusArn'),
        RoleArn: getAtt('ForwarderRole'),
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: getAtt('ForwardingDeadLetterQueue') },
      },
    ]);

    const role = M.ForwarderRole?.Properties;
    expect(role.RoleName).toBeUndefined();
    expect(role.ManagedPolicyArns).toBeUndefined();
    const ruleArn = {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
      'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${ForwarderRuleName}',
    };
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
          ArnEquals: { 'aws:SourceArn': ruleArn },
        },
      },
    ]);
    expect(role.Policies).toHaveLength(1);
    expect(role.Policies[0].PolicyDocument.Statement).toEqual([
      {
        Sid: 'PutEventsOnTheCentralBusOnly',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: ref('CentralEventBusArn'),
      },
    ]);
    expect(M.ForwardingDeadLetterQueuePolicy?.Properties.PolicyDocument.Statement[0].Condition).toEqual({
      ArnEquals: { 'aws:SourceArn': ruleArn },
    });
  });

  it('validates the organization and archive parameters', () => {
    const ok = {
      stage: 'dev',
      stateTtlDays: 30,
      eventLogRetentionDays: 0,
      redactOverrideEnvironment: true,
      lambdaLogRetentionDays: 30,
      iteratorAgeAlarmSeconds: 300,
      logLevel: 'INFO',
    };
    expect(cfn.deploySettings({ ...ok, memberAccountIds: ' 222222222222, 111111111111,222222222222' })).toMatchObject({
      centralEventBus: true,
      memberAccountIds: ['111111111111', '222222222222'],
      metricAccountIds: '111111111111,222222222222',
      eventBusName: 'ecs-event-store-dev',
    });
    expect(cfn.deploySettings({ ...ok, eventArchiveRetentionDays: 'forever' }).eventArchive).toEqual({
      enabled: true,
      retentionDays: 0,
    });
    const refusals: [Record<string, unknown>, string][] = [
      [{ organizationId: 'my-org' }, 'parameter organizationId must be an AWS Organizations id'],
      [{ memberAccountIds: '1111,2222' }, 'parameter memberAccountIds must be 12-digit AWS account ids'],
      [{ metricAccountIds: 'abc' }, 'parameter metricAccountIds must be 12-digit'],
      [{ eventArchiveRetentionDays: 0 }, 'say "forever" (never expire) or "off" (no archive)'],
      [{ eventArchiveRetentionDays: 'soon' }, 'parameter eventArchiveRetentionDays must be an integer'],
      [
        { metricAccountIds: Array.from({ length: 51 }, (_, i) => String(100_000_000_000 + i)).join(',') },
        'at most 50 get their own metric',
      ],
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
      ? `finds zero errors in the service templates (default, custom, organization) and the member template (${cfnLintVersion.stdout.trim()})`
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
