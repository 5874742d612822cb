// The Lambda bundles as the deploy builds them (scripts/build.mjs), each run in a fresh Node process on
// a list of events, one invocation at a time, against DynamoDB Local: what a Lambda execution
// environment would spend on them. Per invocation: CPU (user + system of the whole process, so the
// SDK's HTTP client and GC count), wall time, bytes and lines written to stdout and stderr (what Lambda
// sends to CloudWatch Logs); per process: the import's CPU (the INIT phase) and the peak resident memory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

export type BundleName = 'ingest' | 'projector' | 'guide';

export interface BundleRun {
  readonly bundle: BundleName;
  readonly invocations: number;
  /** CPU and wall ms of importing the bundle: Lambda's INIT phase (clients are made on the first call). */
  readonly initCpuMs: number;
  readonly initWallMs: number;
  /** Per invocation, in order. */
  readonly cpuMs: readonly number[];
  readonly wallMs: readonly number[];
  readonly outputBytes: readonly number[];
  readonly outputLines: readonly number[];
  /** Peak resident set of the process (MB, 2^20 bytes; /proc VmHWM, else getrusage), after every invocation. */
  readonly maxRssMb: number;
  /** getrusage's maxRSS, for comparison (it may include the parent's high-water mark). */
  readonly rusageMaxRssMb?: number;
  /** Invocations that threw, or (projector) reported batch item failures. */
  readonly failures: number;
  /** Every custom-metric series the EMF documents of the run name: `Namespace Metric{dim=value,…}`. */
  readonly series: readonly string[];
}

/** What scripts/build.mjs offers bench/ (plain ESM, typed here). */
interface BuildScript {
  buildFunctions(options?: {
    outdir?: string;
    entries?: { name: string; source: string }[];
  }): Promise<{ name: string; file: string; bytes: number }[]>;
}

/** Builds the ingest and projector bundles and the guide's (bench/support/guideHandler.ts) alike. */
export async function buildBundles(outdir: string): Promise<Record<BundleName, string>> {
  const build = (await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href)) as BuildScript;
  const ours = await build.buildFunctions({ outdir: join(outdir, 'functions') });
  const [guide] = await build.buildFunctions({
    outdir: join(outdir, 'guide'),
    entries: [{ name: 'guide', source: join(root, 'bench', 'support', 'guideHandler.ts') }],
  });
  const file = (name: string) => {
    const found = ours.find((b) => b.name === name)?.file;
    if (!found) throw new Error(`scripts/build.mjs built no ${name} bundle`);
    return found;
  };
  if (!guide) throw new Error('scripts/build.mjs built no bundle of the guide’s function');
  return { ingest: file('ingest'), projector: file('projector'), guide: guide.file };
}

// The child: imports the bundle (timed), then invokes its handler on each event in turn, counting what
// each invocation writes. Its own stdout goes nowhere (Lambda's goes to a pipe); the counts go to a file.
const CHILD = `
import { readFileSync, writeFileSync } from 'node:fs';
const env = process.env;
let bytes = 0, lines = 0;
const series = new Set();
const emf = (line) => {
  if (!line.startsWith('{"_aws"')) return;
  const doc = JSON.parse(line);
  for (const d of doc._aws.CloudWatchMetrics)
    for (const m of d.Metrics)
      for (const set of d.Dimensions)
        series.add(d.Namespace + ' ' + m.Name + '{' + set.map((k) => k + '=' + doc[k]).join(',') + '}');
};
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    bytes += Buffer.byteLength(s);
    for (const c of s) if (c === '\\n') lines++;
    for (const line of s.split('\\n')) emf(line);
    return write(chunk, ...rest);
  };
}
// One event parsed per invocation from NDJSON bytes, so that the harness holds ≈ the file's size, not
// every event as objects (Lambda hands a function one event at a time): the peak memory is the bundle's.
const file = readFileSync(env.BENCH_EVENTS);
let at = 0;
const nextEvent = () => {
  const end = file.indexOf(10, at);
  const line = file.subarray(at, end).toString('utf8');
  at = end + 1;
  return JSON.parse(line);
};
const t0 = performance.now(), c0 = process.cpuUsage();
const { handler } = await import(env.BENCH_BUNDLE);
const ci = process.cpuUsage(c0);
const initWallMs = performance.now() - t0;
const out = { cpuMs: [], wallMs: [], outputBytes: [], outputLines: [], failures: 0 };
for (let i = 0; i < Number(env.BENCH_COUNT); i++) {
  const event = nextEvent();
  const context = { awsRequestId: 'bench-' + i, invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:bench', functionVersion: '$LATEST', getRemainingTimeInMillis: () => 10000 };
  const b = bytes, l = lines, t = performance.now(), c = process.cpuUsage();
  try {
    const r = await handler(event, context);
    if (r && Array.isArray(r.batchItemFailures) && r.batchItemFailures.length > 0) out.failures++;
  } catch { out.failures++; }
  const d = process.cpuUsage(c);
  out.cpuMs.push((d.user + d.system) / 1000);
  out.wallMs.push(performance.now() - t);
  out.outputBytes.push(bytes - b);
  out.outputLines.push(lines - l);
}
writeFileSync(env.BENCH_RESULTS, JSON.stringify({
  ...out,
  initCpuMs: (ci.user + ci.system) / 1000,
  initWallMs,
  // VmHWM, this process image's own high-water mark: getrusage's maxRSS can carry the spawning
  // parent's over exec (the full bench read 124 MB for every bundle at every size that way).
  maxRssMb: (Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) ||
    process.resourceUsage().maxRSS) / 1024,
  rusageMaxRssMb: process.resourceUsage().maxRSS / 1024,
  series: [...series].sort(),
}));
`;

/**
 * The heap limits Lambda's Node.js runtime starts node with for a memory size (its bootstrap: a tenth
 * of the memory for the young generation, half of that per semi-space, the rest for the old one), so
 * that V8 collects as it would there, and the peak memory and GC CPU are those of that size.
 */
export const lambdaHeapFlags = (memoryMb: number): string[] => {
  const young = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(young / 2)}`, `--max-old-space-size=${memoryMb - young}`];
};

/**
 * Runs one bundle on `events` in a fresh process with `env` (the function's deployed settings and
 * the DynamoDB Local endpoint) and the heap limits of `memoryMb`. Blocks until it is done.
 */
export function runBundle(
  bundle: BundleName,
  file: string,
  events: readonly unknown[],
  env: Record<string, string>,
  memoryMb: number,
): BundleRun & { readonly memoryMb: number } {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-events-bundle-'));
  try {
    const eventsFile = join(dir, 'events.json');
    const resultsFile = join(dir, 'results.json');
    writeFileSync(eventsFile, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const child = spawnSync(process.execPath, [...lambdaHeapFlags(memoryMb), '--input-type=module', '-e', CHILD], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 256 * 2 ** 20,
      env: {
        PATH: process.env.PATH,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
        BENCH_BUNDLE: pathToFileURL(file).href,
        BENCH_EVENTS: eventsFile,
        BENCH_COUNT: String(events.length),
        BENCH_RESULTS: resultsFile,
      },
    });
    if (child.status !== 0) throw new Error(`running the ${bundle} bundle failed:\n${child.stderr}`);
    const r = JSON.parse(readFileSync(resultsFile, 'utf8')) as Omit<BundleRun, 'bundle' | 'invocations'>;
    return { bundle, memoryMb, invocations: events.length, ...r };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
