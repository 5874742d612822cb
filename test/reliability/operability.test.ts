import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../domain/eventTypes.js';
import { createIngestHandler } from '../../functions/ingest.js';
import { createProjectorHandler } from '../../functions/projector.js';
import { createDocumentClient } from '../../infra/client.js';
import type { Pipeline } from '../../local/localStack.js';
import { generateWorkload } from '../../sim/clusterWorkload.js';
import { seededRandom } from '../../sim/random.js';
import { testPipeline } from '../support/pipeline.js';
import { captureOutput, setEnv } from './support/capture.js';
import { injectFaults } from './support/faults.js';
import { SEED, scenario } from './support/scenario.js';
import { freshAccount, WORKLOAD_START_MS } from './support/schedule.js';

/**
 * What an operator sees: structured JSON log lines and CloudWatch Embedded Metric Format documents
 * (Powertools) on stdout, for every outcome an operator would graph or alarm on: Appended, Duplicate,
 * Conflict, Rejected (also by reason), AppendFailed; Projected, StaleSkipped, Poison, ProjectionFailed.
 * Metrics are on here (vitest.config.ts turns them off for the other suites).
 */
let restoreEnv: () => void;
let pipeline: Pipeline;
beforeAll(async () => {
  restoreEnv = setEnv({
    POWERTOOLS_METRICS_DISABLED: undefined,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_NAMESPACE: undefined,
  });
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => {
  pipeline.client.destroy();
  restoreEnv();
});

interface Emf {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}
const isEmf = (l: Record<string, unknown>): l is Emf => typeof l._aws === 'object' && l._aws !== null;
/**
 * Sum of one metric over the EMF documents that carry it: those with this dimension value, or
 * (no dimension asked) its series by the service dimension only, not its per-reason or per-type series
 * (one document may carry both: ingest writes one per invocation).
 */
function metric(lines: Record<string, unknown>[], name: string, dimension?: [string, string]): number {
  return lines
    .filter(isEmf)
    .filter((d) => d._aws.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === name && x.Unit === 'Count')))
    .filter((d) =>
      dimension
        ? d[dimension[0]] === dimension[1]
        : d._aws.CloudWatchMetrics.some(
            (m) =>
              m.Metrics.some((x) => x.Name === name) &&
              m.Dimensions.some((set) => JSON.stringify(set) === '["service"]'),
          ),
    )
    .reduce((sum, d) => sum + Number(d[name]), 0);
}

describe('operability: structured logs and EMF metrics', () => {
  it('emits a count for every outcome and a JSON log line for every problem', async ({ task }) => {
    const row = scenario(task, 'operability: logs and metrics emitted');
    const account = freshAccount();
    const [first, second] = generateWorkload(seededRandom(SEED), {
      tasks: 1,
      instances: 0,
      account,
      startMs: WORKLOAD_START_MS,
    }) as [EcsEvent, EcsEvent];
    const conflict = structuredClone(first);
    conflict.detail.lastStatus = 'SOMETHING_ELSE';
    const bad = { ...first, detail: { ...first.detail, version: '2' } };

    const output = captureOutput();
    let rejected = 0;
    try {
      // Ingest: appended, duplicate, conflict, rejected by reason, and an append that fails (retried by Lambda).
      await pipeline.ingest(second);
      await pipeline.ingest(first);
      await pipeline.ingest(first);
      await pipeline.ingest(conflict);
      await pipeline.ingest(bad).catch(() => rejected++);
      const failingDoc = createDocumentClient({ maxAttempts: 1 });
      injectFaults(failingDoc, { before: 1, after: 0, rng: seededRandom(SEED), kinds: ['throttling'] });
      const failingIngest = createIngestHandler({
        doc: failingDoc,
        eventLogTable: pipeline.tables.eventLog,
        redactEnvironment: true,
      });
      await expect(failingIngest(first)).rejects.toThrow(/injected throttling/);
      failingDoc.destroy();

      // Projector: a poison item, then one batch holding both versions (one written, one stale) and it.
      await pipeline.doc.send(
        new PutCommand({
          TableName: pipeline.tables.eventLog,
          Item: {
            arn: `arn:aws:ecs:us-east-1:${account}:task/c/poison`,
            version: 1,
            detailType: 'ECS Task State Change',
            event: '{',
          },
        }),
      );
      await pipeline.poller().drain();
      // And a projection whose write fails: reported for retry, counted as failed.
      const failingProjectorDoc = createDocumentClient({ maxAttempts: 1 });
      injectFaults(failingProjectorDoc, { before: 1, after: 0, rng: seededRandom(SEED), kinds: ['serverError'] });
      const failingProjector = createProjectorHandler({
        doc: failingProjectorDoc,
        tables: pipeline.tables,
        ttlDays: 30,
      });
      const item = {
        arn: first.detail.taskArn,
        version: 99,
        detailType: 'ECS Task State Change',
        event: JSON.stringify(first),
      };
      const out = await failingProjector({
        Records: [
          {
            eventName: 'INSERT',
            dynamodb: {
              Keys: marshall({ arn: item.arn, version: 99 }) as never,
              NewImage: marshall(item) as never,
              SequenceNumber: '42',
            },
          },
        ],
      });
      expect(out.batchItemFailures).toEqual([{ itemIdentifier: '42' }]);
      failingProjectorDoc.destroy();
    } finally {
      output.restore();
    }
    row.runs = 1;
    row.events = 6;
    row.rejected = rejected;

    const lines = output.json();
    // EMF: namespace, service dimension, and each count an operator graphs.
    const docs = lines.filter(isEmf);
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(d._aws.CloudWatchMetrics[0]?.Namespace).toBe('ECSEventStore');
      expect(d.service).toBe('ecs-event-store');
    }
    expect(metric(lines, 'Appended')).toBe(2);
    expect(metric(lines, 'Appended', ['detailType', 'ECS Task State Change'])).toBe(2);
    expect(metric(lines, 'Duplicate')).toBe(1);
    expect(metric(lines, 'Conflict')).toBe(1);
    expect(metric(lines, 'Rejected', ['reason', 'VERSION_NOT_INTEGER'])).toBe(1);
    expect(metric(lines, 'AppendFailed')).toBe(1);
    expect(metric(lines, 'Projected')).toBe(1);
    expect(metric(lines, 'StaleSkipped')).toBe(1);
    expect(metric(lines, 'Poison')).toBe(1);
    expect(metric(lines, 'ProjectionFailed')).toBe(1);

    // Structured logs: JSON with level, message, timestamp, service, and the fields that find the event.
    const logs = lines.filter((l) => !isEmf(l));
    for (const l of logs)
      expect(l).toMatchObject({
        level: expect.any(String),
        message: expect.any(String),
        timestamp: expect.any(String),
        service: 'ecs-event-store',
      });
    const find = (message: string) => logs.find((l) => String(l.message).startsWith(message));
    expect(find('event rejected')).toMatchObject({
      level: 'ERROR',
      reason: 'VERSION_NOT_INTEGER',
      rejection: expect.stringMatching(/^rejected \[VERSION_NOT_INTEGER\]: detail.version/),
      eventId: first.id,
    });
    expect(find('conflicting event')).toMatchObject({
      level: 'WARN',
      arn: first.detail.taskArn,
      version: first.detail.version,
    });
    expect(find('append failed')).toMatchObject({
      level: 'ERROR',
      arn: first.detail.taskArn,
      error: expect.stringMatching(/injected throttling/),
    });
    expect(find('poison stream record')).toMatchObject({
      level: 'ERROR',
      keys: expect.anything(),
      error: expect.stringMatching(/not valid JSON/),
    });
    expect(find('projection failed')).toMatchObject({
      level: 'WARN',
      arn: first.detail.taskArn,
      version: 99,
      sequenceNumber: '42',
    });
  });
});
