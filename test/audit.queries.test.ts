import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStoredEvent } from '../domain/eventCodec.js';
import { detailTypesOf, KINDS, kindsOfTimelineTypes } from '../domain/kinds.js';
import { createDocumentClient } from '../infra/client.js';
import { firstLogItem, logStateAt, queryLog, queryTimeline } from '../infra/logQueries.js';
import { clusterArnsNamed, queryClusterState } from '../infra/stateQueries.js';
import model from '../infra/tables.cjs';
import type { Pipeline } from '../local/localStack.js';
import { tallyStopped } from '../usecases/audit.js';
import { inParallel } from '../usecases/inParallel.js';
import { auditEvents, key, type OracleItem, oracle, oracleItems, START_MS } from './support/auditLog.js';
import { testPipeline, uniqueTables } from './support/pipeline.js';

const HOUR = 3_600_000;
const DAYS = 3;
const CLUSTER = (name: string, region = 'us-east-1') => `arn:aws:ecs:${region}:111122223333:cluster/${name}`;
const CLUSTERS = [CLUSTER('prod'), CLUSTER('cluster-1'), CLUSTER('cluster-2')] as const;

let pipeline: Pipeline;
let items: OracleItem[];
/** A separate client that counts its requests, to show that results really span several pages. */
let doc: DynamoDBDocumentClient;
let requests = 0;

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const keys = (xs: readonly { arn: string; version: number }[]) => xs.map(key);

beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  const events = auditEvents({ seed: 4242, tasks: 90, instances: 8, clusters: 3, days: DAYS });
  items = oracleItems(events);
  await inParallel(events, 16, (e) => pipeline.ingest(e));
  await pipeline.poller().drain();
  doc = createDocumentClient();
  doc.middlewareStack.add(
    (next) => async (args) => {
      requests++;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
});
afterAll(() => {
  pipeline.client.destroy();
  doc.destroy();
});

describe('history (queryLog)', () => {
  it('lists every version of every resource, oldest first, across several pages', async () => {
    const arns = [...new Set(items.map((i) => i.arn))];
    expect(arns.length).toBeGreaterThan(90);
    const before = requests;
    await inParallel(arns, 8, async (arn) => {
      const rows = await collect(queryLog(doc, pipeline.tables.eventLog, arn, { pageSize: 3 }));
      const expected = oracle.history(items, arn);
      expect(keys(rows)).toEqual(keys(expected));
      expect(rows.map((r) => [r.eventTime, r.detailType, decodeStoredEvent(r)])).toEqual(
        expected.map((e) => [e.eventTime, e.detailType, e.event]),
      );
    });
    // Tasks have up to 8 versions and services dozens: pages of 3 need several requests per resource.
    expect(requests - before).toBeGreaterThan(arns.length * 1.5);
  });

  it('honours time windows ([since, until)) and version ranges, including the service-version shortcut', async () => {
    const multi = [...new Set(items.map((i) => i.arn))]
      .map((arn) => oracle.history(items, arn))
      .filter((h) => h.length >= 4);
    expect(multi.some((h) => h[0]?.arn.includes(':service/'))).toBe(true);
    for (const h of multi.filter((_, i) => i % 7 === 0).slice(0, 12)) {
      const arn = (h[0] as OracleItem).arn;
      const since = (h[1] as OracleItem).eventTime;
      const until = (h[3] as OracleItem).eventTime;
      for (const q of [
        { sinceMs: since, untilMs: until },
        { sinceMs: since },
        { untilMs: until },
        { sinceMs: since + 1, untilMs: until + 1 },
        { fromVersion: (h[1] as OracleItem).version, toVersion: (h[2] as OracleItem).version },
        { fromVersion: (h[2] as OracleItem).version, sinceMs: since, untilMs: until + 1 },
      ]) {
        const rows = await collect(queryLog(doc, pipeline.tables.eventLog, arn, { ...q, pageSize: 2 }));
        expect(keys(rows), `${arn} ${JSON.stringify(q)}`).toEqual(keys(oracle.history(items, arn, q)));
      }
    }
  });
});

describe('state at a time (logStateAt)', () => {
  it('is the highest version with event time ≤ T, exactly at each event time and one ms either side', async () => {
    const arns = [...new Set(items.map((i) => i.arn))].filter((_, i) => i % 15 === 0);
    await inParallel(arns, 8, async (arn) => {
      const times = oracle.history(items, arn).map((i) => i.eventTime);
      for (const t of new Set(times.flatMap((t) => [t - 1, t, t + 1]))) {
        const got = await logStateAt(doc, pipeline.tables.eventLog, arn, t, { pageSize: 2 });
        const expected = oracle.stateAt(items, arn, t);
        expect(got && key(got), `${arn} at ${t}`).toBe(expected && key(expected));
      }
    });
  });

  it('is nothing before the first event, and the first item says when the resource appeared', async () => {
    const arn = (items[0] as OracleItem).arn;
    const first = oracle.history(items, arn)[0] as OracleItem;
    expect(await logStateAt(doc, pipeline.tables.eventLog, arn, first.eventTime - 1)).toBeUndefined();
    expect((await firstLogItem(doc, pipeline.tables.eventLog, arn))?.version).toBe(first.version);
    expect(await firstLogItem(doc, pipeline.tables.eventLog, `${arn}0`)).toBeUndefined();
  });
});

describe('cluster timeline (queryTimeline)', () => {
  const timeline = (clusterArn: string, sinceMs: number, untilMs: number, extra = {}) =>
    collect(queryTimeline(doc, pipeline.tables.eventLog, clusterArn, { sinceMs, untilMs, pageSize: 7, ...extra }));

  it('returns every event of each cluster over the whole multi-day log, in time order, ties included', async () => {
    for (const [clusterArn, since, until] of [
      [CLUSTERS[0] as string, START_MS - HOUR, START_MS + DAYS * 24 * HOUR + HOUR],
      [CLUSTERS[1], START_MS + 10 * HOUR, START_MS + 30 * HOUR],
      [CLUSTERS[2], START_MS + 40 * HOUR, START_MS + 60 * HOUR],
    ] as const) {
      const expected = oracle.timeline(items, clusterArn as string, since, until);
      expect(expected.length).toBeGreaterThan(15);
      const got = await timeline(clusterArn as string, since, until);
      expect(keys(got)).toEqual(keys(expected));
      expect(got).toEqual(expected.map(({ event: _e, detail: _d, ...entry }) => expect.objectContaining({ ...entry })));
    }
    const all = oracle.timeline(items, CLUSTERS[0] as string, 0, Number.MAX_SAFE_INTEGER);
    const ties = all.filter((e, i) => i > 0 && all[i - 1]?.eventTime === e.eventTime && all[i - 1]?.arn !== e.arn);
    expect(ties.length).toBeGreaterThan(0);
    // Events of the legacy service/<name> deployments name no cluster: they are on no timeline.
    expect(all.some((e) => e.arn.endsWith(':service/legacy') && e.detailType === 'ECS Deployment State Change')).toBe(
      false,
    );
    expect(all.some((e) => e.arn.endsWith(':service/legacy'))).toBe(true);
  });

  it('includes an event at exactly --since and excludes one at exactly --until', async () => {
    const all = oracle.timeline(items, CLUSTER('cluster-1'), 0, Number.MAX_SAFE_INTEGER);
    const at = (share: number) => (all[Math.floor(share * (all.length - 1))] as OracleItem).eventTime;
    for (const [a, b] of [
      [0.05, 0.15],
      [0.5, 0.51],
      [0.3, 0.42],
      [0.6, 0.6],
    ] as const) {
      const since = at(a);
      const until = at(b);
      const got = await timeline(CLUSTER('cluster-1'), since, until);
      const expected = oracle.timeline(items, CLUSTER('cluster-1'), since, until);
      expect(keys(got)).toEqual(keys(expected));
      if (until > since) {
        expect(got[0]?.eventTime).toBe(since);
        expect(got.some((e) => e.eventTime === until)).toBe(false);
      } else expect(got).toEqual([]);
    }
  });

  it('filters by type and by status', async () => {
    const [since, until] = [START_MS + 20 * HOUR, START_MS + 32 * HOUR];
    for (const types of [['task'], ['instance'], ['service'], ['task', 'service']] as const) {
      const detailTypes = detailTypesOf(kindsOfTimelineTypes(types));
      const got = await timeline(CLUSTER('prod'), since, until, { detailTypes });
      expect(keys(got)).toEqual(keys(oracle.timeline(items, CLUSTER('prod'), since, until, detailTypes)));
    }
    for (const status of ['STOPPED', 'ACTIVE', 'SERVICE_STEADY_STATE']) {
      const got = await timeline(CLUSTER('prod'), since, until, { status });
      const expected = oracle.timeline(items, CLUSTER('prod'), since, until, undefined, status);
      expect(expected.length).toBeGreaterThan(0);
      expect(keys(got)).toEqual(keys(expected));
    }
    const stoppedTasks = await timeline(CLUSTER('prod'), since, until, {
      detailTypes: [KINDS.task.detailType],
      status: 'STOPPED',
    });
    expect(stoppedTasks.every((e) => e.lastStatus === 'STOPPED')).toBe(true);
  });

  it('reads lazily: taking the first items of a long window costs a few requests, not the window', async () => {
    const before = requests;
    const taken: unknown[] = [];
    for await (const e of queryTimeline(doc, pipeline.tables.eventLog, CLUSTER('prod'), {
      sinceMs: START_MS,
      untilMs: START_MS + DAYS * 24 * HOUR,
      pageSize: 5,
    })) {
      taken.push(e);
      if (taken.length === 5) break;
    }
    expect(taken).toHaveLength(5);
    // 4 shards × (the first hours with events + the prefetched ones), far below the 96 hours × 4 shards × pages.
    expect(requests - before).toBeLessThan(60);
  });
});

describe('stopped tasks (tallyStopped)', () => {
  it('groups by stop code, reason and exit code with the oracle counts and examples', async () => {
    for (const [clusterArn, since, until] of [
      [CLUSTERS[0] as string, START_MS - HOUR, START_MS + DAYS * 24 * HOUR + HOUR],
      [CLUSTERS[1], START_MS + 20 * HOUR, START_MS + 50 * HOUR],
      [CLUSTERS[2], START_MS + 2 * HOUR, START_MS + 30 * HOUR],
    ] as const) {
      const window = { sinceMs: since, untilMs: until };
      const tally = await tallyStopped(doc, pipeline.tables.eventLog, clusterArn, window, { pageSize: 6 });
      const expected = oracle.stopped(items, clusterArn, since, until);
      expect(expected.length).toBeGreaterThan(1);
      expect(tally.groups()).toEqual(expected);
      expect(tally.taskCount).toBe(expected.reduce((n, g) => n + g.count, 0));
    }
  });
});

describe('current state (queryClusterState) and cluster names', () => {
  it('lists the latest rows of a cluster through the byCluster index, with and without a status', async () => {
    for (const clusterArn of CLUSTERS) {
      for (const [kind, detailType, field, status] of [
        ['task', 'ECS Task State Change', 'taskArn', undefined],
        ['task', 'ECS Task State Change', 'taskArn', 'RUNNING'],
        ['task', 'ECS Task State Change', 'taskArn', 'STOPPED'],
        ['instance', 'ECS Container Instance State Change', 'containerInstanceArn', undefined],
        ['instance', 'ECS Container Instance State Change', 'containerInstanceArn', 'ACTIVE'],
      ] as const) {
        const rows = await collect(queryClusterState(doc, pipeline.tables, kind, clusterArn, { status, pageSize: 4 }));
        const expected = oracle.latest(items, detailType, clusterArn, status);
        expect(rows.map((r) => `${r[field]}#${r.version}`).sort()).toEqual(keys(expected).sort());
      }
    }
  });

  it('resolves a bare name to its cluster ARNs, across regions', async () => {
    expect(await clusterArnsNamed(doc, pipeline.tables, 'cluster-1')).toEqual([CLUSTER('cluster-1')]);
    expect(await clusterArnsNamed(doc, pipeline.tables, 'prod')).toEqual([
      CLUSTER('prod', 'eu-west-1'),
      CLUSTER('prod'),
    ]);
    expect(await clusterArnsNamed(doc, pipeline.tables, 'nope')).toEqual([]);
    // A name is matched whole: "rod" is not "prod".
    expect(await clusterArnsNamed(doc, pipeline.tables, 'rod')).toEqual([]);
  });
});

describe('errors an operator can fix', () => {
  it('names the missing table and the endpoint', async () => {
    const err = await collect(queryLog(doc, 'NoSuchTable', CLUSTER('prod'))).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('"NoSuchTable" does not exist at http://127.0.0.1:');
    expect((err as Error).message).toContain('EVENT_LOG_TABLE');
  });

  it('names the missing index when the log was created without it', async () => {
    const table = uniqueTables('no-index').eventLog;
    const { GlobalSecondaryIndexes: _drop, AttributeDefinitions, ...input } = model.createTableInput('eventLog', table);
    const keyAttributes = AttributeDefinitions?.filter(
      (a) => a.AttributeName === 'arn' || a.AttributeName === 'version',
    );
    await pipeline.client.send(new CreateTableCommand({ ...input, AttributeDefinitions: keyAttributes }));
    const err = await collect(
      queryTimeline(doc, table, CLUSTER('prod'), { sinceMs: START_MS, untilMs: START_MS + HOUR }),
    ).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      new RegExp(`table "${table}" at http://127.0.0.1:\\d+ has no index "byClusterTime"`),
    );
  });
});
