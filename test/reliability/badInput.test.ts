import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../domain/eventTypes.js';
import { MAX_EVENT_BYTES, parseEvent } from '../../domain/parseEvent.js';
import { REASONS } from '../../domain/rejection.js';
import { IngestRejectedError } from '../../functions/ingest.js';
import type { Pipeline } from '../../local/localStack.js';
import { MemoryCheckpointStore } from '../../local/streamCheckpoints.js';
import { generateWorkload } from '../../sim/clusterWorkload.js';
import { atLeastOnce, seededRandom, shuffle } from '../../sim/random.js';
import { inParallel } from '../../usecases/inParallel.js';
import { scanAll, testPipeline } from '../support/pipeline.js';
import { samplesIn } from './support/samples.js';
import { LONG, runs, SEED, scenario } from './support/scenario.js';
import { freshAccount, WORKLOAD_START_MS } from './support/schedule.js';
import { accepted, distinctKeys, verifyStore } from './support/verify.js';

/**
 * Invariant 3 for hostile input: every case of test/fixtures/bad-events (listed with its expected
 * reason code and message in manifest.json) is refused by the real ingest handler with that code,
 * nothing of it is written, and good events delivered around it, concurrently, land intact.
 */
const DIR = fileURLToPath(new URL('../fixtures/bad-events/', import.meta.url));
interface Case {
  readonly reason: string;
  readonly message: string;
  readonly case: string;
}
const manifest = JSON.parse(readFileSync(`${DIR}manifest.json`, 'utf8')) as Record<string, Case>;
// JSON.parse, as Lambda decodes the event: `__proto__` stays an own key, 1e400 becomes Infinity.
const load = (file: string): unknown => JSON.parse(readFileSync(DIR + file, 'utf8'));
const cases = Object.entries(manifest).map(([file, c]) => ({ file, ...c }));

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => pipeline.client.destroy());

describe('bad input corpus (invariant 3)', () => {
  it('lists every fixture, with a known reason code, at least 30 of them', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && f !== 'manifest.json');
    expect(files.sort()).toEqual(Object.keys(manifest).sort());
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const c of cases) expect(REASONS).toContain(c.reason);
    // The size case really is above 300 KB on the wire.
    expect(readFileSync(`${DIR}event-over-300kb.json`).length).toBeGreaterThan(300 * 1024);
  });

  it.each(cases)('$file: $reason ($case)', async ({ file, reason, message }) => {
    const error = await pipeline.ingest(load(file)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestRejectedError);
    const rejected = error as IngestRejectedError;
    expect(rejected.reason).toBe(reason);
    expect(rejected.message.startsWith(`rejected [${reason}]: `)).toBe(true);
    expect(rejected.message).toContain(message);
    // Bounded, so a hostile value cannot flood a log line or the on-failure queue's error field.
    expect(rejected.message.length).toBeLessThan(400);
  });

  it(
    'refuses each bad event while good ones delivered around it, concurrently, land intact',
    async ({ task }) => {
      const row = scenario(task, 'bad input corpus amid good events');
      const own = await testPipeline(`${import.meta.filename}-mixed`);
      const checkpoints = new MemoryCheckpointStore(); // each run reads only its own part of the stream
      try {
        for (let run = 0; run < runs(1, 20); run++) {
          const rng = seededRandom(SEED + run);
          const account = freshAccount();
          const good: EcsEvent[] = [
            ...generateWorkload(rng, { tasks: 10, instances: 2, account, startMs: WORKLOAD_START_MS }),
            ...samplesIn(account, 'task', 'instance', 'service-action', 'deployment'),
            ...boundaryEvents(account),
          ];
          const bad = cases.map((c) => ({ bad: load(c.file), reason: c.reason }));
          const deliveries = shuffle(rng, [...atLeastOnce(rng, good, 2).map((e) => ({ good: e })), ...bad]);
          const refused: string[] = [];
          await inParallel(deliveries, 16, async (d) => {
            if ('good' in d) {
              await own.ingest(d.good);
              return;
            }
            const error = await own.ingest(d.bad).then(
              () => undefined,
              (e: unknown) => e,
            );
            expect((error as IngestRejectedError).reason).toBe(d.reason);
            refused.push(d.reason);
          });
          row.runs++;
          row.events += deliveries.length;
          row.rejected += refused.length;
          expect(refused).toHaveLength(bad.length);

          // Nothing of the bad ones in the log: it holds exactly the good events of every run so far.
          await own.poller({ checkpoints }).drain();
          const expected = accepted(good);
          expect(expected).toHaveLength(good.length);
          const verdict = await verifyStore(own.doc, own.tables, expected);
          row.lost += verdict.lost;
          row.stale += verdict.stale;
          expect(verdict, verdict.findings.join('\n')).toMatchObject({ lost: 0, stale: 0, extra: 0, wrong: 0 });
          const log = await scanAll(own.doc, own.tables.eventLog);
          expect(log.filter((i) => (i.arn as string).includes(`:${account}:`))).toHaveLength(
            distinctKeys(expected).size,
          );
        }
      } finally {
        own.client.destroy();
      }
    },
    LONG ? 1_800_000 : 60_000,
  );
});

/**
 * Good events at the edges of the rules: an event of exactly MAX_EVENT_BYTES (lands in the log and
 * in its row: the limit fits DynamoDB's 400 KB item), and the AWS doc's Spot-notice fragment with a
 * version and detail.updatedAt but no envelope time or region (the updatedAt fallback accepts it).
 */
function boundaryEvents(account: string): EcsEvent[] {
  const [base] = samplesIn(account, 'task-2') as [EcsEvent];
  const largest = structuredClone(base);
  largest.detail.taskArn = `${base.detail.taskArn as string}-largest`;
  largest.resources = [largest.detail.taskArn as string];
  largest.detail.stoppedReason = '';
  const bytes = (e: EcsEvent) => Buffer.byteLength(JSON.stringify(e), 'utf8');
  largest.detail.stoppedReason = 'x'.repeat(MAX_EVENT_BYTES - bytes(largest));
  expect(bytes(largest)).toBe(MAX_EVENT_BYTES);

  const fragment = load('doc-fragment-with-version.json') as EcsEvent;
  fragment.detail.taskArn = `arn:aws:ecs:us-east-1:${account}:task/spot-notice-with-updated-at`;
  fragment.resources = [fragment.detail.taskArn as string];
  fragment.detail.updatedAt = '2016-12-06T16:43:06.1Z';
  const parsed = parseEvent(fragment, { redactEnvironment: true });
  expect(parsed.ok && parsed.value.eventTime).toBe(Date.parse('2016-12-06T16:43:06.100Z'));
  return [largest, fragment];
}
