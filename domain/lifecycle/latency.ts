import type { ReportWindow, TaskLifecycle } from './tasks.js';
import type { TaskTimeField } from './versions.js';

/**
 * Startup latency per service × task-definition revision: how long the tasks created in a window
 * took from creation to the image pull, through the pull, from the pull to running, and in all.
 * `ecs-events stats` prints this table and `ecs-events report` draws it; both call latencyTable.
 */
export const LATENCY_INTERVALS = [
  { name: 'createdToPullStarted', from: 'createdAt', to: 'pullStartedAt', label: 'created → pull started' },
  { name: 'pull', from: 'pullStartedAt', to: 'pullStoppedAt', label: 'pull (pull started → pull stopped)' },
  { name: 'pullStoppedToStarted', from: 'pullStoppedAt', to: 'startedAt', label: 'pull stopped → started' },
  { name: 'createdToStarted', from: 'createdAt', to: 'startedAt', label: 'created → started' },
] as const satisfies readonly { name: string; from: TaskTimeField; to: TaskTimeField; label: string }[];

export type LatencyInterval = (typeof LATENCY_INTERVALS)[number]['name'];

/** Durations in ms; the percentiles and max are null when no task has both timestamps. */
export interface LatencyStat {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

export interface LatencyRow {
  readonly service: string;
  /** `family:revision`. */
  readonly taskDefinition: string;
  /** Tasks of this row created in the window. */
  readonly tasks: number;
  /** Of those, the ones with a startedAt or a RUNNING version. */
  readonly started: number;
  /** Stopped without ever starting (TaskFailedToStart, CannotPullContainerError, ...). */
  readonly neverStarted: number;
  /** Not started and not stopped by the end of the window. */
  readonly pending: number;
  readonly createdToPullStarted: LatencyStat;
  readonly pull: LatencyStat;
  readonly pullStoppedToStarted: LatencyStat;
  readonly createdToStarted: LatencyStat;
}

/**
 * Nearest-rank percentile: the smallest value such that at least p % of the values are at or
 * below it, i.e. the value of rank ⌈p/100 × n⌉ in ascending order (always a value that occurred;
 * p100 is the max). `sorted` must be ascending; undefined for no values.
 */
export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function latencyStat(values: readonly number[]): LatencyStat {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => nearestRank(sorted, p) ?? null;
  return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) ?? null };
}

/** The time a task counts from: createdAt, else its first event. */
const createdTime = (t: TaskLifecycle): number => t.times.createdAt ?? t.start;

/** Whether the latency table counts a task: created in [since, until). */
const createdInWindow = (t: TaskLifecycle, w: ReportWindow): boolean => {
  const c = createdTime(t);
  return c >= w.sinceMs && c < w.untilMs;
};

/** A revision number for sorting `web:9` before `web:10`. */
const revisionOf = (taskDefinition: string): number => {
  const n = Number(taskDefinition.slice(taskDefinition.lastIndexOf(':') + 1));
  return Number.isFinite(n) ? n : -1;
};
const familyOf = (taskDefinition: string): string => {
  const colon = taskDefinition.lastIndexOf(':');
  return colon > 0 ? taskDefinition.slice(0, colon) : taskDefinition;
};

function compareRows(
  a: Pick<LatencyRow, 'service' | 'taskDefinition'>,
  b: Pick<LatencyRow, 'service' | 'taskDefinition'>,
): number {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    cmp(a.service, b.service) ||
    cmp(familyOf(a.taskDefinition), familyOf(b.taskDefinition)) ||
    revisionOf(a.taskDefinition) - revisionOf(b.taskDefinition) ||
    cmp(a.taskDefinition, b.taskDefinition)
  );
}

/**
 * The latency table of the tasks created in a window (tasks of any other time are ignored, so the
 * caller may pass every task of the report). One row per service × task definition, sorted by
 * service, family, then revision number.
 */
export function latencyTable(tasks: Iterable<TaskLifecycle>, window: ReportWindow): LatencyRow[] {
  type Acc = {
    service: string;
    taskDefinition: string;
    tasks: number;
    started: number;
    never: number;
    pending: number;
  };
  const rows = new Map<string, { acc: Acc; values: Record<LatencyInterval, number[]> }>();
  for (const t of tasks) {
    if (!createdInWindow(t, window)) continue;
    const taskDefinition = t.taskDefinition;
    const id = JSON.stringify([t.service, taskDefinition]);
    let row = rows.get(id);
    if (!row) {
      row = {
        acc: { service: t.service, taskDefinition, tasks: 0, started: 0, never: 0, pending: 0 },
        values: { createdToPullStarted: [], pull: [], pullStoppedToStarted: [], createdToStarted: [] },
      };
      rows.set(id, row);
    }
    row.acc.tasks++;
    const times = { ...t.times, createdAt: createdTime(t) };
    if (times.startedAt !== undefined || t.states.some((s) => s.status === 'RUNNING')) row.acc.started++;
    else if (t.end !== undefined) row.acc.never++;
    else row.acc.pending++;
    for (const i of LATENCY_INTERVALS) {
      const from = times[i.from];
      const to = times[i.to];
      if (from !== undefined && to !== undefined) row.values[i.name].push(to - from);
    }
  }
  return [...rows.values()]
    .map(({ acc, values }) => ({
      service: acc.service,
      taskDefinition: acc.taskDefinition,
      tasks: acc.tasks,
      started: acc.started,
      neverStarted: acc.never,
      pending: acc.pending,
      createdToPullStarted: latencyStat(values.createdToPullStarted),
      pull: latencyStat(values.pull),
      pullStoppedToStarted: latencyStat(values.pullStoppedToStarted),
      createdToStarted: latencyStat(values.createdToStarted),
    }))
    .sort(compareRows);
}
