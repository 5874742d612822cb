import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../../local/localStack.js';
import { MemoryCheckpointStore } from '../../local/streamCheckpoints.js';
import { generateWorkload } from '../../sim/clusterWorkload.js';
import { atLeastOnce, seededRandom } from '../../sim/random.js';
import { inParallel } from '../../usecases/inParallel.js';
import { scanAll, testPipeline } from '../support/pipeline.js';
import { Child } from './support/child.js';
import { LONG, runs, SEED, scenario } from './support/scenario.js';
import { freshAccount, WORKLOAD_START_MS } from './support/schedule.js';
import { accepted, distinctKeys, verifyStore } from './support/verify.js';

/**
 * Invariant 3 when processes die: a stream poller killed with SIGKILL mid-run resumes from its
 * checkpoint file (nothing lost; a re-read batch is harmless), and an ingest load cut off by SIGKILL
 * and replayed lands every event exactly once. Synchronised on the children's output, never on timers.
 */
let pipeline: Pipeline;
let dir: string;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  dir = mkdtempSync(join(tmpdir(), 'ecs-reliability-'));
});
afterAll(() => pipeline.client.destroy());

const tableEnv = () => ({
  EVENT_LOG_TABLE: pipeline.tables.eventLog,
  TASK_STATE_TABLE: pipeline.tables.taskState,
  INSTANCE_STATE_TABLE: pipeline.tables.instanceState,
});
const batchLines = (lines: readonly Record<string, unknown>[]) => lines.filter((l) => l.first !== undefined);

describe('killed processes (invariant 3)', () => {
  it(
    'a poller killed with -9 mid-run resumes from its checkpoint and loses nothing',
    async ({ task }) => {
      const row = scenario(task, 'kill -9: stream poller');
      const rng = seededRandom(SEED);
      const events = generateWorkload(rng, {
        tasks: LONG ? 120 : 30,
        instances: 6,
        account: freshAccount(),
        startMs: WORKLOAD_START_MS,
      });
      await inParallel(events, 16, (e) => pipeline.ingest(e));
      row.events += events.length;

      const checkpointFile = join(dir, 'poller-checkpoints.json');
      const env = { ...tableEnv(), STREAM_ARN: pipeline.streamArn, CHECKPOINT_FILE: checkpointFile, BATCH_SIZE: '5' };
      const checkpoint = () =>
        Object.values(
          (JSON.parse(readFileSync(checkpointFile, 'utf8')) as Record<string, Record<string, string>>)[
            pipeline.streamArn
          ] ?? {},
        );
      for (let kill = 0; kill < runs(1, 5); kill++) {
        const child = new Child('./pollerProcess.ts', env);
        const before = kill === 0 ? undefined : checkpoint();
        await child.waitFor((lines) => batchLines(lines).length >= 3);
        const end = await child.kill9();
        row.runs++;
        expect(end.signal).toBe('SIGKILL');
        expect(child.lines.some((l) => l.done)).toBe(false); // it really died mid-run
        // A restarted poller starts after its checkpoint, not from the start of the stream.
        const first = BigInt(batchLines(child.lines)[0]?.first as string);
        if (before) expect(before.every((seq) => BigInt(seq) < first)).toBe(true);
      }

      const resumed = checkpoint();
      // The last one runs to the end, in Lambda-sized batches.
      const last = new Child('./pollerProcess.ts', { ...env, BATCH_SIZE: '100' });
      expect(await last.exited, last.errorOutput).toEqual({ code: 0, signal: null });
      const firstAfterRestart = BigInt(batchLines(last.lines)[0]?.first as string);
      expect(resumed.every((seq) => BigInt(seq) < firstAfterRestart)).toBe(true);
      row.runs++;

      const verdict = await verifyStore(pipeline.doc, pipeline.tables, accepted(events));
      row.lost += verdict.lost;
      row.stale += verdict.stale;
      expect(verdict, verdict.findings.join('\n')).toMatchObject({ lost: 0, stale: 0, extra: 0, wrong: 0 });
    },
    LONG ? 600_000 : 60_000,
  );

  it(
    'an ingest load killed with -9 and replayed lands every event exactly once',
    async ({ task }) => {
      const row = scenario(task, 'kill -9: ingest load, then replay');
      const checkpoints = new MemoryCheckpointStore(); // each run projects only its own part of the stream
      for (let run = 0; run < runs(1, 5); run++) {
        const rng = seededRandom(SEED + run);
        const events = generateWorkload(rng, {
          tasks: 40,
          instances: 4,
          account: freshAccount(),
          startMs: WORKLOAD_START_MS,
        });
        const deliveries = atLeastOnce(rng, events, 2);
        const distinct = distinctKeys(accepted(events)).size;
        const file = join(dir, `events-${run}.json`);
        writeFileSync(file, JSON.stringify(deliveries));
        row.runs++;
        row.events += deliveries.length;

        const child = new Child('./ingestProcess.ts', { ...tableEnv(), EVENTS_FILE: file, CONCURRENCY: '8' });
        await child.waitFor((lines) => lines.length >= deliveries.length / 4);
        const end = await child.kill9();
        expect(end.signal).toBe('SIGKILL');
        expect(child.lines.some((l) => l.done)).toBe(false);
        const landed = (await scanAll(pipeline.doc, pipeline.tables.eventLog)).length;

        // EventBridge redelivers what was not acknowledged; replaying everything is the harsher case.
        const outcomes = { appended: 0, duplicate: 0, conflict: 0 };
        await inParallel(deliveries, 16, async (e) => {
          outcomes[(await pipeline.ingest(e)).outcome]++;
        });
        expect(outcomes.conflict).toBe(0);
        expect(outcomes.duplicate).toBeGreaterThan(0);
        expect(outcomes.appended).toBeLessThan(distinct);
        expect((await scanAll(pipeline.doc, pipeline.tables.eventLog)).length).toBeGreaterThanOrEqual(landed);

        await pipeline.poller({ checkpoints }).drain();
        const verdict = await verifyStore(pipeline.doc, pipeline.tables, accepted(events));
        row.lost += verdict.lost;
        row.stale += verdict.stale;
        expect(verdict, verdict.findings.join('\n')).toMatchObject({ lost: 0, stale: 0, extra: 0, wrong: 0 });
      }
    },
    LONG ? 600_000 : 60_000,
  );
});
