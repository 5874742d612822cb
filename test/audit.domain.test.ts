import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClusterArg, parseTime, parseWindow, resolveCluster } from '../cli/args.js';
import { UsageError } from '../cli/command.js';
import { emit, type OutputSettings, type View } from '../cli/output.js';
import { ChangeTracker, diffFields, flatten } from '../domain/audit/changes.js';
import { historyRow } from '../domain/audit/history.js';
import { mergeByTime } from '../domain/audit/merge.js';
import { recordsOfDocument, unwrapRecord } from '../domain/audit/replayRecord.js';
import { stateAt } from '../domain/audit/stateAt.js';
import { StoppedTally, stopKey, stoppedExitCode } from '../domain/audit/stopped.js';
import { compareTimeline, type TimelineEntry } from '../domain/audit/timeline.js';
import { derivedVersionRange, inVersionRange } from '../domain/audit/window.js';
import { derivedVersion, MAX_DERIVED_PROBES } from '../domain/derivedVersion.js';
import { loadSamples } from '../sim/samples.js';

const SEED = 20261101;
const stored = (arn: string, version: number, detail: Record<string, unknown>, eventTime = version * 1000) => ({
  arn,
  version,
  eventTime,
  detailType: 'ECS Task State Change',
  event: JSON.stringify({ detail }),
});

describe('changes', () => {
  it('flattens nested details into leaf paths; empty objects and arrays are leaves', () => {
    expect([...flatten({ a: { b: 1, c: [] }, d: [{ e: 'x' }, 2], f: {} })]).toEqual([
      ['a.b', 1],
      ['a.c', []],
      ['d[0].e', 'x'],
      ['d[1]', 2],
      ['f', {}],
    ]);
  });

  it('lists changed, added and removed fields, never `version`', () => {
    const before = { version: 1, lastStatus: 'RUNNING', containers: [{ name: 'web' }], stoppedReason: 'x' };
    const after = { version: 2, lastStatus: 'STOPPED', containers: [{ name: 'web', exitCode: 1 }] };
    expect(diffFields(before, after)).toEqual([
      { field: 'lastStatus', from: 'RUNNING', to: 'STOPPED' },
      { field: 'containers[0].exitCode', to: 1 },
      { field: 'stoppedReason', from: 'x' },
    ]);
  });

  it('tracks consecutive versions and refuses them out of order', () => {
    const t = new ChangeTracker();
    expect(t.next(stored('a', 1, { lastStatus: 'PENDING' }))).toEqual({
      arn: 'a',
      version: 1,
      eventTime: 1000,
      changes: [],
    });
    expect(t.next(stored('a', 3, { lastStatus: 'RUNNING' }))).toMatchObject({
      previousVersion: 1,
      changes: [{ field: 'lastStatus', from: 'PENDING', to: 'RUNNING' }],
    });
    expect(() => t.next(stored('a', 2, {}))).toThrow(/ascending/);
  });

  it('applying the listed changes to the first version rebuilds every later version (property)', () => {
    const leaf = fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.boolean());
    const detail = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })));
    fc.assert(
      fc.property(fc.array(detail, { minLength: 1, maxLength: 6 }), (details) => {
        let state = flatten(details[0]);
        for (let i = 1; i < details.length; i++) {
          for (const c of diffFields(details[i - 1] as object as Record<string, unknown>, details[i] as never)) {
            if ('to' in c) state.set(c.field, c.to);
            else state.delete(c.field);
          }
          const expected = flatten(details[i]);
          expect(new Map([...state].sort())).toEqual(new Map([...expected].sort()));
          state = expected;
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('state at a time', () => {
  it('picks the highest version whose event time is at or before T', () => {
    const items = [
      { version: 1, eventTime: 10 },
      { version: 2, eventTime: 20 },
      { version: 3, eventTime: 20 },
      { version: 4, eventTime: 15 },
    ];
    expect(stateAt(items, 9)).toBeUndefined();
    expect(stateAt(items, 10)?.version).toBe(1);
    expect(stateAt(items, 15)?.version).toBe(4);
    expect(stateAt(items, 19)?.version).toBe(4);
    expect(stateAt(items, 20)?.version).toBe(4);
  });
});

describe('history rows', () => {
  it('summarise the AWS doc samples: statuses, stop code and reason, container exit codes', () => {
    const task = loadSamples('task-').values().next().value as { detail: Record<string, unknown>; time: string };
    const row = historyRow({
      arn: task.detail.taskArn as string,
      version: task.detail.version as number,
      eventTime: Date.parse(task.time),
      detailType: 'ECS Task State Change',
      event: JSON.stringify(task),
    });
    expect(row).toMatchObject({ kind: 'task', lastStatus: task.detail.lastStatus });
    expect(row.containers?.length).toBe((task.detail.containers as unknown[]).length);
    expect(row.agentConnected).toBeUndefined();
  });
});

describe('stopped tasks', () => {
  it('takes the first non-zero exit code, else the first exit code, else none', () => {
    expect(
      stoppedExitCode([
        { name: 'a', exitCode: 0 },
        { name: 'b', exitCode: 137 },
      ]),
    ).toBe(137);
    expect(stoppedExitCode([{ name: 'a' }, { name: 'b', exitCode: 0 }])).toBe(0);
    expect(stoppedExitCode([{ name: 'a' }])).toBeNull();
    expect(stoppedExitCode(undefined)).toBeNull();
  });

  it('counts each task once, by its highest version, largest groups first, examples in stop order', () => {
    const t = new StoppedTally();
    const oom = stopKey({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'OOM',
      containers: [{ exitCode: 137 }],
    });
    const user = stopKey({ stopCode: 'UserInitiated', stoppedReason: 'by user' });
    t.add('t1', 5, user);
    t.add('t2', 4, oom);
    t.add('t1', 6, oom); // a later STOPPED version of t1 moves it to the OOM group
    t.add('t1', 5, user); // an older version changes nothing
    t.add('t3', 3, user);
    expect(t.taskCount).toBe(3);
    expect(t.groups(1)).toEqual([
      { ...oom, count: 2, examples: ['t2'] },
      { ...user, count: 1, examples: ['t3'] },
    ]);
    expect(oom.exitCode).toBe(137);
    expect(user).toEqual({ stopCode: 'UserInitiated', stoppedReason: 'by user', exitCode: null });
  });
});

describe('timeline merge', () => {
  const entry = (eventTime: number, arn: string, version = 1): TimelineEntry => ({
    eventTime,
    arn,
    version,
    detailType: 'ECS Task State Change',
  });
  async function* source<T>(items: T[]) {
    yield* items;
  }

  it('equals sorting everything, for any shards ordered by time only (property)', async () => {
    const shard = fc.array(
      fc.record({
        eventTime: fc.integer({ min: 0, max: 30 }),
        arn: fc.constantFrom('a', 'b', 'c'),
        version: fc.nat(5),
      }),
      { maxLength: 20 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(shard, { minLength: 1, maxLength: 4 }), async (shards) => {
        // Within one shard, only event time is ordered (like a GSI sort key); ties are in any order.
        const sources = shards.map((s) =>
          source([...s].sort((x, y) => x.eventTime - y.eventTime).map((e) => entry(e.eventTime, e.arn, e.version))),
        );
        const merged: TimelineEntry[] = [];
        for await (const e of mergeByTime(sources, (e) => e.eventTime, compareTimeline)) merged.push(e);
        const expected = shards.flat().map((e) => entry(e.eventTime, e.arn, e.version));
        expect(merged).toEqual(expected.sort(compareTimeline));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('refuses a source that goes back in time, and closes the sources when the reader stops', async () => {
    const bad = mergeByTime([source([entry(5, 'a'), entry(3, 'a')])], (e) => e.eventTime, compareTimeline);
    await expect(async () => {
      for await (const _ of bad);
    }).rejects.toThrow(/not ordered by time/);
    let closed = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) yield entry(i, 'a');
      } finally {
        closed = true;
      }
    }
    for await (const e of mergeByTime([endless()], (x) => x.eventTime, compareTimeline)) if (e.eventTime === 3) break;
    expect(closed).toBe(true);
  });
});

describe('service version range of a time window', () => {
  it('holds the version of every service event in the window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.nat(MAX_DERIVED_PROBES),
        fc.string(),
        (since, length, offset, probe, content) => {
          const window = { sinceMs: since, untilMs: since + length };
          const t = since + (offset % length);
          expect(inVersionRange(derivedVersion(t, { content }) + probe, derivedVersionRange(window))).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('command-line times and names', () => {
  const now = Date.UTC(2026, 10, 5, 12);
  it('accepts ISO-8601 with any fraction and zone, dates, now and relative forms', () => {
    expect(parseTime('2026-11-01T14:02:00Z', '--since')).toBe(Date.UTC(2026, 10, 1, 14, 2));
    expect(parseTime('2026-11-01T14:02:00.123456789Z', '--since')).toBe(Date.UTC(2026, 10, 1, 14, 2, 0, 123));
    expect(parseTime('2026-11-01T16:02:00.5+02:00', '--since')).toBe(Date.UTC(2026, 10, 1, 14, 2, 0, 500));
    expect(parseTime('2026-11-01T14:02Z', '--since')).toBe(Date.UTC(2026, 10, 1, 14, 2));
    expect(parseTime('2026-11-01', '--since')).toBe(Date.UTC(2026, 10, 1));
    expect(parseTime('now', '--until', now)).toBe(now);
    expect(parseTime('2h', '--since', now)).toBe(now - 7_200_000);
    expect(parseTime('7d', '--since', now)).toBe(now - 7 * 86_400_000);
    expect(parseTime('30m', '--since', now)).toBe(now - 1_800_000);
  });

  it('refuses bad times, zone-less times and reversed windows with usage errors that name the option', () => {
    expect(() => parseTime('yesterday', '--since')).toThrow(UsageError);
    expect(() => parseTime('2026-11-01T14:02:00', '--at')).toThrow(/--at: .*add Z or an offset/);
    expect(() => parseTime('2026-02-30T00:00:00Z', '--since')).toThrow(/--since/);
    expect(() => parseWindow({ since: '2026-11-02', until: '2026-11-01' })).toThrow(/reversed/);
    expect(() => parseWindow({}, { sinceRequired: true })).toThrow(/--since is required/);
    expect(parseWindow({ since: '1h' }, { untilDefaultsToNow: true, nowMs: now })).toEqual({
      sinceMs: now - 3_600_000,
      untilMs: now,
    });
  });

  it('takes a cluster ARN as given and resolves a bare name to exactly one ARN', async () => {
    const prod = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';
    expect(parseClusterArg(prod)).toEqual({ arn: prod });
    expect(() => parseClusterArg('arn:aws:ecs:us-east-1:111122223333:task/prod/abc')).toThrow(/cluster ARN/);
    expect(() => parseClusterArg('no spaces')).toThrow(UsageError);
    expect(await resolveCluster('prod', async () => [prod])).toBe(prod);
    await expect(resolveCluster('prod', async () => [])).rejects.toThrow(/give its ARN/);
    await expect(resolveCluster('prod', async () => [prod, prod.replace('us-east-1', 'eu-west-1')])).rejects.toThrow(
      /ambiguous/,
    );
  });
});

describe('load input records', () => {
  const event = { source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: {} };
  const destination = { version: '1.0', requestContext: { condition: 'RetriesExhausted' }, requestPayload: event };

  it('unwraps Lambda destination records and SQS messages (either spelling) down to the event', () => {
    expect(unwrapRecord(event)).toEqual({ ok: true, event });
    expect(unwrapRecord(destination)).toEqual({ ok: true, event });
    expect(unwrapRecord({ messageId: 'm', body: JSON.stringify(destination) })).toEqual({ ok: true, event });
    expect(unwrapRecord({ MessageId: 'm', Body: JSON.stringify(event) })).toEqual({ ok: true, event });
    expect(unwrapRecord({ messageId: 'm', body: '{nope' })).toMatchObject({ ok: false });
  });

  it('splits SQS message lists and arrays, and keeps a single record whole', () => {
    const m = { MessageId: 'm', Body: '{}' };
    expect(recordsOfDocument({ Messages: [m, m] })).toEqual([m, m]);
    expect(recordsOfDocument({ Records: [{ messageId: 'x', body: '{}' }] })).toHaveLength(1);
    expect(recordsOfDocument([event, event])).toHaveLength(2);
    expect(recordsOfDocument(event)).toEqual([event]);
  });
});

describe('emit', () => {
  const view: View<{ n: number; s?: string }> = {
    headers: ['N', 'TEXT'],
    rows: (x) => [[x.n, x.s]],
    json: (x) => x,
    empty: 'nothing',
  };
  const run = async (items: { n: number; s?: string }[], settings: OutputSettings) => {
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const errs: string[] = [];
    err.on('data', (c: Buffer) => errs.push(c.toString()));
    const result = await emit(items, view, settings, out, err);
    return { result, out: chunks.join(''), err: errs.join('') };
  };
  const items = [{ n: 1, s: 'a\tb' }, { n: 22 }, { n: 3, s: 'ccc' }];

  it('writes one JSON document with count and truncation, honouring --limit', async () => {
    const { out, result } = await run(items, { format: 'json', limit: 2, aligned: false });
    expect(JSON.parse(out)).toEqual({ items: items.slice(0, 2), count: 2, truncated: true });
    expect(result).toEqual({ count: 2, truncated: true });
    expect(JSON.parse((await run([], { format: 'json', aligned: false })).out)).toEqual({
      items: [],
      count: 0,
      truncated: false,
    });
  });

  it('writes NDJSON, tab-separated values and aligned tables', async () => {
    expect(
      (await run(items, { format: 'ndjson', aligned: false })).out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(items);
    expect((await run(items, { format: 'table', aligned: false })).out).toBe('N\tTEXT\n1\ta b\n22\t\n3\tccc\n');
    expect((await run(items, { format: 'table', aligned: true })).out).toBe(
      'N   TEXT\n--  ----\n1   a\tb\n22  -\n3   ccc\n',
    );
    const empty = await run([], { format: 'table', aligned: true });
    expect(empty.out).toBe('');
    expect(empty.err).toBe('nothing\n');
  });
});
