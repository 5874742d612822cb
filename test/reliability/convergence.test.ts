import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestPerResource, newer, type Projection } from '../../domain/projection.js';
import type { Pipeline } from '../../local/localStack.js';
import { shuffle } from '../../sim/random.js';
import { inParallel } from '../../usecases/inParallel.js';
import { testPipeline } from '../support/pipeline.js';
import { LONG, runs, SEED, scenario } from './support/scenario.js';
import { materialize, randomBatches, scheduleArb } from './support/schedule.js';
import { StreamTap } from './support/streamTap.js';
import { accepted, distinctKeys, verifyStore } from './support/verify.js';

/**
 * Invariants 1 and 2 (DESIGN.md) under random schedules: task and instance lifecycles, every event
 * delivered 1..5 times in any order by 1..32 concurrent ingest calls, the log's real stream records
 * projected in random batch splits, shuffled, up to 4 batches at once. All runs share one set of
 * tables; each run has its own account, so its ARNs are fresh.
 */
let pipeline: Pipeline;
let tap: StreamTap;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  tap = new StreamTap(pipeline.streamArn);
});
afterAll(() => pipeline.client.destroy());

const withSeed = async (run: () => Promise<void>) => {
  try {
    await run();
  } catch (e) {
    // fast-check's message holds seed and path too; this line makes the replay command obvious.
    console.error(`reliability property failed: replay with RELIABILITY_SEED=${SEED} (see fast-check's path below)`);
    throw e;
  }
};

describe('convergence under random schedules (invariants 1 and 2)', () => {
  it(
    'the log holds exactly the distinct (arn, version) items and every row is the highest version',
    async ({ task }) => {
      const row = scenario(task, 'convergence: random schedules');
      await withSeed(() =>
        fc.assert(
          fc.asyncProperty(scheduleArb, async (s) => {
            const { rng, events, deliveries } = materialize(s);
            const expected = accepted(events);
            const distinct = distinctKeys(expected).size;

            const outcomes = { appended: 0, duplicate: 0, conflict: 0 };
            await inParallel(deliveries, s.concurrency, async (e) => {
              outcomes[(await pipeline.ingest(e)).outcome]++;
            });
            expect(outcomes).toEqual({ appended: distinct, duplicate: deliveries.length - distinct, conflict: 0 });

            // One INSERT per log item on the real stream; projected shuffled, in random splits, concurrently.
            const records = await tap.take(distinct);
            expect(records).toHaveLength(distinct);
            const batches = randomBatches(rng, shuffle(rng, records), s.maxBatch);
            await inParallel(batches, s.parallelBatches, async (Records) => {
              const out = await pipeline.projector({ Records });
              expect(out.batchItemFailures).toEqual([]);
            });

            const verdict = await verifyStore(pipeline.doc, pipeline.tables, expected);
            row.runs++;
            row.events += deliveries.length;
            row.lost += verdict.lost;
            row.stale += verdict.stale;
            expect(verdict, verdict.findings.join('\n')).toMatchObject({ lost: 0, stale: 0, extra: 0, wrong: 0 });
          }),
          { seed: SEED, numRuns: runs(12, 10_000), endOnFailure: LONG },
        ),
      );
    },
    LONG ? 6 * 3_600_000 : 60_000,
  );
});

describe('which state wins is a merge: commutative, associative, idempotent (pure, domain/projection.ts)', () => {
  // Versions are unique per resource in the log, so one (kind, arn, version) always carries the same row.
  const projectionArb = fc
    .record({
      kind: fc.constantFrom('task' as const, 'instance' as const),
      arn: fc.constantFrom('a', 'b', 'c', 'd'),
      version: fc.oneof(fc.nat(20), fc.constant(2 ** 53 - 1)),
    })
    .map((p): Projection => ({ ...p, row: { id: `${p.kind}/${p.arn}/${p.version}` } }));
  const state = fc.array(projectionArb, { maxLength: 30 }).map((ps) => latestPerResource(ps));
  const merge = (...states: Map<string, Projection>[]) => latestPerResource(states.flatMap((s) => [...s.values()]));
  const view = (s: Map<string, Projection>) =>
    [...s.entries()].map(([k, p]) => `${k}=${p.version}:${String(p.row.id)}`).sort();
  const params = { seed: SEED, numRuns: runs(500, 20_000) };

  it('merging states is commutative, associative and idempotent', ({ task }) => {
    const row = scenario(task, 'merge algebra (pure)');
    fc.assert(
      fc.property(state, state, state, (a, b, c) => {
        row.runs++;
        expect(view(merge(a, b))).toEqual(view(merge(b, a)));
        expect(view(merge(merge(a, b), c))).toEqual(view(merge(a, merge(b, c))));
        expect(view(merge(a, a))).toEqual(view(a));
      }),
      params,
    );
  });

  it('any split of a stream into batches, reduced in any order, gives the reduction of the whole', ({ task }) => {
    const row = scenario(task, 'batch split invariance (pure)');
    fc.assert(
      fc.property(
        fc.array(projectionArb, { maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 6 }),
        fc.integer(),
        (ps, cuts, seed) => {
          row.runs++;
          row.events += ps.length;
          const bounds = [0, ...cuts.map((c) => Math.min(c, ps.length)).sort((x, y) => x - y), ps.length];
          const parts = bounds.slice(1).map((end, i) => latestPerResource(ps.slice(bounds[i], end)));
          const order = fc.sample(fc.shuffledSubarray(parts, { minLength: parts.length }), { seed, numRuns: 1 })[0];
          expect(view(merge(...(order ?? parts)))).toEqual(view(latestPerResource(ps)));
          // And pairwise: newer picks the higher version whichever argument it is.
          for (let i = 1; i < ps.length; i++) {
            const [x, y] = [ps[i - 1] as Projection, ps[i] as Projection];
            if (x.version !== y.version) expect(newer(x, y).version).toBe(newer(y, x).version);
          }
        },
      ),
      params,
    );
  });
});
