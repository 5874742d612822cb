import fc from 'fast-check';
import type { EcsEvent } from '../../../domain/eventTypes.js';
import { recentStart } from '../../../sim/clock.js';
import { generateWorkload } from '../../../sim/clusterWorkload.js';
import { atLeastOnce, hexId, type Random, seededRandom } from '../../../sim/random.js';

/** One random delivery schedule: what happened in the estate, and how it reached ingest and the projector. */
export interface Schedule {
  /** Seeds the event contents, the delivery order and the batch cuts. */
  readonly seed: number;
  readonly tasks: number;
  readonly instances: number;
  /** Every event is delivered 1..maxCopies times. */
  readonly maxCopies: number;
  /** Concurrent ingest calls. */
  readonly concurrency: number;
  /** Largest projector batch; batches are cut at random sizes 1..maxBatch. */
  readonly maxBatch: number;
  /** Projector batches in flight at once. */
  readonly parallelBatches: number;
  /** Versions are versionBase + stride × step: small, large, and just below 2^53. */
  readonly versionBase: number;
  readonly versionStride: number;
}

export const scheduleArb: fc.Arbitrary<Schedule> = fc
  .record({
    seed: fc.integer(),
    tasks: fc.integer({ min: 0, max: 3 }),
    instances: fc.integer({ min: 0, max: 2 }),
    maxCopies: fc.integer({ min: 1, max: 5 }),
    concurrency: fc.integer({ min: 1, max: 32 }),
    maxBatch: fc.integer({ min: 1, max: 40 }),
    parallelBatches: fc.integer({ min: 1, max: 4 }),
    versionBase: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_000_000 }), fc.constant(2 ** 53 - 64)),
    versionStride: fc.integer({ min: 1, max: 3 }),
  })
  .filter((s) => s.tasks + s.instances > 0);

/**
 * Where the generated estates of this run start: a few hours before the run, fixed for the whole run
 * (a replayed seed sees the same times), so that no STOPPED row is past its TTL (30 days after its
 * event) or comes due during the run, whatever the date.
 */
export const WORKLOAD_START_MS = recentStart();

let runCounter = 0;

/** A 12-digit account unique to this run, so its ARNs are fresh in tables that many runs share. */
export const freshAccount = (): string => String(100_000_000_000 + process.pid * 100_000 + ++runCounter).slice(-12);

/** The events of a schedule (task and instance lifecycles in a fresh account) and their deliveries. */
export function materialize(
  s: Schedule,
  account = freshAccount(),
): { rng: Random; events: EcsEvent[]; deliveries: EcsEvent[] } {
  const rng = seededRandom(s.seed);
  const events = generateWorkload(rng, {
    tasks: s.tasks,
    instances: s.instances,
    account,
    startMs: WORKLOAD_START_MS,
  });
  for (const e of events) {
    e.detail.version = s.versionBase + (e.detail.version as number) * s.versionStride;
  }
  // At least once, any order; a third of the redeliveries come in a new envelope (another id).
  const deliveries = atLeastOnce(rng, events, s.maxCopies).map((e, i, all) =>
    all.indexOf(e) !== i && rng() < 0.33 ? { ...e, id: `${hexId(rng, 8)}-redelivery` } : e,
  );
  return { rng, events, deliveries };
}

/** Cuts items into consecutive batches of random sizes 1..maxBatch. */
export function randomBatches<T>(rng: Random, items: readonly T[], maxBatch: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const size = 1 + Math.floor(rng() * maxBatch);
    batches.push(items.slice(i, i + size));
    i += size;
  }
  return batches;
}
