import { deploymentStep } from '../../domain/deployments.js';
import type { LifecycleReport } from '../../domain/lifecycle/report.js';
import type { TaskLifecycle } from '../../domain/lifecycle/tasks.js';
import { TASK_STATUSES } from '../../domain/lifecycle/versions.js';
import type { ReportCall } from '../../usecases/lifecycleData.js';
import {
  type CallRow,
  type ContainerRow,
  type DeploymentRow,
  type InstanceRow,
  type Offset,
  type Ref,
  type ReportPayload,
  type SpanRow,
  type TaskRow,
  TOOLTIP_TIMES,
} from './shared/payloadFormat.js';

class Strings {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  of(value: string | undefined | null): Ref {
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

/** The calls of the window the report shows (usecases/lifecycleData.ts `readReportCalls`). */
export interface ReportCalls {
  readonly calls: readonly ReportCall[];
  /** StopTask / UpdateContainerInstancesState calls whose reason was not read. */
  readonly reasonsSkipped: number;
}

const resourceType = (arn: string): 'task' | 'service' | 'container-instance' | 'cluster' =>
  /:task\//.test(arn)
    ? 'task'
    : /:service\//.test(arn)
      ? 'service'
      : /:container-instance\//.test(arn)
        ? 'container-instance'
        : 'cluster';

/**
 * Which calls a report shows. All of the cluster's, but with `--service`: the calls of its tasks in
 * the chart, of the service itself (by name: a service of the old ARN format is `service/<name>`),
 * of the container instances it shows, and of the cluster; not other services' and their tasks'.
 */
export function callsOfReport(report: LifecycleReport, calls: readonly ReportCall[]): ReportCall[] {
  if (report.service === undefined) return [...calls];
  const tasks = new Set(report.tasks.map((t) => t.taskArn));
  const instances = new Set(report.instances.map((i) => i.containerInstanceArn));
  return calls.filter((c) => {
    const type = resourceType(c.resourceArn);
    if (type === 'task') return tasks.has(c.resourceArn);
    if (type === 'service') return c.resourceArn.slice(c.resourceArn.lastIndexOf('/') + 1) === report.service;
    if (type === 'container-instance') return instances.has(c.resourceArn);
    return true;
  });
}

/**
 * The data the report page draws, in the format of shared/payloadFormat.ts (which the page script
 * reads with the same types). 10,000 tasks come to about 1.9 MB of JSON; a call adds about 30 bytes.
 */
export function reportPayload(report: LifecycleReport, calls: readonly ReportCall[] = []): ReportPayload {
  const { sinceMs, untilMs } = report.window;
  const at = (t: number): Offset => t - sinceMs;
  const atOrNull = (t: number | undefined): Offset | null => (t === undefined ? null : t - sinceMs);
  const s = new Strings();
  const span = (x: { status: string; start: number; end: number | undefined }): SpanRow => [
    s.of(x.status),
    at(x.start),
    atOrNull(x.end),
  ];
  const tasks = report.tasks;
  const prefix = commonPrefix(tasks.map((t) => t.taskArn));
  const { lane, groups, groupOf } = packLanes(tasks, untilMs, Math.max(1, (untilMs - sinceMs) / 150));
  const taskIndex = new Map(tasks.map((t, i) => [t.taskArn, i]));
  const rows = tasks.map(
    (t, i): TaskRow => [
      t.taskArn.slice(prefix.length),
      groupOf[i] as number,
      lane[i] as number,
      s.of(t.taskDefinition),
      s.of(t.launchType),
      s.of(t.containerInstanceArn),
      s.of(t.stopCode),
      s.of(t.stoppedReason),
      t.states.flatMap((st) => [s.of(st.status), at(st.start)]),
      TOOLTIP_TIMES.map(([f]) => atOrNull(t.times[f])),
      t.containers.map((c): ContainerRow => [s.of(c.name), s.of(c.lastStatus), c.exitCode ?? null, s.of(c.reason)]),
      s.of(t.startedBy),
      s.of(t.capacityProviderName),
    ],
  );
  const revisions = revisionsOfDeployments(tasks);
  const deps = report.deployments.map(
    (d): DeploymentRow => ({
      id: d.deploymentId,
      svc: d.serviceArn,
      s: at(d.startTime),
      e: atOrNull(d.endTime),
      o: d.outcome,
      to: d.rolledBackTo ?? null,
      of: d.rollbackOf ?? null,
      r: d.reason ?? null,
      td: revisions.get(d.deploymentId) ?? null,
      ch: d.changes.map((c) => [deploymentStep(c.eventName), at(c.eventTime)] as const),
    }),
  );
  const inst = report.instances.map(
    (l): InstanceRow => ({
      arn: l.containerInstanceArn,
      ec2: l.ec2InstanceId ?? null,
      sp: l.spans.map(span),
      dc: l.disconnections.map((x) => [at(x.start), atOrNull(x.end)] as const),
      h: l.health.map(span),
    }),
  );
  const callRows = callsOfReport(report, calls).map((c): CallRow => {
    const task = taskIndex.get(c.resourceArn) ?? -1;
    return [
      at(c.eventTime),
      s.of(c.action),
      s.of(c.principal),
      s.of(c.principalArn),
      task,
      task < 0 ? s.of(c.resourceArn) : -1,
      s.of(c.errorCode),
      s.of(c.reason),
    ];
  });
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
    calls: callRows,
    stops: report.stops.map((g) => g.taskArns.flatMap((a) => taskIndex.get(a) ?? [])),
    states: TASK_STATUSES,
  };
}
