// The lifecycle report's pure core: task bars, the window rule, nearest-rank latency, stop groups,
// instance lanes, deployments on the axis. No DynamoDB here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, scriptJson } from '../cli/report/html.js';
import { packLanes, reportPayload } from '../cli/report/payload.js';
import { StoppedTally, stopKey } from '../domain/audit/stopped.js';
import { instanceLanes } from '../domain/lifecycle/instances.js';
import { latencyStat, latencyTable, nearestRank } from '../domain/lifecycle/latency.js';
import { buildLifecycleReport, deploymentsInWindow, stopGroups } from '../domain/lifecycle/report.js';
import { overlaps, taskLifecycle, taskStates, tasksInWindow } from '../domain/lifecycle/tasks.js';
import { type TaskVersion, taskVersionFromDetail } from '../domain/lifecycle/versions.js';
import { generateLifecycleWorkload, lifecycleInputOf } from '../sim/lifecycleWorkload.js';
import { seededRandom, shuffle } from '../sim/random.js';

/** Fixed seed; fast-check prints it with the counterexample when a property fails. */
const params = { seed: 16_2026, numRuns: 200 } as const;

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const MIN = 60_000;
const ARN = 'arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef';
const TD = 'arn:aws:ecs:us-east-1:111122223333:task-definition/web:12';

const version = (v: number, t: number, lastStatus: string, extra: Record<string, unknown> = {}): TaskVersion =>
  taskVersionFromDetail(extra.taskArn ? String(extra.taskArn) : ARN, v, t, {
    lastStatus,
    group: 'service:web',
    taskDefinitionArn: TD,
    ...extra,
  });

const FARGATE_PATH = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
];

describe('nearestRank', () => {
  it('is the value of rank ⌈p/100 × n⌉: always a measured value, at least p % at or below it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1e6, max: 1e7 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 100 }),
        (xs, p) => {
          const sorted = [...xs].sort((a, b) => a - b);
          const v = nearestRank(sorted, p) as number;
          expect(sorted).toContain(v);
          expect(sorted.filter((x) => x <= v).length / sorted.length).toBeGreaterThanOrEqual(p / 100);
          // Nearest rank is the smallest such value.
          expect(sorted.filter((x) => x < v).length / sorted.length).toBeLessThan(p / 100);
        },
      ),
      params,
    );
  });

  it('known cases: p50 of 1..4 is 2, p90 of 1..10 is 9, p99 of 1..10 is 10, one value is every percentile', () => {
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(latencyStat([7])).toEqual({ count: 1, p50: 7, p90: 7, p99: 7, max: 7 });
    expect(latencyStat([])).toEqual({ count: 0, p50: null, p90: null, p99: null, max: null });
  });

  it('p50 ≤ p90 ≤ p99 ≤ max, in any input order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1e6), { minLength: 1, maxLength: 100 }), (xs) => {
        const s = latencyStat(xs);
        expect(s.count).toBe(xs.length);
        expect(s.max).toBe(Math.max(...xs));
        expect((s.p50 as number) <= (s.p90 as number) && (s.p90 as number) <= (s.p99 as number)).toBe(true);
        expect((s.p99 as number) <= (s.max as number)).toBe(true);
      }),
      params,
    );
  });
});

describe('task bars', () => {
  it('states follow the versions, not the delivery order; duplicates and repeated statuses merge; nothing after STOPPED', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: FARGATE_PATH.length }),
        fc.array(fc.integer({ min: 0, max: 120_000 }), {
          minLength: FARGATE_PATH.length + 2,
          maxLength: FARGATE_PATH.length + 2,
        }),
        fc.integer(),
        (length, gaps, seed) => {
          const path = FARGATE_PATH.slice(0, length);
          // A container change gives a second version with the same status; a late one after STOPPED.
          const statuses = [...path.slice(0, 1), ...path];
          if (path.at(-1) === 'STOPPED') statuses.push('STOPPED');
          const times = statuses.map((_, i) => T0 + gaps.slice(0, i + 1).reduce((a, b) => a + b, 0));
          const versions = statuses.map((s, i) => version(i + 1, times[i] as number, s));
          const delivered = shuffle(seededRandom(seed), [...versions, ...versions.slice(0, 2)]);
          const states = taskStates(delivered);
          expect(states.map((s) => s.status)).toEqual(path);
          for (let i = 1; i < states.length; i++) {
            expect(states[i - 1]?.end).toBe(states[i]?.start);
            expect((states[i]?.start as number) >= (states[i - 1]?.start as number)).toBe(true);
          }
          const last = states.at(-1);
          expect(last?.end).toBe(last?.status === 'STOPPED' ? last.start : undefined);
        },
      ),
      params,
    );
  });

  it('times steps back in event time are clamped so that a bar never runs backwards', () => {
    const states = taskStates([
      version(1, T0, 'PENDING'),
      version(2, T0 - 1000, 'RUNNING'),
      version(3, T0 + 5000, 'STOPPED'),
    ]);
    expect(states.map((s) => [s.status, s.start - T0])).toEqual([
      ['PENDING', 0],
      ['RUNNING', 0],
      ['STOPPED', 5000],
    ]);
  });

  it('a task keeps the latest value of each field: exit codes and reasons arrive late', () => {
    const t = taskLifecycle([
      version(1, T0, 'PENDING', { createdAt: new Date(T0).toISOString(), launchType: 'FARGATE' }),
      version(3, T0 + 9000, 'STOPPED', {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'web', lastStatus: 'STOPPED', exitCode: 137, reason: 'OutOfMemoryError' }],
      }),
      version(2, T0 + 4000, 'RUNNING', { startedAt: new Date(T0 + 3900).toISOString() }),
    ]);
    expect(t).toMatchObject({
      service: 'web',
      taskDefinition: 'web:12',
      launchType: 'FARGATE',
      stopCode: 'EssentialContainerExited',
      times: { createdAt: T0, startedAt: T0 + 3900 },
      containers: [{ name: 'web', exitCode: 137, reason: 'OutOfMemoryError' }],
      start: T0,
      end: T0 + 9000,
      lastVersion: 3,
    });
  });

  it('a task is in the window when its lifetime overlaps it (oracle: first event before until, not stopped before since)', () => {
    const since = T0;
    const until = T0 + 60 * MIN;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            start: fc.integer({ min: -90, max: 90 }),
            duration: fc.integer({ min: 0, max: 120 }),
            stops: fc.boolean(),
          }),
          { maxLength: 30 },
        ),
        (specs) => {
          const versions = specs.flatMap((s, i) => {
            const taskArn = `${ARN.slice(0, -2)}${String(i).padStart(2, '0')}`;
            const a = since + s.start * MIN;
            return [
              version(1, a, 'PENDING', { taskArn }),
              version(2, a + 1000, 'RUNNING', { taskArn }),
              ...(s.stops ? [version(3, a + 1000 + s.duration * MIN, 'STOPPED', { taskArn })] : []),
            ];
          });
          const got = new Set(tasksInWindow(versions, { sinceMs: since, untilMs: until }).map((t) => t.taskArn));
          const expected = new Set(
            specs.flatMap((s, i) => {
              const a = since + s.start * MIN;
              const stoppedAt = a + 1000 + s.duration * MIN;
              const seenStop = s.stops && stoppedAt < until;
              const inWindow = a < until && (!seenStop || stoppedAt >= since);
              return inWindow ? [`${ARN.slice(0, -2)}${String(i).padStart(2, '0')}`] : [];
            }),
          );
          expect(got).toEqual(expected);
        },
      ),
      params,
    );
    expect(overlaps({ start: since - 1, end: since }, { sinceMs: since, untilMs: until })).toBe(true);
    expect(overlaps({ start: since - 2, end: since - 1 }, { sinceMs: since, untilMs: until })).toBe(false);
    expect(overlaps({ start: until, end: undefined }, { sinceMs: since, untilMs: until })).toBe(false);
  });
});

describe('latencyTable', () => {
  const window = { sinceMs: T0, untilMs: T0 + 60 * MIN };
  const iso = (ms: number) => new Date(ms).toISOString();
  const started = (n: number, created: number, pull: number, revision = 12) => {
    const taskArn = `${ARN.slice(0, -3)}${String(n).padStart(3, '0')}`;
    const times = {
      createdAt: iso(created),
      pullStartedAt: iso(created + 1000),
      pullStoppedAt: iso(created + 1000 + pull),
      startedAt: iso(created + 1000 + pull + 500),
    };
    return [
      version(1, created, 'PENDING', {
        taskArn,
        createdAt: times.createdAt,
        taskDefinitionArn: TD.replace(':12', `:${revision}`),
      }),
      version(2, created + 1000 + pull + 500, 'RUNNING', {
        taskArn,
        ...times,
        taskDefinitionArn: TD.replace(':12', `:${revision}`),
      }),
    ];
  };

  it('one row per service × revision, nearest-rank over the tasks created in the window, never started apart', () => {
    const pulls = [1000, 2000, 3000, 4000, 100_000];
    const versions = [
      ...pulls.flatMap((p, i) => started(i, T0 + i * MIN, p)),
      ...started(50, T0 + 10 * MIN, 7000, 9),
      // Created before the window: in the chart, not in the table.
      ...started(60, T0 - 10 * MIN, 1),
      // Failed to start, and still pending at the end of the window.
      version(1, T0 + 20 * MIN, 'PENDING', { taskArn: `${ARN}x1`, createdAt: iso(T0 + 20 * MIN) }),
      version(2, T0 + 21 * MIN, 'STOPPED', { taskArn: `${ARN}x1`, pullStartedAt: iso(T0 + 20 * MIN + 900) }),
      version(1, T0 + 50 * MIN, 'PENDING', { taskArn: `${ARN}x2`, createdAt: iso(T0 + 50 * MIN) }),
    ];
    const rows = latencyTable(tasksInWindow(versions, window), window);
    expect(rows.map((r) => [r.service, r.taskDefinition, r.tasks, r.started, r.neverStarted, r.pending])).toEqual([
      ['web', 'web:9', 1, 1, 0, 0],
      ['web', 'web:12', 7, 5, 1, 1],
    ]);
    const web12 = rows[1];
    expect(web12?.pull).toEqual({ count: 5, p50: 3000, p90: 100_000, p99: 100_000, max: 100_000 });
    expect(web12?.createdToPullStarted).toEqual({ count: 6, p50: 1000, p90: 1000, p99: 1000, max: 1000 });
    expect(web12?.pullStoppedToStarted).toEqual({ count: 5, p50: 500, p90: 500, p99: 500, max: 500 });
    expect(web12?.createdToStarted.p50).toBe(4500);
  });

  it('counts every task created in the window exactly once: tasks = started + never started + pending', () => {
    const workload = generateLifecycleWorkload(seededRandom(3), { startMs: T0, spanMs: 60 * MIN, tasks: 300 });
    const input = lifecycleInputOf(workload.events);
    const tasks = tasksInWindow(input.tasks, window);
    const rows = latencyTable(tasks, window);
    const created = tasks.filter(
      (t) => (t.times.createdAt ?? t.start) >= T0 && (t.times.createdAt ?? t.start) < window.untilMs,
    );
    expect(rows.reduce((n, r) => n + r.tasks, 0)).toBe(created.length);
    for (const r of rows) expect(r.tasks).toBe(r.started + r.neverStarted + r.pending);
    expect(rows.some((r) => r.neverStarted > 0)).toBe(true);
  });
});

describe('stop reasons', () => {
  it('group as `stopped` does: highest STOPPED version in the window per task, same keys, same order', () => {
    const window = { sinceMs: T0 + 10 * MIN, untilMs: T0 + 50 * MIN };
    const workload = generateLifecycleWorkload(seededRandom(5), { startMs: T0, spanMs: 60 * MIN, tasks: 400 });
    const input = lifecycleInputOf(workload.events);
    const { groups, taskCount } = stopGroups(input.tasks, window);
    // The `stopped` command's own tally, fed the STOPPED events of the window in timeline order.
    const tally = new StoppedTally();
    const stops = workload.events
      .filter((e) => e['detail-type'] === 'ECS Task State Change' && e.detail.lastStatus === 'STOPPED')
      .map((e) => ({ e, t: Date.parse(e.time as string) }))
      .filter(({ t }) => t >= window.sinceMs && t < window.untilMs)
      .sort((a, b) => a.t - b.t || (String(a.e.detail.taskArn) < String(b.e.detail.taskArn) ? -1 : 1));
    for (const { e } of stops) tally.add(String(e.detail.taskArn), Number(e.detail.version), stopKey(e.detail));
    expect(taskCount).toBe(tally.taskCount);
    expect(groups.map(({ taskArns, ...g }) => g)).toEqual(tally.groups(3));
    expect(groups.reduce((n, g) => n + g.taskArns.length, 0)).toBe(taskCount);
  });
});

describe('container-instance lanes', () => {
  const I = 'arn:aws:ecs:us-east-1:111122223333:container-instance/prod/abc';
  const v = (n: number, t: number, status: string, agentConnected: boolean) => ({
    containerInstanceArn: I,
    version: n,
    eventTime: t,
    status,
    agentConnected,
    ec2InstanceId: 'i-0123',
  });
  const window = { sinceMs: T0, untilMs: T0 + 60 * MIN };

  it('status spans, agent disconnections while serving, health spans; versions out of order', () => {
    const lanes = instanceLanes(
      [
        v(4, T0 + 30 * MIN, 'DRAINING', true),
        v(1, T0 - 60 * MIN, 'ACTIVE', true),
        v(2, T0 + 5 * MIN, 'ACTIVE', false),
        v(3, T0 + 8 * MIN, 'ACTIVE', true),
        v(5, T0 + 40 * MIN, 'INACTIVE', false),
      ],
      [
        { containerInstanceArn: I, eventTime: T0 + 2 * MIN, version: 1, overallStatus: 'IMPAIRED' },
        { containerInstanceArn: I, eventTime: T0 + 3 * MIN, version: 2, overallStatus: 'OK' },
      ],
      window,
    );
    expect(lanes).toEqual([
      {
        containerInstanceArn: I,
        ec2InstanceId: 'i-0123',
        spans: [
          { status: 'ACTIVE', start: T0 - 60 * MIN, end: T0 + 30 * MIN },
          { status: 'DRAINING', start: T0 + 30 * MIN, end: T0 + 40 * MIN },
          { status: 'INACTIVE', start: T0 + 40 * MIN, end: undefined },
        ],
        disconnections: [{ start: T0 + 5 * MIN, end: T0 + 8 * MIN }],
        health: [
          { status: 'IMPAIRED', start: T0 + 2 * MIN, end: T0 + 3 * MIN },
          { status: 'OK', start: T0 + 3 * MIN, end: undefined },
        ],
      },
    ]);
  });

  it('an instance INACTIVE before the window has no lane', () => {
    expect(
      instanceLanes([v(1, T0 - 9 * MIN, 'ACTIVE', true), v(2, T0 - 5 * MIN, 'INACTIVE', false)], [], window),
    ).toEqual([]);
  });
});

describe('the report', () => {
  const window = { sinceMs: T0, untilMs: T0 + 3 * 3_600_000 };
  const workload = generateLifecycleWorkload(seededRandom(9), { startMs: T0, spanMs: 3 * 3_600_000, tasks: 300 });
  const input = lifecycleInputOf(workload.events);

  it('puts the deployments that overlap the window on the axis, rollback included', () => {
    const deployments = deploymentsInWindow(input.deploymentEvents, { clusterArn: workload.clusterArn, window });
    expect(deployments.map((d) => [d.serviceArn.split('/').at(-1), d.outcome])).toEqual([
      ['web', 'completed'],
      ['api', 'completed'],
      ['api', 'rolled back'],
      ['api', 'completed'],
      ['worker', 'completed'],
    ]);
    const rollback = deployments.find((d) => d.rollbackOf !== undefined);
    expect(rollback?.deploymentId).toBe(deployments.find((d) => d.outcome === 'rolled back')?.rolledBackTo);
  });

  it('--service keeps its tasks, its deployments and the instances its tasks ran on; the latency table is the same function', () => {
    const all = buildLifecycleReport(input, { clusterArn: workload.clusterArn, window });
    const api = buildLifecycleReport(input, { clusterArn: workload.clusterArn, window, service: 'api' });
    expect(api.tasks.length).toBeGreaterThan(0);
    expect(api.tasks.every((t) => t.service === 'api')).toBe(true);
    expect(api.tasks).toEqual(all.tasks.filter((t) => t.service === 'api'));
    expect(api.deployments.every((d) => d.serviceArn.endsWith('/api'))).toBe(true);
    expect(api.latency).toEqual(all.latency.filter((r) => r.service === 'api'));
    const hosts = new Set(api.tasks.map((t) => t.containerInstanceArn));
    expect(api.instances.every((l) => hosts.has(l.containerInstanceArn))).toBe(true);
  });

  it('payload: one task row per task, lanes never overlap within a group', () => {
    const report = buildLifecycleReport(input, { clusterArn: workload.clusterArn, window });
    const payload = reportPayload(report);
    expect(payload.tasks).toHaveLength(report.tasks.length);
    expect(payload.tasks.map((t) => payload.prefix + String(t[0]))).toEqual(report.tasks.map((t) => t.taskArn));
    const { lane, groupOf } = packLanes(report.tasks, window.untilMs, 0);
    const byLane = new Map<string, { start: number; end: number }[]>();
    report.tasks.forEach((t, i) => {
      const key = `${groupOf[i]}/${lane[i]}`;
      byLane.set(key, [...(byLane.get(key) ?? []), { start: t.start, end: t.end ?? window.untilMs }]);
    });
    for (const bars of byLane.values()) {
      bars.sort((a, b) => a.start - b.start);
      for (let i = 1; i < bars.length; i++)
        expect((bars[i]?.start as number) >= (bars[i - 1]?.end as number)).toBe(true);
    }
  });
});

describe('embedding', () => {
  it('JSON in a script element cannot close it or open a comment, and parses back to the same value', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.constantFrom('</script>', '</SCRIPT >', '<!--', '\u2028', '<script>'),
        (v, nasty) => {
          const value = { v, s: `x${nasty}y` };
          const text = scriptJson(value);
          expect(text).not.toMatch(/<\/script|<!--|<script/i);
          expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        },
      ),
      params,
    );
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
