import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedVersion, MAX_DERIVED_PROBES } from '../domain/derivedVersion.js';
import { decodeStoredEvent } from '../domain/eventCodec.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { toLogItem } from '../domain/logItem.js';
import { parseEvent } from '../domain/parseEvent.js';
import { addProjectorCounts, noProjectorCounts, type ProjectorCounts } from '../functions/projector.js';
import { appendEvent } from '../infra/logAppend.js';
import type { Pipeline } from '../local/localStack.js';
import { DAY_MS, HOUR_MS, recentStart } from '../sim/clock.js';
import { atLeastOnce, seededRandom } from '../sim/random.js';
import { loadSamples } from '../sim/samples.js';
import {
  generateServiceWorkload,
  type ServiceRef,
  sameMillisecondPair,
  serviceAction,
} from '../sim/serviceWorkload.js';
import { inParallel } from '../usecases/inParallel.js';
import { scanAll, testPipeline } from './support/pipeline.js';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => pipeline.client.destroy());

const logOf = async (arn: string) =>
  (await scanAll(pipeline.doc, pipeline.tables.eventLog))
    .filter((i) => i.arn === arn)
    .sort((a, b) => (a.version as number) - (b.version as number));

const serviceRef = (name: string): ServiceRef => ({
  serviceArn: `arn:aws:ecs:us-east-1:111122223333:service/test/${name}`,
  clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/test',
  region: 'us-east-1',
  account: '111122223333',
});

const parsed = (event: unknown) => {
  const r = parseEvent(event, { redactEnvironment: true });
  if (!r.ok) throw new Error(r.rejection.message);
  return r.value;
};

/** A whole hour about five days before the run (relative, never a fixed date): the tests below count from it. */
const DAY_0 = recentStart(5 * DAY_MS);

const SAMPLE_SERVICE = 'arn:aws:ecs:us-west-2:111122223333:service/default/servicetest';

describe('service action and deployment events in the log', () => {
  it('stores every AWS sample of both types as its own item, including deployment-2 and -3 (same id, time, service)', async () => {
    const samples = [...loadSamples('service-action'), ...loadSamples('deployment')];
    expect(samples.map(([name]) => name)).toEqual([
      'service-action-1',
      'service-action-2',
      'service-action-3',
      'deployment-1',
      'deployment-2',
      'deployment-3',
    ]);
    for (const [name, event] of samples) expect((await pipeline.ingest(event)).outcome, name).toBe('appended');

    const log = await logOf(SAMPLE_SERVICE);
    expect(log).toHaveLength(6);
    expect(new Set(log.map((i) => i.version)).size).toBe(6);
    for (const [name, event] of samples) {
      const item = log.find((i) => JSON.stringify(JSON.parse(decodeStoredEvent(i))) === JSON.stringify(event));
      expect(item, name).toBeDefined();
      expect(item?.eventTime).toBe(Date.parse((event as EcsEvent).time as string));
      // Service actions name their cluster; deployment events get it from the service/<cluster>/<name> ARN.
      // The item holds it as the first part of its timeline key.
      expect(item?.timelineKey).toMatch(/^arn:aws:ecs:us-west-2:111122223333:cluster\/default#(2019|2020)-/);
      expect(Number.isSafeInteger(item?.version)).toBe(true);
    }
    const [d2, d3] = ['deployment-2', 'deployment-3'].map((n) => samples.find(([name]) => name === n)?.[1] as EcsEvent);
    expect(d2?.id).toBe(d3?.id);
    expect(d2?.time).toBe(d3?.time);
    // deploymentId stays the exact string (the real ones have 19 digits, beyond 2^53).
    expect(log.filter((i) => i.eventName?.toString().startsWith('SERVICE_DEPLOYMENT'))).toHaveLength(3);
    for (const [, event] of samples) expect((await pipeline.ingest(event)).outcome).toBe('duplicate');
    expect(await logOf(SAMPLE_SERVICE)).toHaveLength(6);
  });

  it('treats duplicates as no-ops when each event is delivered up to 3 times, shuffled, 8 at once', async () => {
    const rng = seededRandom(8008);
    const events = generateServiceWorkload(rng, {
      clusters: 2,
      servicesPerCluster: 2,
      region: 'eu-west-1',
      account: '444455556666',
    });
    const deliveries = atLeastOnce(rng, events, 3);
    expect(deliveries.length).toBeGreaterThan(events.length + 10);
    const outcomes: string[] = [];
    await inParallel(deliveries, 8, async (e) => outcomes.push((await pipeline.ingest(e)).outcome));

    const ours = (await scanAll(pipeline.doc, pipeline.tables.eventLog)).filter((i) =>
      String(i.arn).includes(':444455556666:'),
    );
    expect(ours).toHaveLength(events.length);
    expect(outcomes.filter((o) => o === 'appended')).toHaveLength(events.length);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(deliveries.length - events.length);
    const stored = new Set(ours.map((i) => decodeStoredEvent(i)));
    for (const e of events) expect(stored.has(JSON.stringify(e))).toBe(true);
  });

  it('keeps two distinct events of one service in the same millisecond', async () => {
    const service = serviceRef('same-ms');
    const [a, b] = sameMillisecondPair(seededRandom(1), service, DAY_0 + 12 * HOUR_MS + 250) as [EcsEvent, EcsEvent];
    expect(a.time).toBe(b.time);
    expect(a.detail.createdAt).toBe(b.detail.createdAt);
    expect((await pipeline.ingest(a)).outcome).toBe('appended');
    expect((await pipeline.ingest(b)).outcome).toBe('appended');
    const log = await logOf(service.serviceArn);
    expect(log.map((i) => i.eventName).sort()).toEqual(['CAPACITY_PROVIDER_STEADY_STATE', 'SERVICE_STEADY_STATE']);
    expect(log[0]?.eventTime).toBe(log[1]?.eventTime);
  });

  it('never takes a hash collision for a duplicate: the second event takes the next free number', async () => {
    const service = serviceRef('collision');
    const rng = seededRandom(2);
    const t = DAY_0 + DAY_MS + 9.5 * HOUR_MS;
    const a = parsed(serviceAction(rng, service, t, 'INFO', 'SERVICE_STEADY_STATE'));
    const b = parsed(serviceAction(rng, service, t, 'WARN', 'SERVICE_TASK_START_IMPAIRED'));
    expect(a.version).not.toBe(b.version);
    // Test-only path: b is given a's derived version, as a real 6-digit hash collision would.
    const bColliding = { ...b, version: a.version };
    const ingest = { ingestedAt: Date.now(), ingestId: 'test' };
    const doc = pipeline.doc;
    const table = pipeline.tables.eventLog;

    expect(await appendEvent(doc, table, a, ingest)).toMatchObject({ type: 'appended', item: { version: a.version } });
    expect(await appendEvent(doc, table, bColliding, ingest)).toMatchObject({
      type: 'appended',
      item: { version: a.version + 1 },
    });
    for (let i = 0; i < 3; i++) {
      expect(await appendEvent(doc, table, a, ingest)).toMatchObject({
        type: 'duplicate',
        item: { version: a.version },
      });
      expect(await appendEvent(doc, table, bColliding, ingest)).toMatchObject({
        type: 'duplicate',
        item: { version: a.version + 1, eventName: 'SERVICE_TASK_START_IMPAIRED' },
      });
    }
    const log = await logOf(service.serviceArn);
    expect(log.map((i) => [i.version, i.eventName])).toEqual([
      [a.version, 'SERVICE_STEADY_STATE'],
      [a.version + 1, 'SERVICE_TASK_START_IMPAIRED'],
    ]);
  });

  it('probes past an item already at the computed version through the real handler; redelivery stays a duplicate', async () => {
    const service = serviceRef('occupied');
    const rng = seededRandom(3);
    const t = DAY_0 + 2 * DAY_MS + 9.5 * HOUR_MS;
    const event = serviceAction(rng, service, t, 'ERROR', 'SERVICE_TASK_PLACEMENT_FAILURE', { reason: 'RESOURCE:CPU' });
    const computed = derivedVersion(t, event);
    // Two different events already occupy the computed version and the next one.
    for (const [offset, other] of [
      [0, serviceAction(rng, service, t, 'INFO', 'SERVICE_STEADY_STATE')],
      [1, serviceAction(rng, service, t, 'INFO', 'TASKS_STOPPED')],
    ] as const) {
      const item = toLogItem({ ...parsed(other), version: computed + offset }, { ingestedAt: 0, ingestId: 'x' });
      await pipeline.doc.send(new PutCommand({ TableName: pipeline.tables.eventLog, Item: item }));
    }
    expect(await pipeline.ingest(event)).toEqual({
      outcome: 'appended',
      arn: service.serviceArn,
      version: computed + 2,
    });
    expect(await pipeline.ingest(structuredClone(event))).toMatchObject({
      outcome: 'duplicate',
      version: computed + 2,
    });
    const log = await logOf(service.serviceArn);
    expect(log.map((i) => i.version)).toEqual([computed, computed + 1, computed + 2]);
    expect(JSON.parse(decodeStoredEvent(log[2] ?? {}))).toEqual(event);
  });

  it(`gives up (an error Lambda retries) rather than overwrite when ${MAX_DERIVED_PROBES} numbers are taken`, async () => {
    const service = serviceRef('full');
    const rng = seededRandom(4);
    const t = DAY_0 + 3 * DAY_MS + 9.5 * HOUR_MS;
    const event = serviceAction(rng, service, t, 'INFO', 'SERVICE_STEADY_STATE');
    const computed = derivedVersion(t, event);
    await inParallel(
      Array.from({ length: MAX_DERIVED_PROBES }, (_, i) => i),
      8,
      async (i) => {
        const other = parsed(serviceAction(rng, service, t, 'INFO', `OTHER_${i}`));
        const item = toLogItem({ ...other, version: computed + i }, { ingestedAt: 0, ingestId: 'x' });
        await pipeline.doc.send(new PutCommand({ TableName: pipeline.tables.eventLog, Item: item }));
      },
    );
    await expect(pipeline.ingest(event)).rejects.toThrow(/no free log version/);
    expect(await logOf(service.serviceArn)).toHaveLength(MAX_DERIVED_PROBES);
  });

  it('refuses bad service and deployment events with specific reasons and writes nothing', async () => {
    const base = () => structuredClone(loadSamples('deployment-1').get('deployment-1')) as Record<string, any>;
    const action = () =>
      structuredClone(loadSamples('service-action-3').get('service-action-3')) as Record<string, any>;
    const cases: [string, Record<string, any>, string, RegExp][] = [
      ['no resources', { ...base(), resources: undefined }, 'ARN_MISSING', /resources\[0\] is required/],
      ['empty resources', { ...base(), resources: [] }, 'ARN_MISSING', /resources\[0\]/],
      [
        'a task ARN',
        {
          ...action(),
          resources: ['arn:aws:ecs:us-west-2:111122223333:task/default/0123456789abcdef0123456789abcdef'],
        },
        'ARN_INVALID',
        /resources\[0\] must be an ECS service ARN/,
      ],
      ['not an ARN', { ...base(), resources: ['servicetest'] }, 'ARN_INVALID', /resources\[0\] must be an ECS service/],
      ['resources not an array', { ...base(), resources: 'x' }, 'FIELD_INVALID', /resources must be an array/],
      ['no time', { ...action(), time: undefined }, 'TIME_MISSING', /time is required for service, deployment/],
      ['bad time', { ...base(), time: 'yesterday' }, 'TIME_INVALID', /time must be an ISO-8601/],
      [
        'a time whose derived version would pass 2^53',
        { ...base(), time: '2300-01-01T00:00:00Z' },
        'TIME_INVALID',
        /time must be before 2255-06-05T23:47:34\.000Z/,
      ],
      [
        'deploymentId as a number',
        // What a producer that parsed the id as a number would send: its digits are already gone.
        { ...base(), detail: { ...base().detail, deploymentId: Number('9223370556150183303') } },
        'FIELD_INVALID',
        /detail\.deploymentId must be a non-empty string/,
      ],
      [
        'bad clusterArn',
        { ...action(), detail: { ...action().detail, clusterArn: 'default' } },
        'FIELD_INVALID',
        /detail\.clusterArn/,
      ],
    ];
    const before = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    for (const [label, event, reason, message] of cases) {
      // Distinct content, so nothing could be mistaken for an already stored sample.
      event.id = `bad-${label}`;
      const error = await pipeline.ingest(event).then(
        () => undefined,
        (e: unknown) => e as { reason?: string; message: string },
      );
      expect(error?.reason, label).toBe(reason);
      expect(error?.message, label).toMatch(message);
      expect(error?.message, label).toMatch(new RegExp(`^rejected \\[${reason}\\]`));
    }
    expect(await scanAll(pipeline.doc, pipeline.tables.eventLog)).toHaveLength(before.length);
  });

  it('the projector counts them as history only: no row, no failure, no poison', async () => {
    const counts = noProjectorCounts();
    await pipeline
      .poller({
        onBatch: ({ response }) => {
          const c = (response as { counts?: ProjectorCounts } | undefined)?.counts;
          if (c) addProjectorCounts(counts, c);
        },
      })
      .drain();
    const log = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    const service = log.filter((i) => i.detailType !== 'ECS Task State Change');
    // The generated rollback stories include the failing deployment's tasks; only those become rows.
    const tasks = new Set(log.filter((i) => i.detailType === 'ECS Task State Change').map((i) => i.arn));
    expect(service.every((i) => String(i.arn).includes(':service/'))).toBe(true);
    expect(service.length).toBeGreaterThan(30);
    expect(counts).toMatchObject({ historyOnly: service.length, poison: 0, failed: 0 });
    const rows = await scanAll(pipeline.doc, pipeline.tables.taskState);
    expect(new Set(rows.map((r) => r.taskArn))).toEqual(tasks);
    expect(await scanAll(pipeline.doc, pipeline.tables.instanceState)).toHaveLength(0);
  });
});
