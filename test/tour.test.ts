import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../domain/eventTypes.js';
import type { Pipeline } from '../local/localStack.js';
import { DAY_MS, HOUR_MS } from '../sim/clock.js';
import { generateTour } from '../sim/tour.js';
import { inParallel } from '../usecases/inParallel.js';
import { scanAll, testPipeline } from './support/pipeline.js';
import { jsonItems, runCli } from './support/runCli.js';

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
    // 99 ECS events and the 6 API calls behind them (sim/tourCalls.ts).
    expect(events).toHaveLength(105);
    expect(events.filter((e) => e['detail-type'] === 'AWS API Call via CloudTrail')).toHaveLength(6);
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
    expect(await scanAll(pipeline.doc, pipeline.tables.eventLog)).toHaveLength(105);
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

  it('carries the timestamps ECS sets, so `stats` shows percentiles and lists only intervals with a sample', async () => {
    const cluster = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';
    const since = new Date(Date.now() - 6 * HOUR_MS).toISOString();
    const stats = (...more: string[]) =>
      runCli(['stats', '--cluster', cluster, '--since', since, ...more], pipeline.tables);
    // One more task, created and never pulled: its row has no interval with both timestamps.
    const created = new Date(Date.now() - HOUR_MS).toISOString();
    const pending = {
      version: '0',
      id: '0d4b7a53-1c1e-4a8e-9b1f-5d1a7c0e2f31',
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: '111122223333',
      time: created,
      region: 'us-east-1',
      resources: ['arn:aws:ecs:us-east-1:111122223333:task/prod/00000000000000000000000000000001'],
      detail: {
        clusterArn: cluster,
        taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/prod/00000000000000000000000000000001',
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:111122223333:task-definition/batch:1',
        group: 'service:batch',
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        createdAt: created,
        updatedAt: created,
        version: 1,
      },
    } as unknown as EcsEvent;
    expect((await pipeline.ingest(pending)).outcome).toBe('appended');
    await pipeline.poller().drain();

    const text = await stats();
    expect(text.code).toBe(0);
    const [header, ...lines] = text.stdout
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => l.split('\t'));
    const col = (name: string) => header?.indexOf(name) as number;
    const rowsOf = (service: string) => lines.filter((l) => l[col('SERVICE')] === service);
    // No line without a sample, no dash: a measured interval has a count and its percentiles.
    for (const line of lines.filter((l) => l[col('SERVICE')] !== 'batch')) {
      expect(Number(line[col('N')])).toBeGreaterThan(0);
      expect(line[col('P50')]).toMatch(/\d/);
    }
    // Every started task of the estate has all four intervals; the rolled-back deployment's pull failures only the first.
    expect(rowsOf('api').map((l) => l[col('INTERVAL')])).toEqual(
      expect.arrayContaining(['createdToPullStarted', 'pull', 'pullStoppedToStarted', 'createdToStarted']),
    );
    const failed = rowsOf('web').filter((l) => l[col('TASK DEFINITION')] === 'web:2');
    expect(failed.map((l) => [l[col('INTERVAL')], l[col('N')]])).toEqual([
      ['createdToPullStarted', '4'],
      ['pull', '2'],
      ['pullStoppedToStarted', '2'],
      ['createdToStarted', '2'],
    ]);
    expect(rowsOf('batch').map((l) => [l[col('INTERVAL')], l[col('N')], l[col('P50')]])).toEqual([
      ['(no sample)', '0', ''],
    ]);

    // --json keeps every interval, with null percentiles where there is no sample.
    const batch = jsonItems<Record<string, { count: number; p50: number | null }>>(await stats('--json')).find(
      (r) => (r.service as unknown) === 'batch',
    );
    expect(batch?.createdToStarted).toEqual({ count: 0, p50: null, p90: null, p99: null, max: null });
    expect(batch?.pull).toEqual({ count: 0, p50: null, p90: null, p99: null, max: null });
  });
});
