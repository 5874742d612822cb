// The exit codes scripts act on (docs/cli.md "Exit codes"): 0 done, 1 a finding, 2 usage, 3 AWS or the
// endpoint failed, each error one line on stderr, `ecs-events <command>: <message> [CODE]`, naming the
// endpoint or the table. Every command family runs as the real binary against DynamoDB Local; what AWS
// alone can answer (throttling past the retries, access denied) is injected into the real clients by
// SDK middleware (test/support/sdkFault.cjs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../cli/commands/index.js';
import type { UseFixture } from '../cli/iamTargets.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { freePort } from '../local/dynamoLocal.js';
import type { Pipeline } from '../local/localStack.js';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { seededRandom } from '../sim/random.js';
import { generateServiceWorkload } from '../sim/serviceWorkload.js';
import { inParallel } from '../usecases/inParallel.js';
import { freezeMotoTasks, motoCluster, motoEcsClient, motoGaps, motoRunTasks } from './support/motoEcs.js';
import { type MotoServer, motoServerOrSkip, startMotoServer } from './support/motoServer.js';
import { testPipeline } from './support/pipeline.js';
import { runCli } from './support/runCli.js';

type CliResult = Awaited<ReturnType<typeof runCli>>;

/** Nothing listens on port 9 (discard): every connection is refused at once. */
const UNREACHABLE = 'http://127.0.0.1:9';
/** One attempt: a refused connection is not worth the SDK's backoff here. */
const ONE_ATTEMPT = { AWS_MAX_ATTEMPTS: '1' };
const SDK_FAULT = join(import.meta.dirname, 'support', 'sdkFault.cjs');
const withFault = (fault: 'throttling' | 'access-denied', operations = '') => ({
  NODE_OPTIONS: `--require ${SDK_FAULT}`,
  SDK_FAULT: fault,
  SDK_FAULT_OPERATIONS: operations,
});

let p: Pipeline;
let dir: string;
let events: EcsEvent[];
let fixture: UseFixture;

beforeAll(async () => {
  p = await testPipeline(import.meta.filename);
  dir = mkdtempSync(join(tmpdir(), 'ecs-events-exit-'));
  const rng = seededRandom(21);
  events = [
    ...generateWorkload(rng, { tasks: 4, instances: 1, clusters: 1 }),
    ...generateServiceWorkload(rng, { clusters: 1, servicesPerCluster: 1 }),
  ];
  for (const e of events) await p.ingest(e);
  await p.poller().drain();
  writeFileSync(join(dir, 'one.ndjson'), `${JSON.stringify(events[0])}\n`);
  const task = events.find((e) => e['detail-type'] === 'ECS Task State Change') as EcsEvent;
  const service = events.find((e) => e['detail-type'] === 'ECS Deployment State Change') as EcsEvent;
  fixture = {
    taskArn: task.detail.taskArn as string,
    clusterArn: task.detail.clusterArn as string,
    serviceArn: (service.resources as string[])[0] as string,
    ecsClusterArn: task.detail.clusterArn as string,
    tampered: { arn: task.detail.taskArn as string, version: task.detail.version as number },
    stage: 'exitcodes',
    ingestFunction: 'ecs-event-store-exitcodes-ingest',
    file: (name) => join(dir, name),
  };
}, 120_000);

afterAll(() => {
  p?.client.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * The one line of an error: exactly one stderr line `ecs-events <command>: ...`, ending in its code.
 * Returned for the test to check what it names.
 */
function errorLine(r: CliResult, command: string, code: string): string {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith(`ecs-events ${command}: `));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(` \\[${code}\\]$`));
  return lines[0] as string;
}

const cli = (args: readonly string[], env: Record<string, string | undefined> = {}) => runCli(args, p.tables, env);

/** Every use every command declares (cli/commands/<name>.ts `uses`): the commands that call AWS, each way. */
const USES = Object.values(COMMANDS).flatMap((c) => c.uses);

describe('exit code 3: AWS or the endpoint failed', () => {
  it('every use of every command, pointed at an endpoint that does not answer, exits 3 naming it on one line', async () => {
    const nowhere = {
      ...ONE_ATTEMPT,
      AWS_ENDPOINT_URL_DYNAMODB: UNREACHABLE,
      AWS_ENDPOINT_URL_ECS: UNREACHABLE,
      AWS_ENDPOINT_URL_LAMBDA: UNREACHABLE,
      AWS_ENDPOINT_URL_EVENTBRIDGE: UNREACHABLE,
    };
    const failed: string[] = [];
    await inParallel(USES, 3, async (use) => {
      const argv = use.argv(fixture);
      const r = await cli(argv, nowhere);
      expect(r.code, `${use.use}: ${r.stderr}`).toBe(3);
      const line = errorLine(r, argv[0] as string, 'ENDPOINT_UNREACHABLE');
      expect(line).toContain(UNREACHABLE);
      failed.push(use.use);
    });
    // Queries, load, verify and rebuild, reconcile, replay, trust-tampered: each family was run.
    expect(new Set(failed.map((u) => u.split(' ')[0]))).toEqual(new Set(USES.map((u) => u.use.split(' ')[0])));
  }, 120_000);

  it('a missing table exits 3 naming the table, the endpoint and the variable that names it', async () => {
    const log = { EVENT_LOG_TABLE: 'NoSuchLog' };
    const [history, verify, rebuild, load, trust, tasks] = await Promise.all([
      cli(['history', fixture.taskArn], log),
      cli(['verify', '--settle', '0'], log),
      cli(['rebuild', '--dry-run'], log),
      cli(['load', join(dir, 'one.ndjson')], log),
      cli(['trust-tampered', fixture.taskArn, '1'], log),
      cli(['tasks', '--cluster', fixture.clusterArn], { TASK_STATE_TABLE: 'NoSuchTasks' }),
    ]);
    const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB as string;
    for (const [r, command] of [
      [history, 'history'],
      [verify, 'verify'],
      [rebuild, 'rebuild'],
      [load, 'load'],
      [trust, 'trust-tampered'],
    ] as const) {
      expect(r.code, `${command}: ${r.stderr}`).toBe(3);
      expect(errorLine(r, command, 'TABLE_MISSING')).toContain(
        `table "NoSuchLog" does not exist at ${endpoint} (set EVENT_LOG_TABLE to the table's name)`,
      );
    }
    expect(tasks.code, tasks.stderr).toBe(3);
    expect(errorLine(tasks, 'tasks', 'TABLE_MISSING')).toContain(`table "NoSuchTasks" does not exist at ${endpoint}`);
    // The load says how far it got, on a line of its own.
    expect(load.stderr).toMatch(/^load stopped after 0 record\(s\) \(safe to re-run/m);
  });

  it('throttled past the SDK retries, or access denied, exits 3 naming the endpoint and the table', async () => {
    const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB as string;
    const [throttled, denied] = await Promise.all([
      cli(['history', fixture.taskArn], { ...withFault('throttling'), AWS_MAX_ATTEMPTS: '2' }),
      cli(['tasks', '--cluster', fixture.clusterArn], withFault('access-denied')),
    ]);
    expect(throttled.code, throttled.stderr).toBe(3);
    expect(errorLine(throttled, 'history', 'THROTTLED')).toContain(
      `DynamoDB at ${endpoint} throttled Query on table "${p.tables.eventLog}" after 2 attempts`,
    );
    expect(denied.code, denied.stderr).toBe(3);
    expect(errorLine(denied, 'tasks', 'ACCESS_DENIED')).toContain(
      `DynamoDB at ${endpoint} denied Query on index "byClusterPhase" of table "${p.tables.taskState}"`,
    );
  });

  it('no credentials exits 3 naming the endpoint; no region is a usage error (CONFIG_INVALID)', async () => {
    const noProfile = { AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') };
    const [anonymous, nowhere] = await Promise.all([
      cli(['history', fixture.taskArn], {
        ...noProfile,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_EC2_METADATA_DISABLED: 'true',
      }),
      cli(['history', fixture.taskArn], { ...noProfile, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }),
    ]);
    expect(anonymous.code, anonymous.stderr).toBe(3);
    expect(errorLine(anonymous, 'history', 'ACCESS_DENIED')).toContain(
      `DynamoDB at ${process.env.AWS_ENDPOINT_URL_DYNAMODB} denied Query on table "${p.tables.eventLog}" (CredentialsProviderError`,
    );
    expect(nowhere.code, nowhere.stderr).toBe(2);
    expect(errorLine(nowhere, 'history', 'CONFIG_INVALID')).toContain('set AWS_REGION');
  });

  it('a rebuild whose segments stay throttled prints its report and exits 3 (resumable)', async () => {
    const r = await cli(['rebuild', '--segments', '2', '--checkpoint', join(dir, 'throttled.json')], {
      ...withFault('throttling', 'Scan'),
      AWS_MAX_ATTEMPTS: '1',
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/errors\s+2/);
    expect(r.stdout).toMatch(
      /error: segment \d: .*ProvisionedThroughputExceededException|error: segment \d: .*rate is too high/,
    );
    expect(r.stderr).toContain('rerun with --resume');
  });
});

describe('exit code 2: usage', () => {
  it('a bad option, a bad time or an unknown cluster name exits 2 with its code, the usage after it', async () => {
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{ not json');
    const cases: [readonly string[], string, Record<string, string>?][] = [
      [['timeline', '--cluster', fixture.clusterArn, '--since', 'yesterday'], 'USAGE'],
      [['tasks', '--cluster', 'nosuchcluster'], 'UNKNOWN_CLUSTER'],
      [['stopped', '--cluster', fixture.clusterArn, '--since', '1d', '--bogus'], 'USAGE'],
      [['load', join(dir, 'missing.ndjson')], 'INPUT_UNREADABLE'],
      [['verify', '--delete-orphans'], 'USAGE'],
      [['verify'], 'CONFIG_INVALID', { STATE_TTL_DAYS: 'thirty' }],
      [['rebuild', '--resume', '--checkpoint', join(dir, 'none.json')], 'CHECKPOINT_UNUSABLE'],
      [['rebuild', '--checkpoint', corrupt], 'CHECKPOINT_UNUSABLE'],
      [['reconcile', '--rate', 'fast'], 'USAGE'],
      [['replay', '--since', '2h', '--name', 'not a name'], 'USAGE'],
      [['trust-tampered', fixture.taskArn, 'seven'], 'USAGE'],
      [['trust-tampered', fixture.taskArn, String(fixture.tampered.version)], 'NOT_TAMPERED'],
      [
        ['report', '--cluster', fixture.clusterArn, '--since', '1d', '--out', join(dir, 'no', 'such', 'dir.html')],
        'FILE_UNUSABLE',
      ],
      [['local', '--data', dir, '--in-memory'], 'USAGE'],
      [['iam-policy', '--role', 'admin'], 'USAGE'],
    ];
    await inParallel(cases, 3, async ([argv, code, env]) => {
      const r = await cli(argv, env);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
      errorLine(r, argv[0] as string, code);
      expect(r.stderr).toContain(`\n\nUsage: ecs-events ${argv[0]}`);
    });
  }, 120_000);

  it('local without Java on the PATH exits 2 (JAVA_MISSING)', async () => {
    const r = await cli(['local', '--in-memory'], { PATH: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(errorLine(r, 'local', 'JAVA_MISSING')).toContain('DynamoDB Local needs Java 17 or later');
  });
});

describe('exit code 1: the answer is a finding', () => {
  it('a rejected record (load), drift (verify), a corrupt log item (history), a removed tampered key', async () => {
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${JSON.stringify(events[1])}\nnot json\n`);
    const load = await cli(['load', bad, '--json']);
    expect(load.code, load.stderr).toBe(1);
    expect(JSON.parse(load.stdout)).toMatchObject({
      rejected: 1,
      rejections: [{ at: 'line 2', reason: 'INPUT_NOT_JSON' }],
    });

    // A latest-state row gone: drift, reported, no error line.
    await p.doc.send(new DeleteCommand({ TableName: p.tables.taskState, Key: { taskArn: fixture.taskArn } }));
    const verify = await cli(['verify', '--settle', '0', '--json']);
    expect(verify.code, verify.stderr).toBe(1);
    expect(JSON.parse(verify.stdout)).toMatchObject({ clean: false, counts: { missing: 1 } });
    expect(verify.stderr).not.toMatch(/^ecs-events verify: /m);

    // A log item that holds no event: the query stops on it, said as a finding about the log.
    const broken = 'arn:aws:ecs:us-east-1:111122223333:task/prod/c0ffee00c0ffee00c0ffee00c0ffee00';
    await p.doc.send(
      new PutCommand({
        TableName: p.tables.eventLog,
        Item: {
          arn: broken,
          version: 1,
          detailType: 'ECS Task State Change',
          eventTime: Date.now(),
          event: '"nothing"',
        },
      }),
    );
    const history = await cli(['history', broken]);
    expect(history.code, history.stderr).toBe(1);
    expect(errorLine(history, 'history', 'LOG_ITEM_CORRUPT')).toContain(`log item ${broken} v1`);

    // A log item deleted (tampering the projector records from the stream) cannot be trusted: restore it first.
    const gone = events.filter((e) => e['detail-type'] === 'ECS Task State Change').at(-1) as EcsEvent;
    const key = { arn: gone.detail.taskArn as string, version: gone.detail.version as number };
    await p.doc.send(new DeleteCommand({ TableName: p.tables.eventLog, Key: key }));
    await p.poller().drain();
    const trust = await cli(['trust-tampered', key.arn, String(key.version)]);
    expect(trust.code, trust.stderr).toBe(1);
    expect(errorLine(trust, 'trust-tampered', 'TAMPERED_KEY_REMOVED')).toContain('restore it first');
  });

  it('exit code 0: a query that finds its answer', async () => {
    const r = await cli(['history', fixture.taskArn, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
});

describe('ecs-events local: a port taken by something else', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('exits 3 naming the endpoint DynamoDB Local could not serve', async () => {
    const port = await freePort();
    // Takes the port and answers nothing: DynamoDB Local cannot bind it and exits.
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((res) => server?.listen(port, '127.0.0.1', res));
    const r = await cli(['local', '--port', String(port), '--in-memory']);
    expect(r.code, r.stderr).toBe(3);
    expect(errorLine(r, 'local', 'ENDPOINT_UNREACHABLE')).toContain(
      `DynamoDB Local for http://127.0.0.1:${port} exited`,
    );
  }, 60_000);
});

const moto = motoServerOrSkip('exit codes of reconcile against moto_server');

describe.skipIf(moto.skip)('reconcile against moto_server (ECS)', () => {
  let ecs: MotoServer;
  beforeAll(async () => {
    ecs = await startMotoServer();
    // A cluster ECS knows and the store does not: its tasks are differences (missing).
    await freezeMotoTasks(ecs.endpoint);
    const client = motoEcsClient(ecs.endpoint, motoGaps());
    try {
      await motoCluster(client, ecs.endpoint, 'recon-exit', 1);
      await motoRunTasks(client, 'recon-exit', 2);
    } finally {
      client.destroy();
    }
  }, 60_000);
  afterAll(async () => ecs?.stop());

  it('an unknown cluster name exits 2; a missing state table 3; differences 1', async () => {
    const env = { AWS_ENDPOINT_URL_ECS: ecs.endpoint };
    const [unknown, missing, differences] = await Promise.all([
      cli(['reconcile', '--cluster', 'nosuchcluster', '--dry-run'], env),
      cli(['reconcile', '--cluster', 'recon-exit', '--dry-run'], { ...env, TASK_STATE_TABLE: 'NoSuchTasks' }),
      cli(['reconcile', '--cluster', 'recon-exit', '--dry-run', '--rate', '0'], env),
    ]);
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(errorLine(unknown, 'reconcile', 'UNKNOWN_CLUSTER')).toContain('no cluster named "nosuchcluster"');
    expect(missing.code, missing.stderr).toBe(3);
    expect(errorLine(missing, 'reconcile', 'TABLE_MISSING')).toContain('"NoSuchTasks" does not exist at');
    expect(differences.code, differences.stderr).toBe(1);
    expect(differences.stdout).toContain('Differences found (exit 1).');
  });
});
