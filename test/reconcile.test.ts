// Reconcile against a real ECS API implementation: moto_server (Python moto 5.2.1), with its gaps
// closed by visible middleware on the test's ECS client (test/support/motoEcs.ts), and the store on
// DynamoDB Local with the real projector reading the real stream.
import type { ECSClient } from '@aws-sdk/client-ecs';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeStoredEvent } from '../domain/eventCodec.js';
import { createReconcilerHandler } from '../functions/reconciler.js';
import { createDocumentClient } from '../infra/client.js';
import { ecsGateway } from '../infra/ecs.js';
import type { Pipeline } from '../local/localStack.js';
import type { StreamPoller } from '../local/streamPoller.js';
import { recentStart } from '../sim/clock.js';
import { rebuild } from '../usecases/rebuild.js';
import { type ReconcileReport, reconcile } from '../usecases/reconcile.js';
import { verify } from '../usecases/verify.js';
import {
  freezeMotoTasks,
  type MotoGaps,
  motoCluster,
  motoEcsClient,
  motoGaps,
  motoRunTasks,
  motoStopTask,
} from './support/motoEcs.js';
import { type MotoServer, motoServerOrSkip, resetMoto, startMotoServer } from './support/motoServer.js';
import { logScanOf, scanAll, testPipeline } from './support/pipeline.js';
import { runCli } from './support/runCli.js';

const moto = motoServerOrSkip('test/reconcile.test.ts');

let server: MotoServer;
beforeAll(async () => {
  if (moto.skip) return;
  server = await startMotoServer();
});
afterAll(async () => {
  await server?.stop();
});

/** One test's world: a moto cluster, fresh tables, the projector on their stream, counted log writes. */
interface World {
  readonly pipeline: Pipeline;
  readonly poller: StreamPoller;
  readonly gaps: MotoGaps;
  readonly ecs: ECSClient;
  readonly clusterArn: string;
  readonly instanceArns: string[];
  /** A document client whose PutItem requests on the log are counted. */
  readonly doc: DynamoDBDocumentClient;
  logPuts: number;
}

async function world(label: string, instances = 2): Promise<World> {
  const gaps = motoGaps();
  const ecs = motoEcsClient(server.endpoint, gaps);
  // The moto side and the store's tables are independent: made side by side.
  const [{ clusterArn, instanceArns }, pipeline] = await Promise.all([
    (async () => {
      await resetMoto(server.endpoint);
      await freezeMotoTasks(server.endpoint);
      return motoCluster(ecs, server.endpoint, 'prod', instances);
    })(),
    testPipeline(`${import.meta.filename}-${label}`),
  ]);
  const doc = createDocumentClient();
  const w: World = { pipeline, poller: pipeline.poller(), gaps, ecs, clusterArn, instanceArns, doc, logPuts: 0 };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string };
      if (/^Put(Item)?Command$/.test(String(context.commandName)) && input.TableName === pipeline.tables.eventLog)
        w.logPuts++;
      return next(args);
    },
    { step: 'initialize', name: 'countLogPuts' },
  );
  return w;
}

/** One reconcile run (repairing unless dryRun), then the projector drains the stream. */
async function run(w: World, options: { dryRun?: boolean; rate?: number } = {}): Promise<ReconcileReport> {
  const report = await reconcile({
    doc: w.doc,
    tables: w.pipeline.tables,
    ecs: ecsGateway(w.ecs, { rate: options.rate }),
    clusters: ['prod'],
    dryRun: options.dryRun,
    redactEnvironment: true,
  });
  await w.poller.drain();
  return report;
}

/** What `verify` finds between the log and the latest-state tables (the pipeline's own by default). */
async function driftOf(w: World, targets = logScanOf(w.pipeline).targets) {
  return (await verify({ ...logScanOf(w.pipeline), targets, ttlDays: 30 })).drift;
}

const taskRow = async (w: World, arn: string) =>
  (await w.doc.send(new GetCommand({ TableName: w.pipeline.tables.taskState, Key: { taskArn: arn } }))).Item;

/** Where the events' times start: the recent past, so no STOPPED row is ever past its TTL (no time bomb). */
const START_MS = recentStart();
const secondsIn = (seconds: number) => new Date(START_MS + seconds * 1000).toISOString();

/** A real-shaped ECS Task State Change event of a task that moto runs, `seconds` after START_MS. */
function taskEvent(w: World, taskArn: string, version: number, lastStatus: string, seconds: number) {
  const at = secondsIn(seconds);
  return {
    version: '0',
    id: `evt-${taskArn.slice(-6)}-${version}`,
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: '123456789012',
    time: at,
    region: 'us-east-1',
    resources: [taskArn],
    detail: {
      taskArn,
      clusterArn: w.clusterArn,
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
      containerInstanceArn: w.instanceArns[0],
      lastStatus,
      desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
      createdAt: secondsIn(0),
      updatedAt: at,
      version,
      overrides: { containerOverrides: [] },
      containers: [],
    },
  };
}

const ONLY = (r: ReconcileReport) => Object.fromEntries(Object.entries(r.counts).filter(([, n]) => n > 0));

describe.skipIf(moto.skip)('reconcile on moto_server', () => {
  let w: World;
  beforeEach(async (context) => {
    w = await world(context.task.name.slice(0, 20));
    return () => w.pipeline.client.destroy();
  });

  it('day 0: snapshots the running tasks and instances into the log as observations; a second run writes nothing', async () => {
    const tasks = await motoRunTasks(w.ecs, 'prod', 5);
    w.gaps.versions.set(tasks[0] as string, 4);
    w.gaps.versions.set(w.instanceArns[0] as string, 14801);

    const first = await run(w);
    expect(ONLY(first)).toEqual({ missing: 7 });
    expect(first.byKind.task.missing).toBe(5);
    expect(first.repair).toMatchObject({ appended: 7, alreadyLogged: 0, reportOnly: 0 });
    expect(w.logPuts).toBe(7);

    // The log: under `<arn>#observed` + the API's version, in the event's shape, marked as observed.
    const log = await scanAll(w.pipeline.doc, w.pipeline.tables.eventLog);
    const obs = log.find((i) => i.arn === `${tasks[0]}#observed`) as Record<string, unknown>;
    expect(obs).toMatchObject({ version: 4, detailType: 'Observed Task State' });
    expect(String(obs.timelineKey).startsWith(`${w.clusterArn}#`)).toBe(true); // on the cluster timeline
    const event = JSON.parse(decodeStoredEvent(obs));
    expect(event).toMatchObject({
      source: 'ecs-events.reconciler',
      'detail-type': 'Observed Task State',
      observedBy: 'DescribeTasks',
      resources: [tasks[0]],
      detail: { taskArn: tasks[0], version: 4, lastStatus: 'RUNNING', tags: [{ key: 'team', value: 'payments' }] },
    });
    expect(log.some((i) => i.arn === tasks[0])).toBe(false); // never the event's own key

    // The rows: states of `<arn>`, from the projector, tags kept, ISO timestamps as events carry them.
    const row = await taskRow(w, tasks[0] as string);
    expect(row).toMatchObject({ taskArn: tasks[0], version: 4, lastStatus: 'RUNNING', tags: [{ key: 'team' }] });
    expect(typeof row?.observedAt).toBe('number');
    const instances = await scanAll(w.pipeline.doc, w.pipeline.tables.instanceState);
    expect(instances).toHaveLength(2);
    const big = instances.find((i) => i.containerInstanceArn === w.instanceArns[0]) as Record<string, unknown>;
    expect(big).toMatchObject({ version: 14801, status: 'ACTIVE', clusterArn: w.clusterArn });
    expect(big.registeredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // A Resource carries only the value field of its type, as in events (the API fills them all with 0).
    expect((big.registeredResources as Record<string, unknown>[])[0]).toEqual({
      name: 'CPU',
      type: 'INTEGER',
      integerValue: expect.any(Number),
    });

    w.logPuts = 0;
    const second = await run(w);
    expect(ONLY(second)).toEqual({ agree: 7 });
    expect(second.clean).toBe(true);
    expect(second.findings).toEqual([]);
    expect(w.logPuts).toBe(0);
  });

  it('a lost STOPPED event: the row is behind, an observation moves it; the late event still appends', async () => {
    const [task] = (await motoRunTasks(w.ecs, 'prod', 1)) as [string];
    await w.pipeline.ingest(taskEvent(w, task, 1, 'PENDING', 0));
    await w.pipeline.ingest(taskEvent(w, task, 2, 'RUNNING', 30));
    await w.poller.drain();
    // The STOPPED event (version 3) is lost: ECS has it, the store does not.
    await motoStopTask(w.ecs, 'prod', task);
    w.gaps.versions.set(task, 3);
    w.gaps.versions.set(w.instanceArns[0] as string, 1);

    const report = await run(w);
    expect(report.byKind.task).toMatchObject({ behind: 1, ghost: 0, missing: 0 });
    expect(report.findings.find((f) => f.arn === task)).toMatchObject({
      class: 'behind',
      rowVersion: 2,
      ecsVersion: 3,
      rowStatus: 'RUNNING',
      ecsStatus: 'STOPPED',
      outcome: 'appended',
    });
    const row = await taskRow(w, task);
    expect(row).toMatchObject({ version: 3, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    expect(typeof row?.expiresAt).toBe('number'); // terminal: the row expires like an event's

    // The real event of version 3 arrives late: it appends under its own key, and changes no row.
    const late = await w.pipeline.ingest(taskEvent(w, task, 3, 'STOPPED', 300));
    expect(late.outcome).toBe('appended');
    await w.poller.drain();
    expect(await taskRow(w, task)).toEqual(row);

    // History shows both, marked; verify calls either state of version 3 clean.
    const [history, table] = await Promise.all([
      runCli(['history', task, '--json'], w.pipeline.tables),
      runCli(['history', task], w.pipeline.tables),
    ]);
    const items = JSON.parse(history.stdout).items as Record<string, unknown>[];
    expect(items.map((i) => [i.version, i.origin])).toEqual([
      [1, 'event'],
      [2, 'event'],
      [3, 'event'],
      [3, 'observed'],
    ]);
    expect(
      table.stdout
        .split('\n')
        .filter((l) => l.startsWith('3'))
        .map((l) => l.split('\t')[0]),
    ).toEqual(['3', '3 observed']);
    expect(await driftOf(w)).toEqual([]);
  });

  it('a lost intermediate version: the observation fills it, the next event moves past it', async () => {
    const [task] = (await motoRunTasks(w.ecs, 'prod', 1)) as [string];
    await w.pipeline.ingest(taskEvent(w, task, 1, 'PENDING', 0));
    await w.poller.drain();
    w.gaps.versions.set(task, 2); // RUNNING at version 2: that event was lost

    const report = await run(w);
    expect(report.findings.filter((f) => f.kind === 'task')).toEqual([
      expect.objectContaining({ class: 'behind', rowVersion: 1, ecsVersion: 2, outcome: 'appended' }),
    ]);
    expect(await taskRow(w, task)).toMatchObject({ version: 2, lastStatus: 'RUNNING' });

    await w.pipeline.ingest(taskEvent(w, task, 3, 'STOPPED', 600));
    await w.poller.drain();
    const row = await taskRow(w, task);
    expect(row).toMatchObject({ version: 3, lastStatus: 'STOPPED' });
    expect(row?.observedAt).toBeUndefined(); // an event's row again
  });

  it('a ghost: marked in the log without a version of its own; the row shows it, a rebuild reproduces it', async () => {
    await motoRunTasks(w.ecs, 'prod', 1);
    // A task whose STOPPED event never came, and that ECS has forgotten.
    const ghost = 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';
    await w.pipeline.ingest(taskEvent(w, ghost, 1, 'PENDING', 0));
    await w.pipeline.ingest(taskEvent(w, ghost, 2, 'RUNNING', 30));
    await w.poller.drain();

    const report = await run(w);
    expect(report.findings.find((f) => f.arn === ghost)).toMatchObject({
      class: 'ghost',
      rowVersion: 2,
      rowStatus: 'RUNNING',
      ecsFailure: 'MISSING',
      outcome: 'appended',
    });
    // One history-only item under `<arn>#observed-missing`, keyed by the row's version: no state invented.
    const marks = (await scanAll(w.pipeline.doc, w.pipeline.tables.eventLog)).filter((i) =>
      String(i.arn).startsWith(ghost),
    );
    expect(marks.map((i) => [i.arn, i.version, i.detailType])).toEqual(
      expect.arrayContaining([[`${ghost}#observed-missing`, 2, 'Observed Task Missing']]),
    );
    expect(marks.filter((i) => String(i.arn).endsWith('#observed'))).toEqual([]);
    const [history, tasks, row] = await Promise.all([
      runCli(['history', ghost], w.pipeline.tables),
      runCli(['tasks', '--cluster', w.clusterArn, '--json'], w.pipeline.tables),
      taskRow(w, ghost),
    ]);
    expect(history.stdout).toContain('2 missing (MISSING)');
    expect(row).toMatchObject({ version: 2, lastStatus: 'RUNNING' });
    expect(typeof row?.lastSeenMissingAt).toBe('number');

    // `tasks` shows the mark.
    const listed = (JSON.parse(tasks.stdout).items as Record<string, unknown>[]).find((t) => t.taskArn === ghost);
    expect(listed?.lastSeenMissingAt).toBe(row?.lastSeenMissingAt);

    // A rebuild into fresh tables reproduces the mark, and verify finds them clean.
    const targets = { task: `${w.pipeline.tables.taskState}-r`, instance: `${w.pipeline.tables.instanceState}-r` };
    const rebuilt = await rebuild({
      doc: w.pipeline.doc,
      client: w.pipeline.client,
      eventLog: w.pipeline.tables.eventLog,
      targets,
      ttlDays: 30,
    });
    expect(rebuilt.complete).toBe(true);
    const again = (await w.doc.send(new GetCommand({ TableName: targets.task, Key: { taskArn: ghost } })))
      .Item as Record<string, unknown>;
    expect(again).toEqual(row);
    expect(await driftOf(w, targets)).toEqual([]);

    // The next run finds the marked ghost settled: agree, nothing written.
    w.logPuts = 0;
    const second = await run(w);
    expect(second.clean).toBe(true);
    expect(second.marked).toBe(1);
    expect(w.logPuts).toBe(0);
  });

  it('pages ListTasks past 100 tasks and describes them 100 at a time', async () => {
    const tasks = await motoRunTasks(w.ecs, 'prod', 123);
    const report = await run(w);
    expect(report.byKind.task.missing).toBe(123);
    // RUNNING: 2 pages; STOPPED: 1 page. DescribeTasks: 100 + 23 (moto refuses more than 100).
    expect(report.apiCalls.ListTasks).toEqual({ requests: 3, retries: 0 });
    expect(report.apiCalls.DescribeTasks).toEqual({ requests: 2, retries: 0 });
    expect(w.gaps.requests.ListTasks).toBe(3);
    const rows = await scanAll(w.pipeline.doc, w.pipeline.tables.taskState);
    expect(rows.map((r) => r.taskArn).sort()).toEqual([...tasks].sort());
  });

  it('rides out ECS throttling with the SDK adaptive retry, and caps its own request rate', async () => {
    await motoRunTasks(w.ecs, 'prod', 3);
    w.gaps.throttle = { operation: 'DescribeTasks', times: 2 };
    const started = Date.now();
    const report = await run(w, { rate: 20 });
    expect(w.gaps.throttled).toBe(2);
    expect(report.apiCalls.DescribeTasks).toEqual({ requests: 3, retries: 2 });
    expect(report.byKind.task.missing).toBe(3);
    // Every attempt waits its turn: ListClusters, 2 ListTasks, ListContainerInstances, 1+2 DescribeTasks, 1 DescribeContainerInstances.
    const requests = Object.values(w.gaps.requests).reduce((a, b) => a + b, 0);
    expect(requests).toBeGreaterThanOrEqual(8);
    expect(Date.now() - started).toBeGreaterThanOrEqual(((requests - 1) * 1000) / 20 - 5);
  });

  it('reports an API object without a version and writes nothing (versions are never invented)', async () => {
    const [task] = (await motoRunTasks(w.ecs, 'prod', 2)) as [string];
    await w.pipeline.ingest(taskEvent(w, task, 1, 'RUNNING', 0));
    await w.poller.drain();
    w.gaps.stampVersions = false;
    w.logPuts = 0;
    const report = await run(w);
    expect(ONLY(report)).toEqual({ missing: 3, unversioned: 1 });
    expect(report.findings.every((f) => f.outcome === 'reportOnly')).toBe(true);
    expect(report.repair).toMatchObject({ appended: 0, reportOnly: 4 });
    expect(report.clean).toBe(false);
    expect(w.logPuts).toBe(0);
  });

  it('dry run: reports what it would append and appends nothing', async () => {
    await motoRunTasks(w.ecs, 'prod', 2);
    w.logPuts = 0;
    const report = await run(w, { dryRun: true });
    expect(report.repair).toMatchObject({ wouldAppend: 4, appended: 0 });
    expect(w.logPuts).toBe(0);
  });

  it('runs while the projector runs and events keep coming: rows converge to the highest version', async () => {
    const tasks = await motoRunTasks(w.ecs, 'prod', 30);
    // ECS is at version 2 for all; events v1..v3 arrive for the first ten while reconcile runs.
    for (const t of tasks) w.gaps.versions.set(t, 2);
    const running = w.poller.run(20);
    const events = (async () => {
      for (const t of tasks.slice(0, 10)) {
        for (const [v, s] of [
          [3, 'STOPPED'],
          [1, 'PENDING'],
          [2, 'RUNNING'],
        ] as const) {
          await w.pipeline.ingest(taskEvent(w, t, v, s, v * 60));
        }
      }
    })();
    const [report] = await Promise.all([
      reconcile({
        doc: w.doc,
        tables: w.pipeline.tables,
        ecs: ecsGateway(w.ecs),
        clusters: [w.clusterArn],
        redactEnvironment: true,
      }),
      events,
    ]);
    w.poller.stop();
    await running;
    await w.pipeline.poller().drain(); // a stopped poller polls no more: a fresh one reads the rest
    expect(report.byKind.task.missing + report.byKind.task.behind + report.byKind.task.agree).toBeGreaterThan(0);
    const rows = new Map(
      (await scanAll(w.pipeline.doc, w.pipeline.tables.taskState)).map((r) => [r.taskArn as string, r]),
    );
    for (const [i, t] of tasks.entries()) {
      expect(rows.get(t)?.version, t).toBe(i < 10 ? 3 : 2);
    }
    expect(await driftOf(w)).toEqual([]);
  });

  it('the reconciler Lambda repairs by default and counts each class as a metric', async () => {
    await motoRunTasks(w.ecs, 'prod', 2);
    const metrics: Record<string, number> = {};
    const handler = createReconcilerHandler({
      doc: w.doc,
      tables: w.pipeline.tables,
      ecs: w.ecs,
      clusters: [w.clusterArn],
      redactEnvironment: true,
      rate: 0,
      metrics: {
        addMetric: (name: string, _unit: unknown, value: number) => {
          metrics[name] = (metrics[name] ?? 0) + value;
        },
        publishStoredMetrics: () => {},
      } as never,
    });
    const out = await handler({});
    expect(out).toMatchObject({ clean: false, counts: { missing: 4 }, repair: { appended: 4 } });
    expect(metrics).toMatchObject({ Missing: 4, ObservationsAppended: 4 });
    await w.poller.drain();
    const again = await handler({});
    expect(again).toMatchObject({ clean: true, counts: { agree: 4 } });
  });
});

describe.skipIf(moto.skip)('ecs-events reconcile (the CLI, on moto_server without version stamps)', () => {
  it('exits 1 and reports every finding report-only, writing nothing; --help names its options', async () => {
    await resetMoto(server.endpoint);
    await freezeMotoTasks(server.endpoint);
    const ecs = motoEcsClient(server.endpoint, motoGaps());
    await motoCluster(ecs, server.endpoint, 'prod', 1);
    await motoRunTasks(ecs, 'prod', 2);
    const pipeline = await testPipeline(`${import.meta.filename}-cli`);
    try {
      const env = { AWS_ENDPOINT_URL_ECS: server.endpoint };
      // Report-only, a dry run and the help write nothing: they run side by side (the log is checked after all three).
      const [out, table, help] = await Promise.all([
        runCli(['reconcile', '--cluster', 'prod', '--json'], pipeline.tables, env),
        runCli(['reconcile', '--cluster', 'prod', '--dry-run', '--rate', '50'], pipeline.tables, env),
        runCli(['reconcile', '--help'], pipeline.tables),
      ]);
      expect(out.code, out.stderr).toBe(1);
      const report = JSON.parse(out.stdout) as ReconcileReport;
      expect(report.counts.missing).toBe(3);
      expect(report.findings.map((f) => f.outcome)).toEqual(['reportOnly', 'reportOnly', 'reportOnly']);
      expect(await scanAll(pipeline.doc, pipeline.tables.eventLog)).toEqual([]);

      expect(table.code).toBe(1);
      expect(table.stdout).toMatch(/missing\s+2\s+1/);
      expect(help.stdout).toContain('--dry-run');
      expect(help.stdout).toContain('--rate N');
    } finally {
      pipeline.client.destroy();
    }
  });
});
