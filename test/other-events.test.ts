// Every ECS detail-type in the log (docs/events.md): the AWS samples of the types added since the
// first four, a made-up future type, one that happens to carry a version, and archive replays, on
// DynamoDB Local through the real handlers; then what the projector, rebuild, verify and the audit
// commands make of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStoredEvent } from '../domain/eventCodec.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { KINDS } from '../domain/kinds.js';
import { otherPartition } from '../domain/otherEvents.js';
import { addProjectorCounts, noProjectorCounts, type ProjectorCounts } from '../functions/projector.js';
import type { Pipeline } from '../local/localStack.js';
import { atLeastOnce, seededRandom } from '../sim/random.js';
import { loadSamples } from '../sim/samples.js';
import { inParallel } from '../usecases/inParallel.js';
import { rebuild } from '../usecases/rebuild.js';
import { verify } from '../usecases/verify.js';
import { scanAll, testPipeline } from './support/pipeline.js';
import { jsonItems, runCli } from './support/runCli.js';

const ACCOUNT = '123456789012';
const CLUSTER = `arn:aws:ecs:us-west-2:${ACCOUNT}:cluster/my-cluster`;
const INSTANCE = `arn:aws:ecs:us-west-2:${ACCOUNT}:container-instance/my-cluster/a1b2c3d4EXAMPLE`;
const DAEMON_TASK = `arn:aws:ecs:us-west-2:${ACCOUNT}:task/my-cluster/a1b2c3d4e5f6`;
const OTHER_PREFIXES = ['health', 'daemon', 'hook'];

const clone = <T>(v: T): T => structuredClone(v);
/** The AWS samples of the types added since the first four (samples/aws-docs/SOURCES.md), one account. */
const newTypeSamples = (): EcsEvent[] =>
  OTHER_PREFIXES.flatMap((p) => [...loadSamples(p).values()]).map(
    (e) => JSON.parse(JSON.stringify(e).replaceAll('111122223333', ACCOUNT)) as EcsEvent,
  );

/** State changes of the same resources: the instance the health events name and the daemon's task. */
function stateEvents(): EcsEvent[] {
  const instance = clone(loadSamples('instance-1').get('instance-1')) as EcsEvent;
  const task = clone(loadSamples('task-2').get('task-2')) as EcsEvent;
  const at = (e: EcsEvent, time: string, version: number, over: Record<string, unknown>): EcsEvent => ({
    ...clone(e),
    account: ACCOUNT,
    region: 'us-west-2',
    time,
    resources: [String(over.containerInstanceArn ?? over.taskArn)],
    detail: { ...clone(e.detail), clusterArn: CLUSTER, version, updatedAt: time, ...over },
  });
  return [
    at(instance, '2026-04-11T00:40:00Z', 1, { containerInstanceArn: INSTANCE, status: 'ACTIVE' }),
    at(instance, '2026-04-11T00:50:00Z', 2, { containerInstanceArn: INSTANCE, status: 'DRAINING' }),
    at(instance, '2026-07-30T00:00:00Z', 3, { containerInstanceArn: INSTANCE, status: 'DRAINING' }),
    at(task, '2026-03-24T11:59:00Z', 1, { taskArn: DAEMON_TASK, lastStatus: 'PENDING', desiredStatus: 'RUNNING' }),
    at(task, '2026-03-24T12:00:30Z', 2, { taskArn: DAEMON_TASK, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }),
  ];
}

/** Types this code does not know: a made-up one, one carrying `detail.version`, one naming no resource at all. */
function futureEvents(): EcsEvent[] {
  const health = newTypeSamples()[1] as EcsEvent;
  const somethingNew = {
    ...clone(health),
    id: 'future-1',
    'detail-type': 'ECS Something New',
    resources: [`arn:aws:ecs:us-west-2:${ACCOUNT}:capacity-provider/my-capacity-provider`],
  };
  const withVersion = {
    ...clone(health),
    id: 'future-2',
    'detail-type': 'ECS Something Versioned',
    resources: [DAEMON_TASK],
    detail: { taskArn: DAEMON_TASK, version: 99, clusterArn: CLUSTER },
  };
  const accountWide = { ...clone(health), id: 'future-3', 'detail-type': 'ECS Account Setting Change', detail: {} };
  delete (accountWide as Partial<EcsEvent>).resources;
  return [somethingNew, withVersion, accountWide] as EcsEvent[];
}

let pipeline: Pipeline;
const counts = noProjectorCounts();
const drain = () =>
  pipeline
    .poller({
      onBatch: ({ response }) => {
        const c = (response as { counts?: ProjectorCounts } | undefined)?.counts;
        if (c) addProjectorCounts(counts, c);
      },
    })
    .drain();

beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => pipeline.client.destroy());

const others = () => [...newTypeSamples(), ...futureEvents()];

describe('every ECS detail-type in the log', () => {
  it('lands every sample of every type once under 3× shuffled redelivery, 16 at once', async () => {
    const events = [...others(), ...stateEvents()];
    expect(new Set(events.map((e) => e['detail-type'])).size).toBe(9);
    const deliveries = atLeastOnce(seededRandom(1212), events, 3);
    expect(deliveries.length).toBeGreaterThan(events.length + 5);
    const outcomes: string[] = [];
    await inParallel(deliveries, 16, async (e) => outcomes.push((await pipeline.ingest(e)).outcome));
    expect(outcomes.filter((o) => o === 'appended')).toHaveLength(events.length);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(deliveries.length - events.length);

    const log = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    expect(log).toHaveLength(events.length);
    const stored = new Map(log.map((i) => [decodeStoredEvent(i), i]));
    for (const e of events) expect(stored.has(JSON.stringify(e)), `${e['detail-type']} ${e.id}`).toBe(true);
    // The other kinds: their own partitions, the resource beside them; the daemon's task keeps its versions.
    for (const item of log.filter((i) => !String(i.detailType).match(/Task State|Instance State/))) {
      expect(item.arn).toBe(otherPartition(item.resourceArn as string));
    }
    const taskVersions = log.filter((i) => i.arn === DAEMON_TASK).map((i) => i.version);
    expect(taskVersions.sort()).toEqual([1, 2]);
    expect(log.find((i) => i.eventId === 'future-3')?.arn).toBe(`arn:aws:ecs:us-west-2:${ACCOUNT}:account#other`);
  });

  it('treats archive replays (replay-name) as duplicates, twice over: nothing in the log changes', async () => {
    const before = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    const events = [...others(), ...stateEvents()];
    for (const replay of ['replay-1', 'replay-2']) {
      const outcomes: string[] = [];
      const replayed = events.map((e) => ({ ...e, 'replay-name': replay }));
      await inParallel(replayed, 16, async (e) => outcomes.push((await pipeline.ingest(e)).outcome));
      expect(outcomes, replay).toEqual(events.map(() => 'duplicate'));
    }
    const after = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    const byKey = (items: Record<string, unknown>[]) =>
      new Map(items.map((i) => [`${i.arn}#${i.version}`, JSON.stringify(i)]));
    expect(byKey(after)).toEqual(byKey(before));
  });

  it('the projector counts them as history only: no row touched, no failure, no poison', async () => {
    await drain();
    const historyOnly = others().length;
    expect(counts).toMatchObject({ historyOnly, poison: 0, failed: 0 });
    expect(counts.projected + counts.staleSkipped).toBe(stateEvents().length);
    const tasks = await scanAll(pipeline.doc, pipeline.tables.taskState);
    const instances = await scanAll(pipeline.doc, pipeline.tables.instanceState);
    expect(tasks.map((r) => [r.taskArn, r.version])).toEqual([[DAEMON_TASK, 2]]);
    expect(instances.map((r) => [r.containerInstanceArn, r.version, r.status])).toEqual([[INSTANCE, 3, 'DRAINING']]);
  });

  it('rebuild and verify ignore them', async () => {
    const base = { doc: pipeline.doc, client: pipeline.client, eventLog: pipeline.tables.eventLog, ttlDays: 0 };
    const targets = { task: `${pipeline.tables.taskState}-r`, instance: `${pipeline.tables.instanceState}-r` };
    const report = await rebuild({ ...base, targets, segments: 2 });
    expect(report).toMatchObject({ complete: true, arns: 2, written: 2, poison: 0, errors: 0 });
    const check = await verify({ ...base, targets, segments: 2, settle: async () => {} });
    expect(check).toMatchObject({ clean: true, arns: 2, poison: 0 });
    // The live rows, as the pipeline's projector wrote them (its default TTL of 30 days).
    const live = await verify({
      ...base,
      ttlDays: 30,
      targets: { task: pipeline.tables.taskState, instance: pipeline.tables.instanceState },
      settle: async () => {},
    });
    expect(live).toMatchObject({ clean: true, arns: 2, poison: 0 });
  });

  describe('the audit commands', () => {
    const cli = (...args: string[]) => runCli(args, pipeline.tables);

    it('history of an instance shows its health changes between its versions, by time, marked with their type', async () => {
      const rows = jsonItems<Record<string, unknown>>(await cli('history', INSTANCE, '--json'));
      expect(rows.map((r) => [r.kind, r.kind === 'other' ? r.overallStatus : r.version])).toEqual([
        ['instance', 1],
        ['other', 'OK'],
        ['other', 'IMPAIRED'],
        ['other', 'IMPAIRED'],
        ['instance', 2],
        ['other', 'IMPAIRED'],
        ['instance', 3],
      ]);
      const health = rows.filter((r) => r.kind === 'other');
      for (const r of health) {
        expect(r).toMatchObject({ detailType: KINDS.other.named.instanceHealth, resourceArn: INSTANCE });
      }
      // Same second: the three samples of 00:49:09 in one stable order (by their log version).
      const times = rows.map((r) => Date.parse(r.eventTime as string));
      expect(times.slice(1, 4)).toEqual([0, 0, 0].map(() => Date.parse('2026-04-11T00:49:09Z')));

      const table = await cli('history', INSTANCE);
      expect(table.code).toBe(0);
      const [header, ...lines] = table.stdout.trim().split('\n');
      expect(header?.split('\t')).toEqual(['VERSION', 'EVENT TIME', 'STATUS', 'AGENT CONNECTED', 'OTHER EVENT']);
      expect(lines[2]?.split('\t')).toEqual([
        '-',
        '2026-04-11T00:49:09.000Z',
        '',
        '',
        expect.stringMatching(/^ECS Container Instance Health Change: IMPAIRED (ACCELERATED_COMPUTE|DAEMON)=IMPAIRED/),
      ]);
    });

    it('history of a task shows the daemon action naming it and the type carrying a version, not as versions', async () => {
      const rows = jsonItems<Record<string, unknown>>(await cli('history', DAEMON_TASK, '--json'));
      expect(rows.map((r) => [r.kind, r.kind === 'other' ? r.detailType : r.version])).toEqual([
        ['task', 1],
        ['other', 'ECS Daemon Service Action'],
        ['task', 2],
        ['other', 'ECS Something Versioned'],
      ]);
      // A version range selects versions: other events have none.
      const ranged = jsonItems<Record<string, unknown>>(
        await cli('history', DAEMON_TASK, '--from-version', '1', '--json'),
      );
      expect(ranged.map((r) => r.kind)).toEqual(['task', 'task']);
      // The ARN of another ECS resource lists its events: the daemon's deployment.
      const daemon = jsonItems<Record<string, unknown>>(
        await cli('history', `arn:aws:ecs:us-west-2:${ACCOUNT}:daemon/my-cluster/my-daemon`, '--json'),
      );
      expect(daemon.map((r) => r.eventName)).toEqual(['DAEMON_DEPLOYMENT_PENDING']);
    });

    it('timeline includes them; --type other selects them, --type instance leaves them out', async () => {
      // 2026-04-11 00:00-01:00: instance v1 and v2, the three health samples, the future types on that instance's cluster.
      const window = ['--cluster', CLUSTER, '--since', '2026-04-11T00:00:00Z', '--until', '2026-04-11T01:00:00Z'];
      const timeline = async (...args: string[]) =>
        jsonItems<Record<string, unknown>>(await cli('timeline', ...window, ...args, '--json'));
      const [all, other, both, instance] = await Promise.all([
        timeline(),
        timeline('--type', 'other'),
        timeline('--type', 'instance,other'),
        timeline('--type', 'instance'),
      ]);
      expect(all.map((e) => e.type)).toEqual(['instance', 'other', 'other', 'other', 'other', 'other', 'instance']);
      expect(other.map((e) => e.detailType).sort()).toEqual([
        'ECS Container Instance Health Change',
        'ECS Container Instance Health Change',
        'ECS Container Instance Health Change',
        'ECS Something New',
        'ECS Something Versioned',
      ]);
      expect(other.filter((e) => e.detailType === KINDS.other.named.instanceHealth).map((e) => e.resourceArn)).toEqual([
        INSTANCE,
        INSTANCE,
        INSTANCE,
      ]);
      expect(both).toEqual(all);
      expect(instance.map((e) => [e.type, e.version])).toEqual([
        ['instance', 1],
        ['instance', 2],
      ]);
      // A lifecycle hook is placed by its detail.clusterArn; the table names its resource, not the partition.
      const hookWindow = ['--cluster', CLUSTER, '--since', '2026-03-05T15:00:00Z', '--until', '2026-03-05T16:00:00Z'];
      const atHook = jsonItems<Record<string, unknown>>(await cli('timeline', ...hookWindow, '--json'));
      // The daemon's deployment sample shares the hook sample's time (and id): both are there.
      expect(atHook.map((e) => e.detailType).sort()).toEqual([
        'ECS Daemon Deployment State Change',
        'ECS Hook State Change',
      ]);
      const hook = atHook.find((e) => e.detailType === 'ECS Hook State Change');
      expect(hook).toMatchObject({
        type: 'other',
        detailType: 'ECS Hook State Change',
        resourceArn: `arn:aws:ecs:us-west-2:${ACCOUNT}:service-deployment/my-cluster/my-service/0EYSiB0qap8xf0N76FsbE`,
        eventName: 'HOOK_AWAITING_ACTION',
      });
      const table = await cli('timeline', ...hookWindow);
      const hookLine = table.stdout.split('\n').find((l) => l.includes('service-deployment/'));
      expect(hookLine?.split('\t')).toEqual([
        '2026-03-05T15:54:41.000Z',
        'other',
        'service-deployment/my-cluster/my-service/0EYSiB0qap8xf0N76FsbE',
        String(hook?.version),
        'HOOK_AWAITING_ACTION',
        'INFO ECS Hook State Change',
      ]);
    });

    it('instances shows the latest overallStatus of each instance that has a health change in the log', async () => {
      const [row] = jsonItems<Record<string, unknown>>(await cli('instances', '--cluster', CLUSTER, '--json'));
      expect(row).toMatchObject({
        containerInstanceArn: INSTANCE,
        status: 'DRAINING',
        overallStatus: 'IMPAIRED',
        healthEventTime: Date.parse('2026-07-29T22:34:13Z'),
      });
      const table = await cli('instances', '--cluster', CLUSTER);
      const [header, line] = table.stdout.trim().split('\n');
      expect(header?.split('\t').slice(0, 3)).toEqual(['CONTAINER INSTANCE', 'STATUS', 'HEALTH']);
      expect(line?.split('\t').slice(1, 3)).toEqual(['DRAINING', 'IMPAIRED']);
    });
  });
});
