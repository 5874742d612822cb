import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStoredEvent } from '../../domain/eventCodec.js';
import type { EcsEvent } from '../../domain/eventTypes.js';
import { toLogItem } from '../../domain/logItem.js';
import { parseEvent } from '../../domain/parseEvent.js';
import { addProjectorCounts, createProjectorHandler, noProjectorCounts } from '../../functions/projector.js';
import type { Pipeline } from '../../local/localStack.js';
import { MemoryCheckpointStore } from '../../local/streamCheckpoints.js';
import { generateWorkload } from '../../sim/clusterWorkload.js';
import { seededRandom } from '../../sim/random.js';
import { inParallel } from '../../usecases/inParallel.js';
import { rebuild } from '../../usecases/rebuild.js';
import { trustTampered } from '../../usecases/tampered.js';
import { logScanOf, testPipeline } from '../support/pipeline.js';
import { captureOutput, setEnv } from './support/capture.js';
import { LONG, runs, SEED, scenario } from './support/scenario.js';
import { freshAccount, WORKLOAD_START_MS } from './support/schedule.js';
import { accepted, verifyStore } from './support/verify.js';

/**
 * Invariant 3 for log items that cannot be projected (written straight into the log, as a bug or a
 * hand edit could): they never block the shard or their neighbours, each is logged with its key and
 * counted, and once the item is fixed, rebuild (usecases/rebuild.ts) brings its row up to date.
 */
let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => pipeline.client.destroy());

/** The log item ingest would write for an event. */
function logItemOf(event: EcsEvent): Record<string, unknown> {
  const parsed = parseEvent(event, { redactEnvironment: true });
  if (!parsed.ok) throw new Error(parsed.rejection.message);
  return { ...toLogItem(parsed.value, { ingestedAt: Date.now(), ingestId: 'poison-test' }) };
}

/** Four ways a log item can be unprojectable, each the next version of a task that has good versions. */
function poisonOf(top: EcsEvent): { why: string; item: Record<string, unknown>; fixed: EcsEvent }[] {
  const next = (n: number): EcsEvent => {
    const e = structuredClone(top);
    e.detail.version = (top.detail.version as number) + n;
    e.detail.lastStatus = 'STOPPED';
    return e;
  };
  const good = [1, 2, 3, 4].map(next);
  const [a, b, c, d] = good.map(logItemOf) as [
    Record<string, unknown>,
    Record<string, unknown>,
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  return [
    {
      why: 'event is not valid JSON',
      item: { ...a, event: decodeStoredEvent(a).slice(0, 40) },
      fixed: good[0] as EcsEvent,
    },
    {
      why: 'event.detail is not an object',
      item: { ...b, event: JSON.stringify({ ...JSON.parse(decodeStoredEvent(b)), detail: ['not', 'an', 'object'] }) },
      fixed: good[1] as EcsEvent,
    },
    // Not an ECS type: an "ECS ..." one this code does not know is kind other, history only, not poison.
    { why: 'unknown detailType', item: { ...c, detailType: 'Task Changed' }, fixed: good[2] as EcsEvent },
    {
      // Valid JSON, but a number DynamoDB cannot store: the row put fails with ValidationException.
      why: 'the row cannot be written',
      item: { ...d, event: decodeStoredEvent(d).replace('"detail":{', '"detail":{"cpuUtilization":1e200,') },
      fixed: good[3] as EcsEvent,
    },
  ];
}

describe('poison stream records (invariant 3)', () => {
  it(
    'never block the shard, are logged with their key and counted, and rebuild recovers them once fixed',
    async ({ task }) => {
      const row = scenario(task, 'poison records: skipped, logged, rebuilt');
      // One place in the stream for the whole test, so each run reads only its own records.
      const checkpoints = new MemoryCheckpointStore();
      for (let run = 0; run < runs(1, 10); run++) {
        const rng = seededRandom(SEED + run);
        const events = generateWorkload(rng, {
          tasks: 8,
          instances: 1,
          account: freshAccount(),
          startMs: WORKLOAD_START_MS,
        });
        await inParallel(events, 8, (e) => pipeline.ingest(e));
        // Poison items go in after the good ones of their task, then more good events after them in the stream.
        const tops = [...latestTasks(events).values()].slice(0, 4);
        const poison = tops.flatMap((top, i) => poisonOf(top)[i] ?? []);
        for (const p of poison)
          await pipeline.doc.send(new PutCommand({ TableName: pipeline.tables.eventLog, Item: p.item }));
        const later = generateWorkload(rng, {
          tasks: 4,
          instances: 0,
          account: freshAccount(),
          startMs: WORKLOAD_START_MS,
        });
        for (const e of later) await pipeline.ingest(e);
        row.runs++;
        row.events += events.length + poison.length + later.length;

        // The real projector, logging at INFO, on the real stream, in small batches so poison sits among neighbours.
        const restoreEnv = setEnv({ POWERTOOLS_LOG_LEVEL: 'INFO' });
        const output = captureOutput();
        const counts = noProjectorCounts();
        let poller: ReturnType<Pipeline['poller']>;
        try {
          const projector = createProjectorHandler({ doc: pipeline.doc, tables: pipeline.tables, ttlDays: 30 });
          poller = pipeline.poller({
            checkpoints,
            batchSize: 3,
            handler: async (event) => {
              const out = await projector(event);
              addProjectorCounts(counts, out.counts);
              return out;
            },
          });
          await poller.drain();
        } finally {
          output.restore();
          restoreEnv();
        }
        expect(poller.stats).toMatchObject({ retries: 0, skipped: 0 }); // the shard never stalled
        expect(counts).toMatchObject({ poison: poison.length, failed: 0 });

        // Each one logged as an error with its key (arn and version), so an operator can find and fix it.
        const errors = output.json().filter((l) => l.level === 'ERROR' && String(l.message).startsWith('poison'));
        expect(errors).toHaveLength(poison.length);
        for (const p of poison) {
          const line = errors.find((l) => JSON.stringify(l).includes(p.item.arn as string));
          expect(line, `no log line for ${p.why}`).toBeDefined();
          expect(JSON.stringify(line)).toContain(String(p.item.version));
          expect(line?.error ?? line?.message).toBeTruthy();
        }
        // Neighbours were projected: every resource is at its highest good version.
        const good = accepted([...events, ...later]);
        const before = await verifyStore(pipeline.doc, pipeline.tables, good, { rows: true });
        expect(before.lost + before.stale + before.wrong).toBe(0);

        // An operator fixes the items in place (the lock lifted: a MODIFY on the stream, which the projector
        // reports as tampering and never projects), vouches for the fix (trust-tampered), then rebuilds.
        for (const p of poison) {
          await pipeline.doc.send(new PutCommand({ TableName: pipeline.tables.eventLog, Item: logItemOf(p.fixed) }));
        }
        await pipeline.poller({ checkpoints }).drain();
        for (const p of poison) {
          const key = { arn: p.item.arn as string, version: p.item.version as number };
          expect((await trustTampered(pipeline.doc, pipeline.tables.eventLog, key)).state).toBe('trusted');
        }
        const report = await rebuild({
          ...logScanOf(pipeline),
          ttlDays: 30,
          segments: 2,
        });
        expect(report.complete).toBe(true);
        const after = await verifyStore(
          pipeline.doc,
          pipeline.tables,
          accepted([...events, ...later, ...poison.map((p) => p.fixed)]),
        );
        row.lost += after.lost;
        row.stale += after.stale;
        expect(after, after.findings.join('\n')).toMatchObject({ lost: 0, stale: 0, extra: 0, wrong: 0 });
      }
    },
    LONG ? 1_200_000 : 60_000,
  );
});

function latestTasks(events: EcsEvent[]): Map<string, EcsEvent> {
  const top = new Map<string, EcsEvent>();
  for (const e of events) {
    if (e['detail-type'] !== 'ECS Task State Change') continue;
    const arn = e.detail.taskArn as string;
    const seen = top.get(arn);
    if (!seen || (seen.detail.version as number) < (e.detail.version as number)) top.set(arn, e);
  }
  return top;
}
