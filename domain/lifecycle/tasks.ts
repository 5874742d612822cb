import type { ContainerSummary } from '../audit/history.js';
import type { StopKey } from '../audit/stopped.js';
import type { ClosedWindow } from '../audit/window.js';
import { InternalError } from '../errors.js';
import { TASK_TIMES, type TaskTimes, type TaskVersion } from './versions.js';

/** A report window: since inclusive, until exclusive, both known (epoch ms). */
export type ReportWindow = ClosedWindow;

/** One state of a task bar: from the event time of the version that entered it to the next state's. */
export interface TaskState {
  readonly status: string;
  readonly start: number;
  /** Start of the next state; for STOPPED, its own start (the bar ends there); undefined while current. */
  readonly end: number | undefined;
  /** The version that entered this state. */
  readonly version: number;
}

/** A task as the report draws it: its states in version order and what a reader asks about it. */
export interface TaskLifecycle {
  readonly taskArn: string;
  readonly clusterArn: string | undefined;
  /** The row group: the service name of a `service:<name>` group, else the group itself. */
  readonly service: string;
  readonly group: string | undefined;
  readonly taskDefinitionArn: string | undefined;
  /** `family:revision` of the task definition. */
  readonly taskDefinition: string;
  readonly launchType: string | undefined;
  readonly capacityProviderName: string | undefined;
  readonly containerInstanceArn: string | undefined;
  readonly startedBy: string | undefined;
  readonly availabilityZone: string | undefined;
  readonly stopCode: string | undefined;
  readonly stoppedReason: string | undefined;
  /** Each timestamp from the highest version that carries it. */
  readonly times: TaskTimes;
  /** The containers of the highest version (exit codes and reasons arrive late). */
  readonly containers: readonly ContainerSummary[];
  readonly states: readonly TaskState[];
  /** Event time of the first version read. */
  readonly start: number;
  /** Event time of the first STOPPED version; undefined when not stopped (as of the last version read). */
  readonly end: number | undefined;
  readonly lastVersion: number;
  /** `stopped`'s key of the highest STOPPED version, with that version's event time. */
  readonly stop: { readonly key: StopKey; readonly version: number; readonly eventTime: number } | undefined;
}

const NO_GROUP = '(no group)';

/** `service:web` → `web`; `family:batch` stays `family:batch`; none → `(no group)`. */
export function serviceOfGroup(group: string | undefined): string {
  if (group === undefined) return NO_GROUP;
  return group.startsWith('service:') && group.length > 8 ? group.slice(8) : group;
}

/** `arn:aws:ecs:…:task-definition/web:12` → `web:12` (a doc sample without `:revision` keeps what it has). */
function taskDefinitionLabel(arn: string | undefined): string {
  if (arn === undefined) return '(unknown)';
  const slash = arn.indexOf('task-definition/');
  return slash >= 0 ? arn.slice(slash + 'task-definition/'.length) : arn;
}

/** The states of a task from its versions: consecutive equal statuses merged, nothing after STOPPED. */
export function taskStates(versions: readonly TaskVersion[]): TaskState[] {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const states: { status: string; start: number; end: number | undefined; version: number }[] = [];
  for (const v of sorted) {
    if (v.lastStatus === undefined) continue;
    const last = states.at(-1);
    if (last?.status === 'STOPPED') break;
    if (last?.status === v.lastStatus) continue;
    // Versions order a task; envelope times have whole seconds and may tie or even step back.
    const start = last ? Math.max(last.start, v.eventTime) : v.eventTime;
    if (last) last.end = start;
    states.push({
      status: v.lastStatus,
      start,
      end: v.lastStatus === 'STOPPED' ? start : undefined,
      version: v.version,
    });
  }
  return states;
}

function latest<K extends keyof TaskVersion>(desc: readonly TaskVersion[], field: K): TaskVersion[K] | undefined {
  for (const v of desc) if (v[field] !== undefined) return v[field];
  return undefined;
}

/** One task from all of its versions read (any order, duplicates of a version harmless). */
export function taskLifecycle(versions: readonly TaskVersion[]): TaskLifecycle {
  const first = versions[0];
  if (!first) throw new InternalError('taskLifecycle: no versions');
  const desc = [...versions].sort((a, b) => b.version - a.version);
  const states = taskStates(versions);
  const times: TaskTimes = {};
  for (const f of TASK_TIMES) {
    const t = desc.find((v) => v.times[f] !== undefined)?.times[f];
    if (t !== undefined) times[f] = t;
  }
  const stopped = desc.find((v) => v.stopKey !== undefined);
  const group = latest(desc, 'group');
  const taskDefinitionArn = latest(desc, 'taskDefinitionArn');
  const stoppedState = states.find((s) => s.status === 'STOPPED');
  return {
    taskArn: first.taskArn,
    clusterArn: latest(desc, 'clusterArn'),
    service: serviceOfGroup(group),
    group,
    taskDefinitionArn,
    taskDefinition: taskDefinitionLabel(taskDefinitionArn),
    launchType: latest(desc, 'launchType'),
    capacityProviderName: latest(desc, 'capacityProviderName'),
    containerInstanceArn: latest(desc, 'containerInstanceArn'),
    startedBy: latest(desc, 'startedBy'),
    availabilityZone: latest(desc, 'availabilityZone'),
    stopCode: latest(desc, 'stopCode'),
    stoppedReason: latest(desc, 'stoppedReason'),
    times,
    containers: latest(desc, 'containers') ?? [],
    states,
    start: states[0]?.start ?? Math.min(...versions.map((v) => v.eventTime)),
    end: stoppedState?.start,
    lastVersion: desc[0]?.version ?? first.version,
    stop:
      stopped?.stopKey === undefined
        ? undefined
        : { key: stopped.stopKey, version: stopped.version, eventTime: stopped.eventTime },
  };
}

/** A task is in the window when its lifetime [first event, STOPPED event] overlaps it. */
export const overlaps = (t: Pick<TaskLifecycle, 'start' | 'end'>, w: ReportWindow): boolean =>
  t.start < w.untilMs && (t.end === undefined || t.end >= w.sinceMs);

/**
 * The tasks of a window from the task versions read (events after the window are ignored: the
 * report shows the fleet as the log knew it at `until`). Ordered by service, then start, then ARN.
 */
export function tasksInWindow(versions: Iterable<TaskVersion>, window: ReportWindow): TaskLifecycle[] {
  const byTask = new Map<string, TaskVersion[]>();
  for (const v of versions) {
    if (v.eventTime >= window.untilMs) continue;
    let list = byTask.get(v.taskArn);
    if (!list) {
      list = [];
      byTask.set(v.taskArn, list);
    }
    list.push(v);
  }
  return [...byTask.values()]
    .map(taskLifecycle)
    .filter((t) => overlaps(t, window))
    .sort(
      (a, b) =>
        (a.service < b.service ? -1 : a.service > b.service ? 1 : 0) ||
        a.start - b.start ||
        (a.taskArn < b.taskArn ? -1 : a.taskArn > b.taskArn ? 1 : 0),
    );
}
