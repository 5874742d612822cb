import { deploymentStep } from '../../domain/deployments.js';
import type { LifecycleReport } from '../../domain/lifecycle/report.js';
import type { TaskLifecycle } from '../../domain/lifecycle/tasks.js';
import { TASK_STATUSES } from '../../domain/lifecycle/versions.js';

/**
 * The data the report page draws, made small: times as ms offsets from `since`, repeated strings
 * (statuses, task definitions, reasons) as indexes into one table, task ARNs without their common
 * prefix. 10,000 tasks come to about 2.5 MB of JSON. The page script (page.js) reads exactly this.
 */
export interface ReportPayload {
  readonly cluster: string;
  readonly since: number;
  readonly until: number;
  readonly service: string | null;
  /** Common prefix of the task ARNs (up to a `/`). */
  readonly prefix: string;
  /** The string table; -1 means absent. */
  readonly str: readonly string[];
  /** [name, lane count] per row group, in drawing order. */
  readonly groups: readonly (readonly [string, number])[];
  /** See TASK_FIELDS. */
  readonly tasks: readonly unknown[][];
  readonly deps: readonly unknown[];
  readonly inst: readonly unknown[];
  /** Task indexes of each stop-reason group, in the table's order. */
  readonly stops: readonly number[][];
  /** The names of a task's fields in `tasks[i]`, by position (TASK_FIELDS). */
  readonly fields: readonly string[];
  /** The task states the page has colours for (TASK_STATUSES). */
  readonly states: readonly string[];
}

/** Positions of a task's fields in `tasks[i]` (sent to page.js as `fields`). */
const TASK_FIELDS = [
  'id',
  'group',
  'lane',
  'taskDefinition',
  'launchType',
  'instance',
  'stopCode',
  'stoppedReason',
  'states',
  'times',
  'containers',
  'startedBy',
  'capacityProvider',
] as const;

/** The task timestamps shown in the tooltip, in this order. */
const PAYLOAD_TIMES = ['createdAt', 'pullStartedAt', 'pullStoppedAt', 'startedAt', 'stoppingAt', 'stoppedAt'] as const;

class Strings {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  of(value: string | undefined | null): number {
    if (value === undefined || value === null) return -1;
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(value);
      this.index.set(value, i);
    }
    return i;
  }
}

function commonPrefix(arns: readonly string[]): string {
  const first = arns[0];
  if (first === undefined) return '';
  let prefix = first.slice(0, first.lastIndexOf('/') + 1);
  for (const a of arns) {
    while (prefix !== '' && !a.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
  }
  return prefix;
}

/**
 * Lanes inside each row group: a task takes the first lane that is free from its start on (a small gap
 * kept between bars), so a group is as tall as its busiest moment and not one row per task.
 */
export function packLanes(
  tasks: readonly TaskLifecycle[],
  untilMs: number,
  gapMs: number,
): { lane: number[]; groups: [string, number][]; groupOf: number[] } {
  const lane: number[] = new Array(tasks.length).fill(0);
  const groupOf: number[] = new Array(tasks.length).fill(0);
  const groups: [string, number][] = [];
  const byGroup = new Map<string, number[]>();
  tasks.forEach((t, i) => {
    let list = byGroup.get(t.service);
    if (!list) {
      list = [];
      byGroup.set(t.service, list);
    }
    list.push(i);
  });
  for (const name of [...byGroup.keys()].sort()) {
    const members = (byGroup.get(name) as number[]).sort(
      (a, b) => (tasks[a] as TaskLifecycle).start - (tasks[b] as TaskLifecycle).start || a - b,
    );
    const ends: number[] = [];
    for (const i of members) {
      const t = tasks[i] as TaskLifecycle;
      let l = ends.findIndex((end) => end + gapMs <= t.start);
      if (l < 0) l = ends.push(0) - 1;
      ends[l] = Math.max(t.end ?? untilMs, t.start);
      lane[i] = l;
      groupOf[i] = groups.length;
    }
    groups.push([name, ends.length]);
  }
  return { lane, groups, groupOf };
}

/** The deployment a task belongs to names its task definition: the most common one among its tasks. */
function revisionsOfDeployments(tasks: readonly TaskLifecycle[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const t of tasks) {
    if (t.startedBy === undefined) continue;
    let c = counts.get(t.startedBy);
    if (!c) {
      c = new Map();
      counts.set(t.startedBy, c);
    }
    c.set(t.taskDefinition, (c.get(t.taskDefinition) ?? 0) + 1);
  }
  const out = new Map<string, string>();
  for (const [id, c] of counts) out.set(id, [...c.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] as string);
  return out;
}

export function reportPayload(report: LifecycleReport): ReportPayload {
  const { sinceMs, untilMs } = report.window;
  const off = (t: number | undefined) => (t === undefined ? null : t - sinceMs);
  const s = new Strings();
  const tasks = report.tasks;
  const prefix = commonPrefix(tasks.map((t) => t.taskArn));
  const { lane, groups, groupOf } = packLanes(tasks, untilMs, Math.max(1, (untilMs - sinceMs) / 150));
  const taskIndex = new Map(tasks.map((t, i) => [t.taskArn, i]));
  const rows = tasks.map((t, i) => [
    t.taskArn.slice(prefix.length),
    groupOf[i],
    lane[i],
    s.of(t.taskDefinition),
    s.of(t.launchType),
    s.of(t.containerInstanceArn),
    s.of(t.stopCode),
    s.of(t.stoppedReason),
    t.states.flatMap((st) => [s.of(st.status), st.start - sinceMs]),
    PAYLOAD_TIMES.map((f) => off(t.times[f])),
    t.containers.map((c) => [s.of(c.name), s.of(c.lastStatus), c.exitCode ?? null, s.of(c.reason)]),
    s.of(t.startedBy),
    s.of(t.capacityProviderName),
  ]);
  const revisions = revisionsOfDeployments(tasks);
  const deps = report.deployments.map((d) => ({
    id: d.deploymentId,
    svc: d.serviceArn,
    s: off(d.startTime),
    e: off(d.endTime),
    o: d.outcome,
    to: d.rolledBackTo ?? null,
    of: d.rollbackOf ?? null,
    r: d.reason ?? null,
    td: revisions.get(d.deploymentId) ?? null,
    ch: d.changes.map((c) => [deploymentStep(c.eventName), off(c.eventTime)]),
  }));
  const inst = report.instances.map((l) => ({
    arn: l.containerInstanceArn,
    ec2: l.ec2InstanceId ?? null,
    sp: l.spans.map((x) => [s.of(x.status), off(x.start), off(x.end)]),
    dc: l.disconnections.map((x) => [off(x.start), off(x.end)]),
    h: l.health.map((x) => [s.of(x.status), off(x.start), off(x.end)]),
  }));
  return {
    cluster: report.clusterArn,
    since: sinceMs,
    until: untilMs,
    service: report.service ?? null,
    prefix,
    str: s.list,
    groups,
    tasks: rows,
    deps,
    inst,
    stops: report.stops.map((g) => g.taskArns.flatMap((a) => taskIndex.get(a) ?? [])),
    fields: TASK_FIELDS,
    states: TASK_STATUSES,
  };
}
