import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../domain/eventTypes.js';
import { redactOverrideEnvironment } from '../domain/redact.js';
import type { Pipeline } from '../local/localStack.js';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { atLeastOnce, seededRandom } from '../sim/random.js';
import { loadSamples } from '../sim/samples.js';
import { inParallel } from '../usecases/inParallel.js';
import { scanAll, testPipeline } from './support/pipeline.js';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => pipeline.client.destroy());

/** The oracle: highest version per resource, from the distinct events. */
function expectedLatest(events: EcsEvent[], detailType: string, arnField: string) {
  const latest = new Map<string, Record<string, unknown>>();
  for (const e of events) {
    if (e['detail-type'] !== detailType) continue;
    const arn = e.detail[arnField] as string;
    const seen = latest.get(arn);
    if (!seen || (seen.version as number) < (e.detail.version as number))
      latest.set(arn, redactOverrideEnvironment(e).detail);
  }
  return latest;
}

describe('ingest → log → stream → projector → rows', () => {
  it('converges under duplicates, shuffled order and 16 concurrent ingest calls', async () => {
    const rng = seededRandom(42);
    const samples = [...loadSamples('task').values(), ...loadSamples('instance').values()] as EcsEvent[];
    const events = [...samples, ...generateWorkload(rng, { tasks: 60, instances: 8 })];
    const deliveries = atLeastOnce(rng, events, 3);
    expect(deliveries.length).toBeGreaterThan(events.length);

    const outcomes: string[] = [];
    await inParallel(deliveries, 16, async (e) => outcomes.push((await pipeline.ingest(e)).outcome));
    await pipeline.poller().drain();

    const log = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    const distinct = new Set(events.map((e) => `${e.resources?.[0]}#${e.detail.version}`));
    expect(log).toHaveLength(distinct.size);
    expect(outcomes.filter((o) => o === 'appended')).toHaveLength(distinct.size);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(deliveries.length - distinct.size);

    for (const [table, detailType, field] of [
      [pipeline.tables.taskState, 'ECS Task State Change', 'taskArn'],
      [pipeline.tables.instanceState, 'ECS Container Instance State Change', 'containerInstanceArn'],
    ] as const) {
      const rows = await scanAll(pipeline.doc, table);
      const expected = expectedLatest(events, detailType, field);
      expect(rows).toHaveLength(expected.size);
      for (const row of rows) {
        const detail = expected.get(row[field] as string);
        expect(row.version).toBe(detail?.version);
        expect(row).toMatchObject(JSON.parse(JSON.stringify(detail)));
      }
    }
  });
});
