// The operator and reader policies of `ecs-events iam-policy` against what the commands really call:
// every use each command declares (cli/commands/<name>.ts `uses`, gathered by cli/iamPolicy.ts) runs, by
// its own argv, in this process against DynamoDB Local (tables named as a deployed stage names them) and
// moto_server (Lambda, ECS, EventBridge), every SDK client records each operation and resource
// (test/support/recordCalls.ts), and each use must call exactly what its entry grants.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { CreateArchiveCommand, EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../cli/commands/index.js';
import {
  iamPolicy,
  needs,
  POLICY_ROLES,
  type PolicyNames,
  resourcePath,
  type Target,
  USES,
  type Use,
  type UseFixture,
  usesOf,
} from '../cli/iamPolicy.js';
import { main } from '../cli/main.js';
import { deployedNames } from '../cli/stageNames.js';
import cfn from '../deploy/cloudformation.cjs';
import type { EcsEvent } from '../domain/eventTypes.js';
import { createPipeline, type Pipeline } from '../local/localStack.js';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { seededRandom } from '../sim/random.js';
import { generateServiceWorkload } from '../sim/serviceWorkload.js';
import { freezeMotoTasks, motoCluster, motoRunTasks } from './support/motoEcs.js';
import { type MotoServer, motoServerOrSkip, startMotoServer } from './support/motoServer.js';
import { manyVersions } from './support/rebuildFixtures.js';
import { type CallRecorder, type RecordedCall, recordCalls } from './support/recordCalls.js';

const moto = motoServerOrSkip('iam-policy: the Lambda, ECS and EventBridge calls of the CLI');
const HOUR = 3_600_000;
// Commands that call no AWS API: they print (stackset, iam-policy, bootstrap) or start DynamoDB Local (local).
const NO_AWS = ['local', 'stackset', 'iam-policy', 'bootstrap', 'sql'];

const stage = `iam${randomBytes(3).toString('hex')}`;
const tables = cfn.tableNames(stage);
const fn = `ecs-event-store-${stage}-ingest`;
const region = 'us-east-1';
const names: PolicyNames = {
  partition: 'aws',
  region,
  account: '123456789012',
  tables,
  ingestFunction: fn,
  archive: deployedNames(stage).archive,
  ingestRulePath: `rule/${deployedNames(stage).rule}`,
};

let server: MotoServer | undefined;
let pipeline: Pipeline;
let recorder: CallRecorder;
let dir: string;
let events: EcsEvent[];
let motoClusterArn: string;
let fixture: UseFixture;
const saved = { ...process.env };

/**
 * Run before a use (outside its recording): damage that makes `verify` find drift (a missing row and an
 * orphan), so that its recheck and `--repair` writes are exercised as in real life whatever ran before.
 */
async function damageState(): Promise<void> {
  const recent = (type: string) =>
    events.find((e) => e['detail-type'] === type && Date.parse(e.time as string) > Date.now() - 6 * HOUR) as EcsEvent;
  const task = recent('ECS Task State Change').detail;
  const instance = recent('ECS Container Instance State Change').detail;
  const put = (TableName: string, Item: Record<string, unknown>) =>
    pipeline.doc.send(new PutCommand({ TableName, Item }));
  await pipeline.doc.send(new DeleteCommand({ TableName: tables.taskState, Key: { taskArn: task.taskArn } }));
  await pipeline.doc.send(
    new DeleteCommand({
      TableName: tables.instanceState,
      Key: { containerInstanceArn: instance.containerInstanceArn },
    }),
  );
  const orphan = (type: string) => `arn:aws:ecs:us-east-1:111122223333:${type}/prod/0rphan0000000000000000000000000`;
  await put(tables.taskState, {
    taskArn: orphan('task'),
    clusterArn: task.clusterArn,
    lastStatus: 'RUNNING',
    version: 3,
  });
  await put(tables.instanceState, {
    containerInstanceArn: orphan('container-instance'),
    clusterArn: instance.clusterArn,
    status: 'ACTIVE',
    version: 3,
  });
}

/** What some uses need first, by use: the data they act on. */
const PREPARE: Record<string, () => Promise<void>> = {
  'trust-tampered <arn> <version>': async () => {
    await pipeline.doc.send(
      new UpdateCommand({
        TableName: tables.eventLog,
        Key: fixture.tampered,
        UpdateExpression: 'SET #e = :e',
        ExpressionAttributeNames: { '#e': 'eventId' },
        ExpressionAttributeValues: { ':e': 'fixed-by-hand' },
      }),
    );
    await pipeline.poller().drain();
  },
  verify: damageState,
  'verify --since T': damageState,
  'verify --repair --delete-orphans': damageState,
};

/** The estate's resources, for the uses' argv (cli/iamTargets.ts UseFixture). */
function fixtureOf(): UseFixture {
  const task = events.find((e) => e['detail-type'] === 'ECS Task State Change') as EcsEvent;
  const service = events.find((e) => e['detail-type'] === 'ECS Deployment State Change') as EcsEvent;
  return {
    taskArn: task.detail.taskArn as string,
    clusterArn: task.detail.clusterArn as string,
    serviceArn: (service.resources as string[])[0] as string,
    ecsClusterArn: motoClusterArn,
    // The log key PREPARE tampers with before `trust-tampered` (a deliberate fix on DynamoDB Local).
    tampered: { arn: task.detail.taskArn as string, version: task.detail.version as number },
    stage,
    ingestFunction: fn,
    file: (name) => join(dir, name),
  };
}

/** Readers first (they change nothing), then the uses that write, the break-glass one last. */
const runOrder = (uses: readonly Use[]): Use[] =>
  [...uses].sort((a, b) => POLICY_ROLES.indexOf(a.role) - POLICY_ROLES.indexOf(b.role));

/** Runs one CLI invocation in this process, its output kept out of the test log. */
async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const writes = { out: process.stdout.write, err: process.stderr.write };
  let out = '';
  const keep = (chunk: unknown) => {
    out += String(chunk);
    return true;
  };
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  try {
    return { code: await main(argv, { env: process.env }), out };
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  }
}

/** `action resource` patterns (a `*` in the resource matches anything) against recorded `action resource` pairs. */
function compare(granted: readonly string[], calls: readonly string[]) {
  const matcher = (g: string) => new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const patterns = granted.map((g) => ({ g, re: matcher(g) }));
  return {
    /** Called, but granted by nothing: the policy lacks it. */
    lacking: calls.filter((c) => !patterns.some((p) => p.re.test(c))),
    /** Granted, but nothing called it: the policy grants too much. */
    unused: patterns.filter((p) => !calls.some((c) => p.re.test(c))).map((p) => p.g),
  };
}

const pairs = (calls: readonly RecordedCall[]) => [...new Set(calls.map((c) => `${c.action} ${c.resource}`))].sort();
const granted = (uses: Parameters<typeof needs>[0]) =>
  [...needs(uses)]
    .flatMap(([key, actions]) => [...actions].map((a) => `${a} ${resourcePath(JSON.parse(key) as Target, names)}`))
    .sort();

describe.skipIf(moto.skip)('ecs-events iam-policy: exactly what the commands call', () => {
  const recorded = new Map<string, RecordedCall[]>();

  beforeAll(async () => {
    server = await startMotoServer();
    const endpoint = server.endpoint;
    Object.assign(process.env, {
      AWS_REGION: region,
      AWS_ENDPOINT_URL_LAMBDA: endpoint,
      AWS_ENDPOINT_URL_ECS: endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
      EVENT_LOG_TABLE: tables.eventLog,
      TASK_STATE_TABLE: tables.taskState,
      INSTANCE_STATE_TABLE: tables.instanceState,
    });
    dir = mkdtempSync(join(tmpdir(), 'ecs-events-iam-'));

    // The store: a stage's tables on DynamoDB Local, an estate ingested and projected.
    pipeline = await createPipeline(tables);
    const rng = seededRandom(14);
    events = [
      ...generateWorkload(rng, { tasks: 12, instances: 2, clusters: 1, startMs: Date.now() - 5 * HOUR }),
      ...generateServiceWorkload(rng, { clusters: 1, servicesPerCluster: 1, startMs: Date.now() - 5 * HOUR }),
      // A task and an instance that ended long ago: their rows have expired, so rebuild deletes any older row.
      ...manyVersions(rng, {
        tasks: 1,
        instances: 1,
        versions: 2,
        startMs: Date.now() - 60 * 24 * HOUR,
        firstId: 4000,
      }).map((e) =>
        e.detail.containerInstanceArn && e.detail.version === 2
          ? { ...e, detail: { ...e.detail, status: 'INACTIVE' } }
          : e,
      ),
    ];
    for (const e of events) await pipeline.ingest(e);
    await pipeline.poller().drain();
    writeFileSync(join(dir, 'one.ndjson'), `${JSON.stringify(events[0])}\n`);

    // moto: the ingest function (Lambda without Docker: it answers what it is told), a cluster, the
    // ingest rule and its archive, as the stage deploys them.
    const json = (path: string, body: unknown) =>
      fetch(`${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => {
        if (!r.ok) throw new Error(`${path}: ${r.status}`);
      });
    await json('/moto-api/config', { lambda: { use_docker: false } });
    const config = { endpoint, region, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
    const lambda = new LambdaClient(config);
    const ecs = new ECSClient(config);
    const eventBridge = new EventBridgeClient(config);
    try {
      // The function's role (moto checks that it exists): IAM's query API, signed as moto accepts.
      const iam = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `AWS4-HMAC-SHA256 Credential=moto/20260101/${region}/iam/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: new URLSearchParams({
          Action: 'CreateRole',
          Version: '2010-05-08',
          RoleName: `ecs-event-store-${stage}-ingest`,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      });
      expect(iam.status, await iam.text()).toBe(200);
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: fn,
          Runtime: 'nodejs22.x',
          Role: `arn:aws:iam::${names.account}:role/ecs-event-store-${stage}-ingest`,
          Handler: 'dist/ingest/ingest.handler',
          Code: { ZipFile: Buffer.from('PK\u0005\u0006'.padEnd(22, '\u0000')) },
        }),
      );
      const first = events[0] as EcsEvent;
      await json('/moto-api/static/lambda-simple/response', {
        account_id: names.account,
        region,
        results: [JSON.stringify({ outcome: 'appended', arn: first.detail.taskArn, version: first.detail.version })],
      });
      // A cluster that ECS knows and the store does not: reconcile lists and describes its tasks and instance.
      await freezeMotoTasks(endpoint);
      motoClusterArn = (await motoCluster(ecs, endpoint, `recon-${stage}`, 1)).clusterArn;
      await motoRunTasks(ecs, `recon-${stage}`, 2);
      const rule = await eventBridge.send(
        new PutRuleCommand({ Name: deployedNames(stage).rule, EventPattern: JSON.stringify({ source: ['aws.ecs'] }) }),
      );
      expect(rule.RuleArn).toBeDefined();
      await eventBridge.send(
        new CreateArchiveCommand({
          ArchiveName: names.archive,
          EventSourceArn: `arn:aws:events:${region}:${names.account}:event-bus/default`,
        }),
      );
    } finally {
      lambda.destroy();
      ecs.destroy();
      eventBridge.destroy();
    }

    fixture = fixtureOf();
    recorder = recordCalls();
    for (const { use, argv } of runOrder(USES)) {
      await PREPARE[use]?.();
      const line = argv(fixture);
      const mark = recorder.calls.length;
      const result = await run(line);
      // 1 is an answer (drift, differences), not a failure of the call; an error is printed as `ecs-events <command>: ...`.
      if (![0, 1].includes(result.code) || result.out.includes(`ecs-events ${line[0]}: `)) {
        throw new Error(`ecs-events ${line.join(' ')} exited ${result.code}:\n${result.out.slice(-2000)}`);
      }
      recorded.set(use, recorder.since(mark));
      if (process.env.IAM_POLICY_DUMP)
        writeFileSync(`${process.env.IAM_POLICY_DUMP}.${use.split(' ')[0]}.out`, result.out);
    }
    if (process.env.IAM_POLICY_DUMP) {
      writeFileSync(
        process.env.IAM_POLICY_DUMP,
        JSON.stringify(Object.fromEntries([...recorded].map(([u, c]) => [u, pairs(c)])), null, 1),
      );
    }
  }, 240_000);

  afterAll(async () => {
    recorder?.stop();
    pipeline?.client.destroy();
    await server?.stop();
    process.env = saved;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('covers every command that calls AWS, each use in its own command and run by its own argv', () => {
    const silent = Object.entries(COMMANDS).filter(([, c]) => c.uses.length === 0);
    expect(silent.map(([name]) => name).sort()).toEqual([...NO_AWS].sort());
    for (const [name, command] of Object.entries(COMMANDS)) {
      for (const u of command.uses) {
        expect(u.use.split(' ')[0], u.use).toBe(name);
        expect(u.argv(fixture)[0], u.use).toBe(name);
      }
    }
    expect(new Set(USES.map((u) => u.use)).size).toBe(USES.length);
  });

  it.each(USES.map((u) => [u.use, u] as const))('%s calls exactly what its entry grants', (use, entry) => {
    const calls = pairs(recorded.get(use) ?? []);
    expect(calls.length).toBeGreaterThan(0);
    expect(compare(granted([entry]), calls), `"${use}" called ${JSON.stringify(calls, null, 1)}`).toEqual({
      lacking: [],
      unused: [],
    });
  });

  it.each(POLICY_ROLES)('the %s policy grants exactly what its commands call, no more', (role) => {
    const calls = usesOf(role).flatMap((u) => recorded.get(u.use) ?? []);
    const policy = iamPolicy(role, names);
    const prefix = /^arn:aws:[a-z0-9-]+:us-east-1:123456789012:/;
    const inPolicy = policy.Statement.flatMap((s) =>
      s.Action.map((a) => `${a} ${s.Resource === '*' ? '*' : s.Resource.replace(prefix, '')}`),
    ).sort();
    expect(compare(inPolicy, pairs(calls))).toEqual({ lacking: [], unused: [] });
    expect(policy.Statement.every((s) => s.Resource === '*' || prefix.test(s.Resource))).toBe(true);
    // The reader policy writes nothing.
    if (role === 'reader') {
      expect(
        inPolicy.filter((p) => /:(PutItem|DeleteItem|UpdateItem|BatchWriteItem|InvokeFunction|StartReplay) /.test(p)),
      ).toEqual([]);
    }
  });

  it('prints the policy from the command line, for a stage, region and account', async () => {
    const out = await run([
      'iam-policy',
      '--role',
      'reader',
      '--stage',
      stage,
      '--region',
      region,
      '--account',
      names.account,
    ]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.out)).toEqual(iamPolicy('reader', names));
    expect((await run(['iam-policy', '--role', 'admin'])).code).toBe(2);
  });
});
