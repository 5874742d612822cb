// What ingest writes to CloudWatch Logs, invocation by invocation, at the deployed settings: one EMF
// document carrying exactly the metric series the operators have (each a custom metric billed by the
// month, so the list is frozen here), nothing else on the normal path, and how many bytes that is.
// Real invocations on DynamoDB Local; the output is captured as CloudWatch Logs would receive it.
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../domain/eventTypes.js';
import { createIngestHandler, createLambdaIngestHandler } from '../functions/ingest.js';
import { createDocumentClient } from '../infra/client.js';
import type { Pipeline } from '../local/localStack.js';
import { loadSamples } from '../sim/samples.js';
import { captureOutput, setEnv } from './reliability/support/capture.js';
import { injectFaults } from './reliability/support/faults.js';
import { testPipeline } from './support/pipeline.js';

/** serverless.yml for stage prod: POWERTOOLS_SERVICE_NAME is `<service>-<stage>`, log level INFO. */
const DEPLOYED = {
  POWERTOOLS_SERVICE_NAME: 'ecs-event-store-prod',
  POWERTOOLS_METRICS_NAMESPACE: 'ECSEventStore',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_METRICS_DISABLED: undefined,
};

interface Directive {
  readonly Namespace: string;
  readonly Dimensions: string[][];
  readonly Metrics: { Name: string; Unit?: string }[];
}
type Line = Record<string, unknown>;
const isEmf = (l: Line): boolean => typeof l._aws === 'object' && l._aws !== null;

/**
 * Every series an EMF document makes CloudWatch count: namespace, metric, its dimensions with their
 * values, unit and value, as `ECSEventStore Appended{service=…,detailType=…} 1 Count`.
 */
function seriesOf(doc: Line): string[] {
  const directives = (doc._aws as { CloudWatchMetrics: Directive[] }).CloudWatchMetrics;
  return directives.flatMap((d) =>
    d.Metrics.flatMap((m) =>
      d.Dimensions.map(
        (set) =>
          `${d.Namespace} ${m.Name}{${set.map((k) => `${k}=${String(doc[k])}`).join(',')}} ${String(doc[m.Name])} ${m.Unit ?? 'None'}`,
      ),
    ),
  );
}

const SERVICE = 'service=ecs-event-store-prod';
/**
 * The series of each outcome in one account's store, the default deploy. `Ingested` by account and
 * by region is counted only in an organization's (METRIC_ORIGINS): in one account's it would only
 * repeat the total of Appended, Duplicate and Conflict (before issue 25 it was always written).
 */
const SERIES: Record<string, string[]> = {
  appended: [
    `ECSEventStore Appended{${SERVICE}} 1 Count`,
    `ECSEventStore Appended{${SERVICE},detailType=ECS Task State Change} 1 Count`,
  ],
  duplicate: [`ECSEventStore Duplicate{${SERVICE}} 1 Count`],
  conflict: [`ECSEventStore Conflict{${SERVICE}} 1 Count`],
  rejected: [
    `ECSEventStore Rejected{${SERVICE}} 1 Count`,
    `ECSEventStore Rejected{${SERVICE},reason=VERSION_NOT_INTEGER} 1 Count`,
  ],
  appendFailed: [`ECSEventStore AppendFailed{${SERVICE}} 1 Count`],
  parkFailed: [
    `ECSEventStore ParkFailed{${SERVICE}} 1 Count`,
    `ECSEventStore Rejected{${SERVICE}} 1 Count`,
    `ECSEventStore Rejected{${SERVICE},reason=VERSION_NOT_INTEGER} 1 Count`,
  ],
};

/** Issue 25's bound on what one invocation writes on the normal path (appended, duplicate), one account's store. */
const MAX_NORMAL_BYTES = 300;

/**
 * The same in an organization's store, with `Ingested` by account and region: one EMF document
 * carrying the four series of an appended task event cannot be shorter than 464 bytes at these names
 * (the namespace twice, the four dimension names, their values, the two metric names and units, the
 * timestamp: docs/benchmarks.md); the 820 bytes of before issue 25 were five documents. A longer
 * detail type adds its length: "ECS Container Instance State Change" is 14 more.
 */
const MAX_ORGANIZATION_BYTES = 480;

const sample = (name: string) => structuredClone(loadSamples(name).get(name)) as EcsEvent;
const context = { awsRequestId: 'c0ffee00-0000-4000-8000-000000000025' } as Context;

let pipeline: Pipeline;
let restoreEnv: () => void;
beforeAll(async () => {
  restoreEnv = setEnv(DEPLOYED);
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => {
  pipeline?.client.destroy();
  restoreEnv?.();
});

/** What one invocation wrote: every line, its bytes (as CloudWatch Logs ingests them), its JSON. */
async function invocation(run: () => Promise<unknown>) {
  const output = captureOutput();
  try {
    await run().catch(() => undefined);
  } finally {
    output.restore();
  }
  const lines = output.lines();
  const json = output.json();
  const docs = json.filter(isEmf);
  return {
    lines,
    bytes: lines.reduce((n, l) => n + Buffer.byteLength(l), 0),
    docs,
    logs: json.filter((l) => !isEmf(l)),
    series: docs.flatMap(seriesOf).sort(),
  };
}

describe('ingest output at the deployed settings (metrics on, log level INFO)', () => {
  it("one EMF document per invocation, carrying exactly one account's series, at most 300 bytes on the normal path", async () => {
    const ingest = createIngestHandler({
      doc: pipeline.doc,
      eventLogTable: pipeline.tables.eventLog,
      redactEnvironment: true,
    });
    const event = sample('task-1');
    const conflicting = structuredClone(event);
    conflicting.detail.lastStatus = 'SOMETHING_ELSE';
    const bad = structuredClone(event);
    bad.detail.version = 'seven';

    const failingDoc = createDocumentClient({ maxAttempts: 1 });
    injectFaults(failingDoc, { before: 1, after: 0, rng: () => 0.5, kinds: ['throttling'] });
    const failing = createIngestHandler({
      doc: failingDoc,
      eventLogTable: pipeline.tables.eventLog,
      redactEnvironment: true,
    });
    const lambda = createLambdaIngestHandler({
      doc: pipeline.doc,
      eventLogTable: pipeline.tables.eventLog,
      redactEnvironment: true,
      park: async () => {
        throw new Error('SQS unreachable');
      },
    });

    const seen = {
      appended: await invocation(() => ingest(event)),
      duplicate: await invocation(() => ingest(event)),
      conflict: await invocation(() => ingest(conflicting)),
      rejected: await invocation(() => ingest(bad)),
      appendFailed: await invocation(() => failing(sample('task-2'))),
      parkFailed: await invocation(() => lambda(bad, context)),
    };
    failingDoc.destroy();

    for (const [outcome, s] of Object.entries(seen)) {
      expect(s.docs, outcome).toHaveLength(1);
      expect(s.series, outcome).toEqual([...(SERIES[outcome] ?? [])].sort());
    }
    // The normal path writes the document and nothing else; problems add their log line.
    for (const outcome of ['appended', 'duplicate'] as const) {
      expect(seen[outcome].lines, outcome).toHaveLength(1);
      expect(seen[outcome].bytes, outcome).toBeLessThanOrEqual(MAX_NORMAL_BYTES);
    }
    expect(seen.conflict.logs.map((l) => l.level)).toEqual(['WARN']);
    expect(seen.rejected.logs.map((l) => l.level)).toEqual(['ERROR']);
    expect(seen.appendFailed.logs.map((l) => l.level)).toEqual(['ERROR']);
    expect(seen.parkFailed.logs.map((l) => l.level)).toEqual(['ERROR', 'ERROR']);
  });

  it('every metric of a document has one value, and no series beyond those listed (dimension sets are not crossed)', async () => {
    const ingest = createIngestHandler({
      doc: pipeline.doc,
      eventLogTable: pipeline.tables.eventLog,
      redactEnvironment: true,
      metricAccountIds: '111122223333',
    });
    const s = await invocation(() => ingest(sample('instance-1')));
    const [doc] = s.docs as [Line];
    expect(s.series).toEqual(
      [
        `ECSEventStore Appended{${SERVICE}} 1 Count`,
        `ECSEventStore Appended{${SERVICE},detailType=ECS Container Instance State Change} 1 Count`,
        `ECSEventStore Ingested{${SERVICE},account=111122223333} 1 Count`,
        `ECSEventStore Ingested{${SERVICE},region=us-east-1} 1 Count`,
      ].sort(),
    );
    // Appended is never counted by account or region, Ingested never by detail type: 4 series, not 8.
    const directives = (doc._aws as { CloudWatchMetrics: Directive[] }).CloudWatchMetrics;
    for (const d of directives) expect(d.Metrics).toHaveLength(1);
    expect(typeof (doc._aws as { Timestamp: unknown }).Timestamp).toBe('number');
  });

  // Issue 25's 300 bytes hold in one account's store (above). An organization's counts `Ingested` by
  // account and region too: four series of an appended event cannot be written in 300 bytes at the
  // deployed names (without the two Units, still 428), so its bound is the one-document size.
  it("every AWS sample through the Lambda entry point at an organization's settings, twice: one line per invocation, at most MAX_ORGANIZATION_BYTES, and the series a month of them makes", async () => {
    const own = await testPipeline(`${import.meta.filename}-samples`);
    try {
      const lambda = createLambdaIngestHandler({
        doc: own.doc,
        eventLogTable: own.tables.eventLog,
        redactEnvironment: true,
        metricAccountIds: '111122223333',
      });
      const samples = [...loadSamples().values()] as EcsEvent[];
      const seen = [];
      for (const pass of ['first', 'again'])
        for (const event of samples) seen.push({ pass, ...(await invocation(() => lambda(event, context))) });
      for (const s of seen) {
        expect(s.lines).toHaveLength(1);
        expect(s.logs).toEqual([]);
        expect(s.bytes).toBeLessThanOrEqual(MAX_ORGANIZATION_BYTES);
      }
      const appended = seen.filter((s) => s.pass === 'first').flatMap((s) => s.series);
      expect(appended.filter((x) => x.startsWith('ECSEventStore Appended{'))).toHaveLength(2 * samples.length);
      const again = seen.filter((s) => s.pass === 'again').flatMap((s) => s.series);
      expect(again.filter((x) => x.startsWith('ECSEventStore Duplicate{'))).toHaveLength(samples.length);
      // Each distinct series is a custom metric billed by the month: this is the whole list for the samples.
      const distinct = [...new Set(seen.flatMap((s) => s.series).map((x) => x.replace(/ \d+ Count$/, '')))].sort();
      expect(distinct).toEqual(
        [
          `ECSEventStore Appended{${SERVICE}}`,
          ...[
            'ECS Container Instance Health Change',
            'ECS Container Instance State Change',
            'ECS Daemon Deployment State Change',
            'ECS Daemon Service Action',
            'ECS Deployment State Change',
            'ECS Hook State Change',
            'ECS Service Action',
            'ECS Task State Change',
          ].map((t) => `ECSEventStore Appended{${SERVICE},detailType=${t}}`),
          `ECSEventStore Duplicate{${SERVICE}}`,
          `ECSEventStore Ingested{${SERVICE},account=111122223333}`,
          `ECSEventStore Ingested{${SERVICE},account=other}`,
          `ECSEventStore Ingested{${SERVICE},region=us-east-1}`,
          `ECSEventStore Ingested{${SERVICE},region=us-west-2}`,
        ].sort(),
      );
    } finally {
      own.client.destroy();
      own.doc.destroy();
    }
  });
});
