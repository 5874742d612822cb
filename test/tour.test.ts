import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../domain/eventTypes.js';
import type { Pipeline } from '../local/localStack.js';
import { DAY_MS } from '../sim/clock.js';
import { generateTour } from '../sim/tour.js';
import { inParallel } from '../usecases/inParallel.js';
import { scanAll, testPipeline } from './support/pipeline.js';

const TOUR = fileURLToPath(new URL('../sim/tour.ts', import.meta.url));
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => pipeline.client.destroy());

/** `npx tsx sim/tour.ts > tour.ndjson`, as the README's tour runs it. */
async function runTour(): Promise<EcsEvent[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', TOUR], { encoding: 'utf8' });
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as EcsEvent);
}

describe('the README tour (sim/tour.ts)', () => {
  it('prints the same seeded estate on every run, dated in the last day, that loads once then only duplicates', async () => {
    const events = await runTour();
    const now = Date.now();
    expect(events).toHaveLength(99);
    expect(events.map((e) => e.id)).toEqual(generateTour().map((e) => e.id));
    const times = events.flatMap((e) => JSON.stringify(e).match(ISO) ?? []).map((t) => Date.parse(t));
    expect(Math.min(...times)).toBeGreaterThan(now - DAY_MS);
    expect(Math.max(...times)).toBeLessThanOrEqual(now);

    for (const pass of ['appended', 'duplicate']) {
      const outcomes: string[] = [];
      await inParallel(events, 16, async (e) => outcomes.push((await pipeline.ingest(e)).outcome));
      expect(outcomes.filter((o) => o === pass)).toHaveLength(events.length);
    }
    await pipeline.poller().drain();
    expect(await scanAll(pipeline.doc, pipeline.tables.eventLog)).toHaveLength(99);
    expect(await scanAll(pipeline.doc, pipeline.tables.taskState)).toHaveLength(16);
    expect(await scanAll(pipeline.doc, pipeline.tables.instanceState)).toHaveLength(2);
  });

  it('moves only its times with the clock', () => {
    const now = Date.now();
    const strip = (events: EcsEvent[]) => events.map((e) => JSON.stringify(e).replace(ISO, 'T'));
    const later = generateTour(now + 40 * DAY_MS);
    expect(strip(later)).toEqual(strip(generateTour(now)));
    expect(later[0]?.time).not.toBe(generateTour(now)[0]?.time);
  });
});
