// The handlers' own CPU per delivery, with DynamoDB answered inside the SDK (bench/support/stubDynamo.ts):
// ingest (validation, redaction, codec, duplicate check, metrics, SDK marshalling) against the AWS guide's
// function (its prints included), on the same deliveries, one at a time, in this process. Each side's
// pass is timed with process.cpuUsage (the machine is shared: CPU time, not wall time), over several
// rounds that alternate the sides; the median round counts. Ingest's CPU is also split into its steps,
// each timed alone on the same deliveries.
import { Logger } from '@aws-lambda-powertools/logger';
import { ulid } from 'ulid';
import { isSameEvent } from '../domain/duplicate.js';
import type { EcsEvent, ParsedEvent } from '../domain/eventTypes.js';
import { metricDetailType } from '../domain/kinds.js';
import { type LogItem, toLogItem } from '../domain/logItem.js';
import { parseEvent } from '../domain/parseEvent.js';
import { createIngestHandler } from '../functions/ingest.js';
import { type EmfTarget, invocationMetrics } from '../functions/observability.js';
import { createAwsGuideProjector } from './baseline/awsGuideProjector.js';
import { median, round, say } from './support/measure.js';
import { stubDynamo } from './support/stubDynamo.js';

/** The deployed names (serverless.yml, stage prod), so the EMF documents are the deployed size. */
export const DEPLOYED_NAMES = { serviceName: 'ecs-event-store-prod', metricsNamespace: 'ECSEventStore' } as const;

export interface HandlerCpuFigure {
  readonly deliveries: number;
  readonly rounds: number;
  /** Median over rounds of CPU ms per delivery, DynamoDB stubbed. */
  readonly ingestMs: number;
  readonly guideMs: number;
  /** Ingest's steps, CPU ms per delivery (medians); `sdkAndRest` is the whole minus the others. */
  readonly ingestSteps: {
    readonly validationAndRedaction: number;
    readonly codec: number;
    readonly duplicateCheck: number;
    readonly metrics: number;
    readonly sdkAndRest: number;
  };
  /** The guide's prints (Python's json.dumps of the event and three more lines), CPU ms per delivery. */
  readonly guidePrintMs: number;
  /** Bytes each side wrote per delivery in the measured passes (EMF documents; prints). */
  readonly ingestOutputBytes: number;
  readonly guideOutputBytes: number;
}

/** CPU ms (user + system, the whole process) of an async function. */
async function cpuMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** A sink in place of stdout: counts the bytes, keeps nothing. */
const sink = () => {
  let bytes = 0;
  return {
    write: (line: string) => {
      bytes += Buffer.byteLength(line) + 1;
    },
    bytes: () => bytes,
  };
};

const emfTo = (write: (line: string) => void): EmfTarget => ({
  namespace: DEPLOYED_NAMES.metricsNamespace,
  service: DEPLOYED_NAMES.serviceName,
  enabled: true,
  write,
});

const sequentially = async <T>(items: readonly T[], fn: (item: T) => Promise<unknown>) => {
  for (const item of items) await fn(item).catch(() => undefined);
};

/** One round of ingest: a recording pass (warm-up), then the measured replay. */
async function ingestRound(deliveries: readonly EcsEvent[]): Promise<{ ms: number; bytes: number }> {
  const stub = stubDynamo({ log: ['arn', 'version'] });
  const out = sink();
  const ingest = createIngestHandler({
    doc: stub.doc,
    eventLogTable: 'log',
    redactEnvironment: true,
    logger: new Logger({ serviceName: DEPLOYED_NAMES.serviceName, logLevel: 'INFO' }),
    metrics: emfTo(() => {}),
  });
  await sequentially(deliveries, ingest);
  stub.replay();
  const measured = createIngestHandler({
    doc: stub.doc,
    eventLogTable: 'log',
    redactEnvironment: true,
    logger: new Logger({ serviceName: DEPLOYED_NAMES.serviceName, logLevel: 'INFO' }),
    metrics: emfTo(out.write),
  });
  const ms = await cpuMs(() => sequentially(deliveries, measured));
  stub.doc.destroy();
  return { ms: ms / deliveries.length, bytes: out.bytes() / deliveries.length };
}

async function guideRound(deliveries: readonly EcsEvent[]): Promise<{ ms: number; bytes: number }> {
  const stub = stubDynamo({ tasks: ['taskArn'], instances: ['containerInstanceArn'] });
  const tables = { taskState: 'tasks', instanceState: 'instances' };
  const out = sink();
  await sequentially(deliveries, createAwsGuideProjector({ doc: stub.doc, tables, print: () => {} }));
  stub.replay();
  const guide = createAwsGuideProjector({ doc: stub.doc, tables, print: out.write });
  const ms = await cpuMs(() => sequentially(deliveries, guide));
  stub.doc.destroy();
  return { ms: ms / deliveries.length, bytes: out.bytes() / deliveries.length };
}

/** Ingest's steps timed alone on the same deliveries, CPU ms per delivery. */
async function ingestSteps(deliveries: readonly EcsEvent[]) {
  const n = deliveries.length;
  let parsed: ParsedEvent[] = [];
  const validation = await cpuMs(() => {
    parsed = deliveries.flatMap((d) => {
      const r = parseEvent(d, { redactEnvironment: true });
      return r.ok ? [r.value] : [];
    });
  });
  const first = new Map<string, LogItem>();
  const later: [ParsedEvent, LogItem][] = [];
  const codec = await cpuMs(() => {
    for (const p of parsed) {
      const item = toLogItem(p, { ingestedAt: Date.now(), ingestId: ulid(), retentionDays: 0 });
      const key = `${p.arn}#${p.version}`;
      const stored = first.get(key);
      if (stored) later.push([p, stored]);
      else first.set(key, item);
    }
  });
  const duplicateCheck = await cpuMs(() => {
    for (const [p, stored] of later) isSameEvent(p, stored.event);
  });
  const metrics = await cpuMs(() => {
    const target = emfTo(() => {});
    for (const [i, p] of parsed.entries()) {
      const m = invocationMetrics(target);
      if (i % 2 === 0) m.count('Appended', 1, [{}, { detailType: metricDetailType(p.detailType) }]);
      else m.count('Duplicate');
      m.count('Ingested', 1, [{ account: 'other' }, { region: 'us-east-1' }]);
      m.publish();
    }
  });
  return { validation: validation / n, codec: codec / n, duplicateCheck: duplicateCheck / n, metrics: metrics / n };
}

/** The guide's prints alone: what `print` costs it per delivery (json.dumps of the event, three lines). */
async function guidePrints(deliveries: readonly EcsEvent[]): Promise<number> {
  const { pythonJsonDumps } = await import('./baseline/pythonJson.js');
  const out = sink();
  const ms = await cpuMs(() => {
    for (const e of deliveries) {
      out.write('Here is the event:');
      out.write(pythonJsonDumps(e));
      out.write('Looking for recent event with same ID...');
      out.write(
        `EXISTING EVENT DETECTED: Id ${String(e.detail.taskArn ?? e.detail.containerInstanceArn)} - reconciling`,
      );
    }
  });
  return ms / deliveries.length;
}

/** Both handlers on the same deliveries, `rounds` times, sides alternating. */
export async function measureHandlerCpu(deliveries: readonly EcsEvent[], rounds = 5): Promise<HandlerCpuFigure> {
  const ingest: { ms: number; bytes: number }[] = [];
  const guide: { ms: number; bytes: number }[] = [];
  const steps: Awaited<ReturnType<typeof ingestSteps>>[] = [];
  const prints: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ingest.push(await ingestRound(deliveries));
    guide.push(await guideRound(deliveries));
    steps.push(await ingestSteps(deliveries));
    prints.push(await guidePrints(deliveries));
  }
  const med = (xs: number[]) => round(median(xs), 3);
  const ingestMs = med(ingest.map((x) => x.ms));
  const step = (k: keyof (typeof steps)[number]) => med(steps.map((s) => s[k]));
  const parts = {
    validationAndRedaction: step('validation'),
    codec: step('codec'),
    duplicateCheck: step('duplicateCheck'),
    metrics: step('metrics'),
  };
  const figure: HandlerCpuFigure = {
    deliveries: deliveries.length,
    rounds,
    ingestMs,
    guideMs: med(guide.map((x) => x.ms)),
    ingestSteps: {
      ...parts,
      sdkAndRest: round(Math.max(0, ingestMs - Object.values(parts).reduce((a, b) => a + b, 0)), 3),
    },
    guidePrintMs: med(prints),
    ingestOutputBytes: round(median(ingest.map((x) => x.bytes))),
    guideOutputBytes: round(median(guide.map((x) => x.bytes))),
  };
  say(
    `  handler CPU, DynamoDB stubbed (${deliveries.length} deliveries, median of ${rounds}): ` +
      `ingest ${figure.ingestMs} ms, the guide's function ${figure.guideMs} ms per delivery`,
  );
  return figure;
}
