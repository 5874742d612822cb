import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedVersion } from '../domain/derivedVersion.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { parseEvent } from '../domain/parseEvent.js';
import type { Pipeline } from '../local/localStack.js';
import { recentStart } from '../sim/clock.js';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { atLeastOnce, seededRandom } from '../sim/random.js';
import { generateServiceWorkload, type ServiceRef, serviceAction } from '../sim/serviceWorkload.js';
import { inParallel } from '../usecases/inParallel.js';
import { testPipeline } from './support/pipeline.js';
import { jsonItems, runCli } from './support/runCli.js';

const ACCOUNT = '111122223333';
const WEB: ServiceRef = {
  serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/prod/web`,
  clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`,
  region: 'us-east-1',
  account: ACCOUNT,
};
// A few hours before the run (to the hour): the task rows are never past their TTL, whatever the date.
const START = recentStart();

/**
 * Two service actions in one second whose derived versions sort against their createdAt
 * milliseconds: reading the log in version order alone would print them the wrong way round.
 */
function reversedPair(): [early: EcsEvent, late: EcsEvent] {
  const second = START + 3 * 3_600_000 + 17_000;
  for (let seed = 0; ; seed++) {
    const rng = seededRandom(seed);
    const early = serviceAction(rng, WEB, second + 100, 'WARN', 'SERVICE_TASK_START_IMPAIRED');
    const late = serviceAction(rng, WEB, second + 900, 'ERROR', 'SERVICE_TASK_PLACEMENT_FAILURE', {
      reason: 'RESOURCE:MEMORY',
    });
    if (derivedVersion(second, early) > derivedVersion(second, late)) return [early, late];
  }
}

let pipeline: Pipeline;
let events: EcsEvent[];
const [early, late] = reversedPair();

beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  const rng = seededRandom(4242);
  events = [
    ...generateServiceWorkload(rng, { clusters: 1, servicesPerCluster: 2, startMs: START }),
    early,
    late,
    // A task of the cluster, so that `prod/web` resolves through the latest-state tables.
    ...generateWorkload(rng, { tasks: 2, instances: 0, clusters: 1, startMs: START }),
  ];
  await inParallel(atLeastOnce(rng, events, 3), 8, async (e) => {
    await pipeline.ingest(e);
  });
  await pipeline.poller().drain();
});
afterAll(() => pipeline.client.destroy());

/** The oracle: the service actions of one service sorted by envelope time, createdAt, then version. */
function expectedOrder(serviceArn: string, keep: (e: EcsEvent) => boolean = () => true): string[] {
  return events
    .filter((e) => e['detail-type'] === 'ECS Service Action' && e.resources?.[0] === serviceArn && keep(e))
    .map((e) => {
      const parsed = parseEvent(e, { redactEnvironment: true });
      if (!parsed.ok) throw new Error(parsed.rejection.message);
      return { id: e.id as string, ...parsed.value, created: Date.parse(e.detail.createdAt as string) };
    })
    .sort((a, b) => a.eventTime - b.eventTime || a.created - b.created || a.version - b.version)
    .map((e) => e.id);
}

const cli = (...args: string[]) => runCli(args, pipeline.tables);

describe('ecs-events service-events', () => {
  it('lists the service actions of one service in time order, whatever the delivery order', async () => {
    const expected = expectedOrder(WEB.serviceArn);
    expect(expected.length).toBeGreaterThan(8);
    const items = jsonItems<{ eventId: string; eventTime: string; createdAt: string }>(
      await cli('service-events', '--service', WEB.serviceArn, '--json'),
    );
    expect(items.map((i) => i.eventId)).toEqual(expected);
    // Paging through the log three items at a time gives the same order.
    const paged = jsonItems<{ eventId: string }>(
      await cli('service-events', '--service', WEB.serviceArn, '--json', '--page-size', '3'),
    );
    expect(paged.map((i) => i.eventId)).toEqual(expected);
  });

  it('orders events of one second by their milliseconds, not by their log versions', async () => {
    const parse = (e: EcsEvent) => {
      const r = parseEvent(e, { redactEnvironment: true });
      if (!r.ok) throw new Error(r.rejection.message);
      return r.value;
    };
    expect(parse(early).version).toBeGreaterThan(parse(late).version);
    const items = jsonItems<{ eventId: string }>(
      await cli(
        'service-events',
        '--service',
        WEB.serviceArn,
        '--json',
        '--since',
        early.time as string,
        '--until',
        `${early.time?.slice(0, -1)}.999Z`,
      ),
    );
    expect(items.map((i) => i.eventId)).toEqual([early.id, late.id]);
  });

  it('--type keeps one event type; placement failures carry their reason', async () => {
    const errors = jsonItems<{ eventType: string; eventName: string; reason?: string; eventId: string }>(
      await cli('service-events', '--service', WEB.serviceArn, '--type', 'ERROR', '--json'),
    );
    expect(errors.map((i) => i.eventId)).toEqual(expectedOrder(WEB.serviceArn, (e) => e.detail.eventType === 'ERROR'));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const e of errors) {
      expect(e.eventType).toBe('ERROR');
      expect(e.eventName).toBe('SERVICE_TASK_PLACEMENT_FAILURE');
      expect(e.reason).toMatch(/^RESOURCE:/);
    }
    const table = await cli('service-events', '--service', 'prod/web', '--type', 'warn,error');
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header?.split('\t')).toEqual(['EVENT TIME', 'CREATED AT', 'TYPE', 'EVENT NAME', 'REASON', 'DETAIL']);
    expect(rows).toHaveLength(expectedOrder(WEB.serviceArn, (e) => e.detail.eventType !== 'INFO').length);
    expect(rows.some((r) => /\tERROR\tSERVICE_TASK_PLACEMENT_FAILURE\tRESOURCE:MEMORY(\t|$)/.test(r))).toBe(true);
  });

  it('honours the window ([since, until)), --limit, --ndjson and cluster/name', async () => {
    const all = expectedOrder(WEB.serviceArn);
    const byName = jsonItems<{ eventId: string; eventTime: string }>(
      await cli('service-events', '--service', 'prod/web', '--json'),
    );
    expect(byName.map((i) => i.eventId)).toEqual(all);
    const third = byName[2] as { eventTime: string };
    const fifth = byName[4] as { eventTime: string };
    const windowed = jsonItems<{ eventId: string }>(
      await cli(
        'service-events',
        '--service',
        'prod/web',
        '--since',
        third.eventTime,
        '--until',
        fifth.eventTime,
        '--json',
      ),
    );
    const [since, until] = [Date.parse(third.eventTime), Date.parse(fifth.eventTime)];
    const inWindow = (e: EcsEvent) => Date.parse(e.time as string) >= since && Date.parse(e.time as string) < until;
    expect(windowed.map((i) => i.eventId)).toEqual(expectedOrder(WEB.serviceArn, inWindow));
    expect(windowed.length).toBeGreaterThan(0);
    expect(windowed.length).toBeLessThan(all.length);

    const limited = await cli('service-events', '--service', WEB.serviceArn, '--json', '--limit', '2');
    expect(JSON.parse(limited.stdout)).toMatchObject({ count: 2, truncated: true });
    const lines = (await cli('service-events', '--service', WEB.serviceArn, '--ndjson')).stdout.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).eventId)).toEqual(all);
  });

  it('answers an unknown service with an empty result and bad arguments with exit 2', async () => {
    const [empty, bare, unknownCluster, type] = await Promise.all([
      cli('service-events', '--service', `arn:aws:ecs:us-east-1:${ACCOUNT}:service/prod/nothing`),
      cli('service-events', '--service', 'web'),
      cli('service-events', '--service', 'elsewhere/web'),
      cli('service-events', '--service', WEB.serviceArn, '--type', 'DEBUG'),
    ]);
    expect(empty).toMatchObject({ code: 0, stdout: '' });
    expect(empty.stderr).toMatch(/no service action events/);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--service must be a service ARN .* or <cluster>\/<name>/);
    expect(unknownCluster.code).toBe(2);
    expect(unknownCluster.stderr).toMatch(/no cluster of that name/);
    expect(type.code).toBe(2);
    expect(type.stderr).toMatch(/--type must be INFO, WARN, ERROR/);
  });
});
