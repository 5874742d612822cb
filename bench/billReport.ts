// Figure 8, the whole bill: every AWS charge per million distinct events, this project (ingest +
// projector) against the AWS guide's function, in the two duplication profiles, from what figure 7
// measured of DynamoDB and what the deployed bundles did in bench/wholeBill.ts. Lambda duration is
// modelled (these cores are whole; Lambda gives a function memory/1,769 of a vCPU): billed ms per
// invocation = ceil(local CPU ms × 1,769 / MB + DynamoDB round trips × latency), and each cold start
// bills ceil(INIT CPU ms × 1,769 / MB) more. docs/benchmarks.md states the model and its assumptions.
import type { BundleName } from './bundleRun.js';
import type { CostProfile } from './cost.js';
import { billOf, perMillion } from './costReport.js';
import type { HandlerCpuFigure } from './handlerCpu.js';
import type { TargetCheck } from './report.js';
import { median, round } from './support/measure.js';
import { BILL_PRICES, GB } from './support/pricing.js';
import { type BundleFigures, MEMORY_SIZES, type MeasuredRun } from './wholeBill.js';

/** Memory at which Lambda gives a function one full vCPU (the Lambda developer guide). */
export const FULL_VCPU_MB = 1769;
/** A size fits when the peak resident memory measured is at most this share of it. */
export const MEMORY_HEADROOM = 0.9;

export interface BillModel {
  /** DynamoDB round trip, ms, added to every request an invocation waits for. */
  readonly latencyMs: number;
  /** Invocations per cold start (each bills its INIT phase). */
  readonly invocationsPerInit: number;
  /** Events a month, for the monthly charges (custom metrics, alarms) per million events. */
  readonly monthlyEvents: number;
  /** Days CloudWatch Logs keeps the functions' logs (serverless.yml lambdaLogRetentionDays). */
  readonly logRetentionDays: number;
  /** Days the EventBridge archive keeps each event (serverless.yml eventArchiveRetentionDays). */
  readonly archiveRetentionDays: number;
  /** CloudWatch alarms the deploy creates (deploy/alarms.cjs). */
  readonly alarms: number;
}

/** One profile's inputs: figure 7's DynamoDB counts and the bundles run on its deliveries. */
export interface BillProfile {
  readonly cost: CostProfile;
  readonly bundles: BundleFigures;
  /** Mean JSON bytes of a distinct event (what EventBridge archives). */
  readonly eventBytes: number;
}

/** One function at one memory size, per invocation and per million distinct events. */
export interface FunctionAtSize {
  readonly memoryMb: number;
  readonly cpuMs: number;
  readonly billedMs: number;
  readonly initBilledMs: number;
  readonly peakMb: number;
  readonly fits: boolean;
  /** Requests + duration (cold starts included), $ per million distinct events. */
  readonly lambdaDollars: number;
  readonly durationDollars: number;
}

export interface FunctionBill {
  readonly bundle: BundleName;
  readonly invocationsPerEvent: number;
  readonly roundTrips: number;
  readonly sizes: FunctionAtSize[];
  readonly chosen: FunctionAtSize;
  /** Bytes the function wrote per invocation (mean, max), and the platform lines Lambda adds. */
  readonly outputBytes: number;
  readonly maxOutputBytes: number;
  readonly platformBytes: number;
  readonly series: readonly string[];
  /** DynamoDB Local's JVM CPU per invocation during the run (ms). */
  readonly dynamoLocalCpuMs: number | undefined;
}

export interface SideBill {
  readonly lines: Record<BillLine, number>;
  readonly total: number;
  /** Custom metrics and alarms, $ a month. */
  readonly monthly: number;
  readonly series: number;
}

export type BillLine =
  | 'eventBridge'
  | 'archive'
  | 'lambdaRequests'
  | 'lambdaDuration'
  | 'dynamoDb'
  | 'streams'
  | 'logsFunction'
  | 'logsPlatform'
  | 'logsStored'
  | 'sqs'
  | 'coldStore';

export interface WholeBill {
  readonly profile: CostProfile['name'];
  readonly label: string;
  readonly functions: Record<BundleName, FunctionBill>;
  readonly ours: SideBill;
  readonly guide: SideBill;
  readonly ratio: number;
  readonly ratioWithMonthly: number;
  /** Our bill with DynamoDB at figure 7's floor of a full history, over the guide's. */
  readonly floorRatio: number;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const UUID = '8f5e3c2a-9b1d-4e7f-a6c8-0d2b4f6e8a1c';

/** START, END and REPORT as Lambda writes them (text format) for an invocation of this shape. */
export function platformLines(billedMs: number, memoryMb: number, peakMb: number, initMs?: number): string[] {
  const ms = (n: number) => n.toFixed(2);
  return [
    `START RequestId: ${UUID} Version: $LATEST\n`,
    `END RequestId: ${UUID}\n`,
    `REPORT RequestId: ${UUID}\tDuration: ${ms(billedMs - 0.5)} ms\tBilled Duration: ${billedMs} ms\t` +
      `Memory Size: ${memoryMb} MB\tMax Memory Used: ${Math.ceil(peakMb)} MB\t` +
      (initMs === undefined ? '' : `Init Duration: ${ms(initMs)} ms\t`) +
      '\n',
  ];
}

const gbSeconds = (ms: number, memoryMb: number): number => (ms / 1000) * (memoryMb / 1024);

/** One function across the memory sizes: the cheapest that fits is chosen. */
function functionBill(
  bundle: BundleName,
  runs: readonly MeasuredRun[],
  invocationsPerEvent: number,
  roundTrips: number,
  model: BillModel,
): FunctionBill {
  const invocations = invocationsPerEvent * 1e6;
  // The CPU of the runs at every size, pooled: the heap limits change it less than a shared machine's
  // noise between runs does, and one distribution keeps the sizes' comparison to the model's terms.
  const steady = runs.flatMap((r) => r.cpuMs.slice(1));
  const steadyMean = mean(steady);
  // A cold start: the INIT phase, and what the first invocation spends beyond a warm one (clients made).
  const coldCpu = median(runs.map((r) => r.initCpuMs + Math.max(0, (r.cpuMs[0] ?? 0) - steadyMean)));
  const sizes = MEMORY_SIZES.map((memoryMb): FunctionAtSize => {
    const run = runs.find((r) => r.memoryMb === memoryMb);
    if (!run) throw new Error(`no ${bundle} run at ${memoryMb} MB`);
    const scale = FULL_VCPU_MB / memoryMb;
    const billed = mean(steady.map((cpu) => Math.ceil(cpu * scale + roundTrips * model.latencyMs)));
    const initBilledMs = Math.ceil(coldCpu * scale);
    const durationDollars =
      (invocations * gbSeconds(billed, memoryMb) +
        (invocations / model.invocationsPerInit) * gbSeconds(initBilledMs, memoryMb)) *
      BILL_PRICES.lambdaGbSecond;
    return {
      memoryMb,
      cpuMs: round(steadyMean, 3),
      billedMs: round(billed, 3),
      initBilledMs,
      peakMb: round(run.maxRssMb),
      fits: run.maxRssMb <= memoryMb * MEMORY_HEADROOM,
      durationDollars,
      lambdaDollars: invocations * BILL_PRICES.lambdaRequest + durationDollars,
    };
  });
  const fitting = sizes.filter((s) => s.fits);
  const chosen = [...(fitting.length ? fitting : sizes)].sort((a, b) => a.lambdaDollars - b.lambdaDollars)[0];
  if (!chosen) throw new Error('no memory size');
  const run = runs.find((r) => r.memoryMb === chosen.memoryMb) as MeasuredRun;
  const platform = platformLines(Math.ceil(chosen.billedMs), chosen.memoryMb, chosen.peakMb);
  return {
    bundle,
    invocationsPerEvent,
    roundTrips,
    sizes,
    chosen,
    outputBytes: run.outputBytesMean,
    maxOutputBytes: run.outputBytesMax,
    platformBytes: platform.reduce((n, l) => n + Buffer.byteLength(l), 0),
    series: run.series,
    dynamoLocalCpuMs: run.dynamoLocalCpuMsPerInvocation,
  };
}

/** CloudWatch Logs lines of a set of functions, $ per million distinct events. */
function logLines(fns: readonly FunctionBill[], model: BillModel) {
  const bytes = (f: FunctionBill, b: number) => f.invocationsPerEvent * 1e6 * b;
  const fn = fns.reduce((n, f) => n + bytes(f, f.outputBytes), 0);
  const platform = fns.reduce(
    (n, f) => n + bytes(f, f.platformBytes) + (f.invocationsPerEvent * 1e6 * 24) / model.invocationsPerInit,
    0,
  );
  return {
    logsFunction: (fn / GB) * BILL_PRICES.logsIngestedGb,
    logsPlatform: (platform / GB) * BILL_PRICES.logsIngestedGb,
    // Raw bytes for the retention: an upper bound, CloudWatch bills stored logs compressed.
    logsStored: ((fn + platform) / GB) * BILL_PRICES.logsStoredGbMonth * (model.logRetentionDays / 30),
  };
}

const total = (lines: Record<BillLine, number>) => Object.values(lines).reduce((a, b) => a + b, 0);

export function wholeBill(p: BillProfile, model: BillModel): WholeBill {
  const c = p.cost;
  const n = c.distinctEvents;
  const trips = (r: { reads: number; writes: number }, per: number) => (r.reads + r.writes) / per;
  const projectorInvocations = n / p.bundles.recordsPerBatch;
  const runs = p.bundles.runs;
  const functions: Record<BundleName, FunctionBill> = {
    ingest: functionBill('ingest', runs.ingest, c.deliveries / n, trips(c.ingest, c.deliveries), model),
    // The projector writes a batch's rows concurrently: one round trip per invocation at most.
    projector: functionBill(
      'projector',
      runs.projector,
      projectorInvocations / n,
      Math.min(1, trips(c.projector, projectorInvocations)),
      model,
    ),
    guide: functionBill('guide', runs.guide, c.deliveries / n, trips(c.guide, c.deliveries), model),
  };
  const dynamo = billOf(c);
  const lambda = (fs: readonly FunctionBill[]) => ({
    lambdaRequests: fs.reduce((s, f) => s + f.invocationsPerEvent * 1e6 * BILL_PRICES.lambdaRequest, 0),
    lambdaDuration: fs.reduce((s, f) => s + f.chosen.durationDollars, 0),
  });
  const archived = (1e6 * p.eventBytes) / GB;
  const oursFns = [functions.ingest, functions.projector];
  const oursLines: Record<BillLine, number> = {
    eventBridge: 1e6 * BILL_PRICES.eventBridgeDefaultBus,
    archive:
      archived * BILL_PRICES.archiveGb +
      archived * BILL_PRICES.archiveStoredGbMonth * (model.archiveRetentionDays / 30),
    ...lambda(oursFns),
    dynamoDb: perMillion(dynamo.pipeline),
    streams: 0,
    ...logLines(oursFns, model),
    sqs: 0,
    coldStore: 0,
  };
  const guideLines: Record<BillLine, number> = {
    eventBridge: 1e6 * BILL_PRICES.eventBridgeDefaultBus,
    archive: 0,
    ...lambda([functions.guide]),
    dynamoDb: perMillion(dynamo.guide),
    streams: 0,
    ...logLines([functions.guide], model),
    sqs: 0,
    coldStore: 0,
  };
  const series = new Set(oursFns.flatMap((f) => f.series));
  const oursMonthly = series.size * BILL_PRICES.customMetricMonth + model.alarms * BILL_PRICES.alarmMonth;
  const ours: SideBill = { lines: oursLines, total: total(oursLines), monthly: oursMonthly, series: series.size };
  const guide: SideBill = { lines: guideLines, total: total(guideLines), monthly: 0, series: 0 };
  const perMillionMonthly = (s: SideBill) => s.total + s.monthly / (model.monthlyEvents / 1e6);
  return {
    profile: c.name,
    label: c.label,
    functions,
    ours,
    guide,
    ratio: ours.total / guide.total,
    ratioWithMonthly: perMillionMonthly(ours) / perMillionMonthly(guide),
    floorRatio: (ours.total - oursLines.dynamoDb + perMillion(dynamo.floor)) / guide.total,
  };
}

const usd = (n: number): string => (Number.isFinite(n) ? `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(3)}` : '—');
const times = (n: number): string => (Number.isFinite(n) ? `${round(n, 3)}×` : '—');
const fmt = (n: number | undefined): string =>
  n === undefined || !Number.isFinite(n) ? '—' : round(n, 3).toLocaleString('en-US', { maximumFractionDigits: 3 });
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;

const LINE_LABELS: Record<BillLine, string> = {
  eventBridge: 'EventBridge (AWS events on the default bus: free)',
  archive: 'EventBridge archive (each event once, archived + kept 30 days)',
  lambdaRequests: 'Lambda requests',
  lambdaDuration: 'Lambda duration (modelled GB-seconds, cold starts included)',
  dynamoDb: 'DynamoDB capacity (figure 7)',
  streams: 'DynamoDB Streams read by Lambda (free)',
  logsFunction: 'CloudWatch Logs: what the functions write',
  logsPlatform: 'CloudWatch Logs: START / END / REPORT lines',
  logsStored: 'CloudWatch Logs stored (raw bytes, kept 30 days: an upper bound)',
  sqs: 'SQS (refused or failed events only: none here)',
  coldStore: 'cold store (Firehose, S3, Athena): off by default (serverless.yml coldStore), not measured',
};

export interface BillFigures {
  readonly model: BillModel;
  readonly bills: WholeBill[];
  readonly handlerCpu: HandlerCpuFigure;
  /** serverless.yml's memorySize of each function (its own, else the provider's). */
  readonly deployedMemoryMb: { readonly ingest: number | undefined; readonly projector: number | undefined };
}

export function billTargets(f: BillFigures): TargetCheck[] {
  const by = (name: CostProfile['name']) => f.bills.find((b) => b.profile === name);
  const checks: TargetCheck[] = [];
  for (const [name, max, label] of [
    ['redelivered', 1.5, '≈ 2 % redelivered'],
    ['copies', 3, '1–3 copies, shuffled'],
  ] as const) {
    const b = by(name);
    if (!b) continue;
    checks.push({
      target: `whole bill ≤ ${max}× the AWS guide’s function’s, ${label} (per million events)`,
      value:
        `${times(b.ratio)} (${usd(b.ours.total)} vs the guide’s ${usd(b.guide.total)}, the floor; ` +
        `${times(b.floorRatio)} with DynamoDB at a full history’s floor; ` +
        `${times(b.ratioWithMonthly)} with metrics and alarms at ${fmt(f.model.monthlyEvents / 1e6)} M events a month)`,
      met: b.ratio <= max,
    });
  }
  const first = f.bills[0];
  if (first) {
    const ingest = first.functions.ingest;
    checks.push(
      {
        target: '≤ 300 bytes of function output per ingest invocation (deployed log level, platform lines apart)',
        value: `${fmt(ingest.outputBytes)} mean, ${fmt(ingest.maxOutputBytes)} max (platform lines ${ingest.platformBytes} more)`,
        met: ingest.maxOutputBytes <= 300,
      },
      {
        target: 'projector: function output per invocation (reported)',
        value: `${fmt(first.functions.projector.outputBytes)} bytes mean, ${fmt(1 / first.functions.projector.invocationsPerEvent)} record(s) per batch`,
        met: null,
      },
    );
  }
  const h = f.handlerCpu;
  checks.push({
    target: 'ingest handler CPU per delivery (DynamoDB stubbed) ≤ the guide’s function’s + 0.2 ms',
    value: `${fmt(h.ingestMs)} vs ${fmt(h.guideMs)} ms (+${fmt(h.ingestMs - h.guideMs)} ms)`,
    met: h.ingestMs <= h.guideMs + 0.2,
  });
  if (first) {
    const fns = ['ingest', 'projector'] as const;
    const deployed = f.deployedMemoryMb;
    checks.push({
      target: 'memory size: the cheapest of 128 / 256 / 512 MB that fits, deployed (serverless.yml memorySize)',
      value: fns
        .map((b) => `${b} ${first.functions[b].chosen.memoryMb} MB (deployed ${deployed[b] ?? '?'} MB)`)
        .join(', '),
      met: fns.every((b) => first.functions[b].chosen.memoryMb === deployed[b]),
    });
  }
  return checks;
}

function billTable(b: WholeBill): string[] {
  const lines = Object.keys(LINE_LABELS) as BillLine[];
  return [
    row(['charge', 'this project (ingest + projector)', 'AWS guide’s function']),
    row(['---', '---:', '---:']),
    ...lines.map((l) => row([LINE_LABELS[l], usd(b.ours.lines[l]), usd(b.guide.lines[l])])),
    row(['**whole bill, per million distinct events**', `**${usd(b.ours.total)}**`, `**${usd(b.guide.total)}**`]),
    row([
      '**ratio** (the floor: the guide’s bill)',
      `**${times(b.ratio)}** (floor ${usd(b.guide.total)}; ${times(b.floorRatio)} with DynamoDB at a full history’s floor)`,
      '1×',
    ]),
    row([`custom metrics (${b.ours.series} series) + alarms, a month`, usd(b.ours.monthly), usd(b.guide.monthly)]),
    row(['ratio with the monthly charges', times(b.ratioWithMonthly), '']),
    row([
      'ratio without START / END / REPORT lines (SystemLogLevel WARN, both sides)',
      times((b.ours.total - b.ours.lines.logsPlatform) / (b.guide.total - b.guide.lines.logsPlatform)),
      '',
    ]),
  ];
}

function memoryTable(b: WholeBill): string[] {
  const out = [
    row([
      'function',
      'MB',
      'CPU ms / invocation',
      'billed ms',
      'cold start billed ms',
      'peak MB',
      'fits',
      'Lambda $ / million events',
      '',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---', '---:', '---']),
  ];
  for (const f of Object.values(b.functions))
    for (const s of f.sizes)
      out.push(
        row([
          f.bundle === 'guide' ? 'AWS guide’s function' : f.bundle,
          s.memoryMb,
          fmt(s.cpuMs),
          fmt(s.billedMs),
          fmt(s.initBilledMs),
          fmt(s.peakMb),
          s.fits ? 'yes' : 'no',
          usd(s.lambdaDollars),
          s === f.chosen ? '**chosen**' : '',
        ]),
      );
  return out;
}

/** Figure 8's markdown. */
export function renderBill(f: BillFigures): string {
  const m = f.model;
  const out: string[] = [
    '',
    `8 · the whole bill, per million distinct events: ${BILL_PRICES.region} list prices of ${BILL_PRICES.asOf} ` +
      `(bench/support/pricing.ts; Lambda arm64 $${BILL_PRICES.lambdaGbSecond} per GB-second, $${BILL_PRICES.lambdaRequest * 1e6} per million requests; ` +
      `CloudWatch Logs $${BILL_PRICES.logsIngestedGb}/GB ingested). Lambda duration modelled: ceil(local CPU ms × ${FULL_VCPU_MB} / MB ` +
      `+ DynamoDB round trips × ${m.latencyMs} ms) per invocation, plus ceil(INIT CPU ms × ${FULL_VCPU_MB} / MB) per cold start, ` +
      `one cold start per ${fmt(m.invocationsPerInit)} invocations; the projector gets ${f.bills[0]?.functions.projector ? f.bills[0].functions.projector.invocationsPerEvent : '?'} invocations per event ` +
      `(${f.bills[0] ? fmt(1 / f.bills[0].functions.projector.invocationsPerEvent) : '?'} record(s) per stream batch); ` +
      `each side at the cheapest memory size that fits. Monthly: $${BILL_PRICES.customMetricMonth} per custom-metric series, ` +
      `$${BILL_PRICES.alarmMonth} per alarm (${m.alarms}), per million at ${fmt(m.monthlyEvents / 1e6)} M events a month.`,
    '',
  ];
  for (const b of f.bills) {
    out.push(`${b.label}`, '', ...billTable(b), '');
  }
  const first = f.bills[0];
  if (first) {
    out.push(
      `memory sizes (${first.label}; peak = resident memory of the bundle's process at that size's heap limits; fits: ≤ ${MEMORY_HEADROOM * 100} %)`,
      '',
      ...memoryTable(first),
      '',
      'bytes per invocation at the deployed settings (log level INFO, metrics on), measured from the bundles',
      '',
      row(['function', 'function output, mean', 'max', 'START / END / REPORT lines', 'custom-metric series seen']),
      row(['---', '---:', '---:', '---:', '---:']),
      ...Object.values(first.functions).map((fn) =>
        row([
          fn.bundle === 'guide' ? 'AWS guide’s function (its prints)' : fn.bundle,
          fmt(fn.outputBytes),
          fmt(fn.maxOutputBytes),
          fmt(fn.platformBytes),
          fn.series.length,
        ]),
      ),
      '',
    );
  }
  const h = f.handlerCpu;
  const gap = first?.functions;
  out.push(
    `handler CPU per delivery, DynamoDB answered inside the SDK (bench/handlerCpu.ts; ${fmt(h.deliveries)} deliveries of the ≈ 2 % profile, median of ${h.rounds} rounds), and DynamoDB Local's CPU per delivery (the bundles' runs)`,
    '',
    row(['', 'ingest', 'AWS guide’s function']),
    row(['---', '---:', '---:']),
    row(['handler CPU ms, stubbed (whole)', fmt(h.ingestMs), fmt(h.guideMs)]),
    row(['— validation + redaction', fmt(h.ingestSteps.validationAndRedaction), '']),
    row(['— codec (log item, deflate)', fmt(h.ingestSteps.codec), '']),
    row(['— duplicate check', fmt(h.ingestSteps.duplicateCheck), '']),
    row(['— metrics (one EMF document)', fmt(h.ingestSteps.metrics), '']),
    row(['— SDK marshalling, request, the rest', fmt(h.ingestSteps.sdkAndRest), '']),
    row(['— prints (json.dumps of the event + 3 lines)', '', fmt(h.guidePrintMs)]),
    row([
      'bundle CPU ms per invocation on DynamoDB Local (real HTTP)',
      fmt(gap?.ingest.chosen.cpuMs),
      fmt(gap?.guide.chosen.cpuMs),
    ]),
    row([
      'DynamoDB Local JVM CPU ms per invocation',
      fmt(gap?.ingest.dynamoLocalCpuMs),
      fmt(gap?.guide.dynamoLocalCpuMs),
    ]),
    '',
  );
  return out.join('\n');
}
