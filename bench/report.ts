import type { BillFigures } from './billReport.js';
import type { ColdStartFigure } from './coldStart.js';
import type { CostResults } from './cost.js';
import type { IngestFigure } from './ingest.js';
import type { LagFigure, PipelineFigure } from './lag.js';
import type { LifecycleReportFigure } from './lifecycleReport.js';
import type { ProjectionFigure } from './projection.js';
import type { RebuildFigure } from './rebuild.js';
import { round } from './support/measure.js';
import type { WhoFigure } from './whoCalls.js';

export interface SizeResults {
  readonly events: number;
  readonly deliveries: number;
  readonly tasks: number;
  readonly instances: number;
  /** Distinct tasks and container instances: the rows a correct projection ends with. */
  readonly resources: number;
  readonly sample: { readonly deliveries: number; readonly events: number };
  readonly projection: ProjectionFigure[];
  /** Figure 1 again with deliveries in event time (plus jitter), as a live estate sends them. */
  readonly live: {
    readonly deliveries: number;
    readonly events: number;
    readonly jitterMs: number;
    readonly projection: ProjectionFigure[];
  };
  readonly ingest: IngestFigure[];
  readonly pipeline: PipelineFigure;
  readonly rebuild: RebuildFigure;
  /** Figure 7 (main size only): capacity units, dollars, bytes, read units per query, the samples. */
  readonly cost?: CostResults;
}

export interface TargetCheck {
  readonly target: string;
  readonly value: string;
  /** null: reported, no target to meet. */
  readonly met: boolean | null;
}

export interface BenchResults {
  readonly command: string;
  readonly date: string;
  readonly durationSeconds: number;
  /** CPU seconds of the benchmark process and of DynamoDB Local, over the whole run. */
  readonly cpuSeconds: { readonly node: number; readonly dynamoDbLocal: number | undefined };
  readonly machine: Record<string, unknown>;
  readonly parameters: Record<string, unknown>;
  readonly sizes: SizeResults[];
  readonly lag: LagFigure;
  readonly coldStart: ColdStartFigure;
  readonly lifecycleReport?: LifecycleReportFigure | undefined;
  /** `who --since 30d` over 10,000 calls (bench/whoCalls.ts). */
  readonly who?: WhoFigure | undefined;
  /** Figure 8, the whole bill (absent in results written before issue 25). */
  readonly bill?: BillFigures;
  targets: TargetCheck[];
}

/** The pinned results of the commit before a change (`--baseline`), for before/after columns. */
export interface Baseline {
  readonly file: string;
  readonly results: BenchResults;
}

const fmt = (n: number): string =>
  Number.isInteger(n) ? n.toLocaleString('en-US') : round(n).toLocaleString('en-US', { maximumFractionDigits: 4 });
const times = (n: number): string => (Number.isFinite(n) ? `${round(n, 3)}×` : '—');
const kib = (bytes: number): string => `${fmt(Math.round(bytes / 1024))} KiB`;

const projectionOf = (
  size: SizeResults,
  side: ProjectionFigure['side'],
  workers: number,
  order: 'shuffled' | 'live' = 'shuffled',
): ProjectionFigure => {
  const f = (order === 'live' ? size.live.projection : size.projection).find(
    (p) => p.side === side && p.workers === workers,
  );
  if (!f) throw new Error(`no ${side} figure at ${workers} workers`);
  return f;
};

const mainSize = (r: BenchResults): SizeResults => r.sizes.at(-1) as SizeResults;

export function evaluateTargets(r: BenchResults): TargetCheck[] {
  const s = mainSize(r);
  const ours = [...s.projection, ...s.live.projection].filter((p) => p.side === 'projector');
  const theirs = s.projection.filter((p) => p.side === 'baseline');
  const theirsLive = s.live.projection.filter((p) => p.side === 'baseline');
  const p16 = projectionOf(s, 'projector', 16);
  const b16 = projectionOf(s, 'baseline', 16);
  const reads = Math.max(...ours.map((p) => p.readsPerDistinctEvent));
  const writes = Math.max(...ours.map((p) => p.writesPerDistinctEvent));
  const fewer = b16.requestsPerDelivery / p16.requestsPerDelivery;
  const ourStale =
    ours.reduce((n, p) => n + p.staleRows + p.missingRows, 0) + s.pipeline.staleRows + s.pipeline.missingRows;
  const ingestPerDelivery = [
    ...s.ingest.map((i) => i.requestsPerDelivery),
    (s.pipeline.ingestRequests.reads + s.pipeline.ingestRequests.writes) / s.pipeline.deliveries,
  ];
  const ingestReads = s.ingest.reduce((n, i) => n + i.requests.reads, 0) + s.pipeline.ingestRequests.reads;
  const rb = s.rebuild;
  const cs = r.coldStart;
  return [
    { target: 'projector: 0 reads per distinct event', value: fmt(reads), met: reads === 0 },
    { target: 'projector: ≤ 1 write per distinct event', value: `${fmt(writes)} at most`, met: writes <= 1 },
    {
      target: 'projector: ≥ 2× fewer requests per delivery than the AWS guide (16 workers)',
      value: `${times(fewer)} fewer (${fmt(p16.requestsPerDelivery)} vs ${fmt(b16.requestsPerDelivery)})`,
      met: fewer >= 2,
    },
    {
      target: 'projector: faster than the AWS guide at 16 workers',
      value: `${fmt(p16.deliveriesPerSecond)} vs ${fmt(b16.deliveriesPerSecond)} deliveries/s`,
      met: p16.deliveriesPerSecond > b16.deliveriesPerSecond,
    },
    {
      target: 'projector and pipeline: 0 stale or missing rows at any concurrency',
      value: fmt(ourStale),
      met: ourStale === 0,
    },
    {
      target: 'AWS guide: stale rows it leaves, shuffled order (16 / 64 workers)',
      value: theirs
        .filter((b) => b.workers > 1)
        .map((b) => `${fmt(b.staleRows + b.missingRows)} of ${fmt(b.resources)} at ${b.workers}`)
        .join(', '),
      met: null,
    },
    {
      target: 'AWS guide: stale rows it leaves, live order (16 / 64 workers)',
      value: theirsLive
        .map((b) => `${fmt(b.staleRows + b.missingRows)} of ${fmt(b.resources)} at ${b.workers}`)
        .join(', '),
      met: null,
    },
    {
      target: 'ingest: exactly 1 request per delivery, no read (1 / 16 / 64 in flight; whole pipeline)',
      value: `${ingestPerDelivery.map((x) => fmt(round(x, 4))).join(' / ')}; ${ingestReads} reads`,
      met: ingestPerDelivery.every((x) => x === 1) && ingestReads === 0,
    },
    {
      target: 'rebuild: writes = distinct ARNs',
      value: `${fmt(rb.rebuild.requests.writes)} writes, ${fmt(rb.distinctArns)} ARNs`,
      met: rb.rebuild.requests.writes === rb.distinctArns && rb.rebuild.rowsWritten === rb.distinctArns,
    },
    { target: 'rebuild: ≥ 5× fewer writes than naive replay', value: times(rb.writesRatio), met: rb.writesRatio >= 5 },
    { target: 'rebuild: ≥ 3× faster than naive replay', value: times(rb.speedup), met: rb.speedup >= 3 },
    {
      target: 'lag p99 < 1 s (steady rate)',
      value: `${fmt(r.lag.lag.p99Ms)} ms at ${r.lag.ratePerSecond}/s`,
      met: r.lag.lag.p99Ms < 1000,
    },
    ...cs.functions.map((f) => ({
      target: `${f.name}: bundle ≤ 1.1× the bare-SDK handler`,
      value: `${times(f.bytesRatio)} (${kib(f.bytes)} vs ${kib(cs.bare.bytes)})`,
      met: f.bytesRatio <= 1.1,
    })),
    // Judged on CPU time: the wall-clock of a fresh process swings with the load of a shared machine.
    ...cs.functions.map((f) => ({
      target: `${f.name}: module init ≤ 1.1× the bare-SDK handler (CPU time)`,
      value:
        `${times(f.initCpuRatio)} (${fmt(f.initCpuMs)} vs ${fmt(cs.bare.initCpuMs)} ms CPU; ` +
        `wall ${fmt(f.initMs)} vs ${fmt(cs.bare.initMs)} ms)`,
      met: f.initCpuRatio <= 1.1,
    })),
  ];
}

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

/** The markdown docs/benchmarks.md quotes: the main table, the scaling table, the targets. */
export function renderMarkdown(r: BenchResults): string {
  const s = mainSize(r);
  const p1 = projectionOf(s, 'projector', 1);
  const b1 = projectionOf(s, 'baseline', 1);
  const p16 = projectionOf(s, 'projector', 16);
  const b16 = projectionOf(s, 'baseline', 16);
  const p64 = projectionOf(s, 'projector', 64);
  const b64 = projectionOf(s, 'baseline', 64);
  const [lp16, lb16, lp64, lb64] = [
    projectionOf(s, 'projector', 16, 'live'),
    projectionOf(s, 'baseline', 16, 'live'),
    projectionOf(s, 'projector', 64, 'live'),
    projectionOf(s, 'baseline', 64, 'live'),
  ];
  const pl = s.pipeline;
  const rb = s.rebuild;
  const cs = r.coldStart;
  const ingestBy = (n: number) => s.ingest.find((i) => i.inFlight === n) as IngestFigure;
  const lines: string[] = [];
  lines.push(
    `Workload: ${fmt(s.events)} distinct events (${fmt(s.tasks)} tasks, ${fmt(s.instances)} container instances), ` +
      `${fmt(s.deliveries)} deliveries (each event 1–3 times, shuffled), seed ${String(r.parameters.seed)}. ` +
      `1-worker and ingest rates on ${fmt(s.sample.deliveries)}-delivery samples (every delivery of a random subset of resources); ` +
      'live order and whole pipeline on the samples their rows name.',
    '',
    row(['figure', 'this project', 'compared with', 'ratio']),
    row(['---', '---:', '---:', '---:']),
    row([
      '1 · projection: DynamoDB requests per delivery (16 workers)',
      `${fmt(p16.requestsPerDelivery)} (${fmt(p16.readsPerDistinctEvent)} reads, ${fmt(p16.writesPerDistinctEvent)} writes per distinct event)`,
      `AWS guide: ${fmt(b16.requestsPerDelivery)} (1 read per delivery, ${fmt(b16.writesPerDistinctEvent)} writes per distinct event)`,
      `${times(b16.requestsPerDelivery / p16.requestsPerDelivery)} fewer`,
    ]),
    row([
      '1 · projection: deliveries/s, 1 worker',
      fmt(p1.deliveriesPerSecond),
      `AWS guide: ${fmt(b1.deliveriesPerSecond)}`,
      `${times(p1.deliveriesPerSecond / b1.deliveriesPerSecond)} faster`,
    ]),
    row([
      '1 · projection: deliveries/s, 16 workers',
      fmt(p16.deliveriesPerSecond),
      `AWS guide: ${fmt(b16.deliveriesPerSecond)}`,
      `${times(p16.deliveriesPerSecond / b16.deliveriesPerSecond)} faster`,
    ]),
    row([
      '1 · stale (or missing) rows left, 16 / 64 workers (shuffled order)',
      `${fmt(p16.staleRows + p16.missingRows)} / ${fmt(p64.staleRows + p64.missingRows)}`,
      `AWS guide: ${fmt(b16.staleRows + b16.missingRows)} / ${fmt(b64.staleRows + b64.missingRows)} (of ${fmt(s.resources)} resources)`,
      '',
    ]),
    row([
      `1 · live order (event time + 0–${fmt(s.live.jitterMs / 1000)} s, ${fmt(s.live.deliveries)} deliveries): requests per delivery, 64 workers`,
      fmt(lp64.requestsPerDelivery),
      `AWS guide: ${fmt(lb64.requestsPerDelivery)}`,
      `${times(lb64.requestsPerDelivery / lp64.requestsPerDelivery)} fewer`,
    ]),
    row([
      '1 · live order: stale (or missing) rows left, 16 / 64 workers',
      `${fmt(lp16.staleRows + lp16.missingRows)} / ${fmt(lp64.staleRows + lp64.missingRows)}`,
      `AWS guide: ${fmt(lb16.staleRows + lb16.missingRows)} / ${fmt(lb64.staleRows + lb64.missingRows)} (of ${fmt(lb64.resources)} resources)`,
      '',
    ]),
    row([
      '2 · ingest: requests per delivery, 1 / 16 / 64 in flight',
      [1, 16, 64].map((n) => fmt(ingestBy(n).requestsPerDelivery)).join(' / '),
      'target: exactly 1',
      '',
    ]),
    row([
      '2 · ingest: appends/s (deliveries/s), 1 / 16 / 64 in flight',
      [1, 16, 64]
        .map((n) => `${fmt(ingestBy(n).appendsPerSecond)} (${fmt(ingestBy(n).deliveriesPerSecond)})`)
        .join(' / '),
      '',
      '',
    ]),
    row([
      `whole pipeline (ingest + log + stream + projector), 16 in flight, ${fmt(pl.deliveries)} deliveries: requests per delivery`,
      `${fmt(pl.requestsPerDelivery)} (ingest ${fmt(round(pl.ingestRequests.writes / pl.deliveries, 4))} + projector ${fmt(round(pl.projectorRequests.writes / pl.deliveries, 4))})`,
      `AWS guide: ${fmt(b16.requestsPerDelivery)}, but no history, and not correct under concurrency`,
      `${times(pl.requestsPerDelivery / b16.requestsPerDelivery)} the requests`,
    ]),
    row([
      'whole pipeline: deliveries/s, 16 in flight (until the last row is projected)',
      fmt(pl.deliveriesPerSecond),
      `AWS guide: ${fmt(b16.deliveriesPerSecond)}`,
      times(pl.deliveriesPerSecond / b16.deliveriesPerSecond),
    ]),
    row([
      `3 · lag, ingest → row written, at ${fmt(r.lag.ratePerSecond)} deliveries/s: p50 / p99`,
      `${fmt(r.lag.lag.p50Ms)} / ${fmt(r.lag.lag.p99Ms)} ms`,
      'target: p99 < 1 s',
      '',
    ]),
    row([
      '3 · lag while ingesting flat out (whole-pipeline run): p50 / p99',
      `${fmt(pl.lag.p50Ms)} / ${fmt(pl.lag.p99Ms)} ms`,
      '',
      '',
    ]),
    row([
      '4 · rebuild from the log: writes (rows put)',
      fmt(rb.rebuild.requests.writes),
      `naive replay: ${fmt(rb.naive.requests.writes)} (distinct ARNs: ${fmt(rb.distinctArns)})`,
      `${times(rb.writesRatio)} fewer`,
    ]),
    row([
      '4 · rebuild from the log: seconds',
      fmt(rb.rebuild.seconds),
      `naive replay: ${fmt(rb.naive.seconds)}`,
      `${times(rb.speedup)} faster`,
    ]),
    ...cs.functions.map((f) =>
      row([
        `5 · ${f.name}: bundle / module init CPU (wall), median of ${cs.runs} processes`,
        `${kib(f.bytes)} / ${fmt(f.initCpuMs)} ms (${fmt(f.initMs)} ms)`,
        `bare SDK handler: ${kib(cs.bare.bytes)} / ${fmt(cs.bare.initCpuMs)} ms (${fmt(cs.bare.initMs)} ms)`,
        `${times(f.bytesRatio)} / ${times(f.initCpuRatio)} (${times(f.initRatio)})`,
      ]),
    ),
  );
  if (r.sizes.length > 1) {
    const [a, b] = [r.sizes[0] as SizeResults, s];
    const grow = (x: number, y: number) => times(y / x);
    const scale = (label: string, f: (z: SizeResults) => number) =>
      row([label, fmt(f(a)), fmt(f(b)), grow(f(a), f(b))]);
    lines.push(
      '',
      `6 · scaling: the same figures at ${fmt(a.events)} and ${fmt(b.events)} distinct events`,
      '',
      row(['figure', `${fmt(a.events)} events`, `${fmt(b.events)} events`, 'growth']),
      row(['---', '---:', '---:', '---:']),
      scale('deliveries', (z) => z.deliveries),
      scale(
        'projector: requests per delivery (16 workers)',
        (z) => projectionOf(z, 'projector', 16).requestsPerDelivery,
      ),
      scale(
        'AWS guide: requests per delivery (16 workers)',
        (z) => projectionOf(z, 'baseline', 16).requestsPerDelivery,
      ),
      scale('projector: seconds (16 workers)', (z) => projectionOf(z, 'projector', 16).seconds),
      scale('AWS guide: seconds (16 workers)', (z) => projectionOf(z, 'baseline', 16).seconds),
      scale(
        'projector: stale rows (16 + 64 workers)',
        (z) => projectionOf(z, 'projector', 16).staleRows + projectionOf(z, 'projector', 64).staleRows,
      ),
      scale(
        'AWS guide: stale rows (16 + 64 workers)',
        (z) => projectionOf(z, 'baseline', 16).staleRows + projectionOf(z, 'baseline', 64).staleRows,
      ),
      scale('whole pipeline: requests per delivery', (z) => z.pipeline.requestsPerDelivery),
      scale('whole pipeline: deliveries/s (16 in flight)', (z) => z.pipeline.deliveriesPerSecond),
      scale('rebuild: writes', (z) => z.rebuild.rebuild.requests.writes),
      scale('naive replay: writes', (z) => z.rebuild.naive.requests.writes),
      scale('rebuild: seconds', (z) => z.rebuild.rebuild.seconds),
      scale('naive replay: seconds', (z) => z.rebuild.naive.seconds),
    );
  }
  lines.push('', 'Targets', '', row(['target', 'measured', 'met']), row(['---', '---', '---']));
  for (const t of r.targets)
    lines.push(row([t.target, t.value, t.met === null ? 'reported' : t.met ? 'yes' : '**no**']));
  lines.push(
    '',
    `${r.command} · ${r.date} · ${String(r.machine.cpus)} × ${String(r.machine.cpuModel)}, ${String(r.machine.memoryGiB)} GiB · ` +
      `Node ${String(r.machine.node)} · ${String(r.machine.java)} · ${String(r.machine.dynamoDbLocal)} · ` +
      `${r.durationSeconds} s (CPU: ${r.cpuSeconds.node} s Node, ${r.cpuSeconds.dynamoDbLocal ?? '?'} s DynamoDB Local)`,
    '',
  );
  return lines.join('\n');
}
