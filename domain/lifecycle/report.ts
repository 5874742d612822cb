import { type StoppedGroup, StoppedTally } from '../audit/stopped.js';
import { type Deployment, overlapsWindow, reconstructDeployments } from '../deployments.js';
import { DEPLOYMENT_STATE_CHANGE, type ServiceLogEvent } from '../serviceEvents.js';
import { type InstanceLane, instanceLanes } from './instances.js';
import { type LatencyRow, latencyTable } from './latency.js';
import { type ReportWindow, type TaskLifecycle, tasksInWindow } from './tasks.js';
import type { InstanceHealth, InstanceVersion, TaskVersion } from './versions.js';

/** What the log gave for one cluster and window (usecases/lifecycleData.ts reads it). */
export interface LifecycleInput {
  /** Every version of every task that may overlap the window, events after it included or not. */
  readonly tasks: Iterable<TaskVersion>;
  /** Instance versions in the window plus, per instance, the one in force at its start. */
  readonly instances: Iterable<InstanceVersion>;
  readonly health: Iterable<InstanceHealth>;
  /** Deployment state changes of the services, from DEPLOYMENT_LOOKBACK_MS before the window. */
  readonly deploymentEvents: Iterable<ServiceLogEvent>;
}

export interface ReportOptions {
  readonly clusterArn: string;
  readonly window: ReportWindow;
  /** Only this service (its name): its tasks, its deployments, the instances its tasks ran on. */
  readonly service?: string | undefined;
}

/** Example ARNs per group, as `stopped` shows by default. */
const STOP_EXAMPLES = 3;

/** A `stopped` group with all of its tasks, so the report can point at each one in the chart. */
export interface StopGroup extends StoppedGroup {
  readonly taskArns: readonly string[];
}

export interface LifecycleReport {
  readonly clusterArn: string;
  readonly window: ReportWindow;
  readonly service: string | undefined;
  readonly tasks: readonly TaskLifecycle[];
  readonly deployments: readonly Deployment[];
  readonly instances: readonly InstanceLane[];
  readonly latency: readonly LatencyRow[];
  readonly stops: readonly StopGroup[];
  /** Tasks that reached STOPPED in the window (what `stopped` counts). */
  readonly stoppedTasks: number;
}

const serviceNameOf = (serviceArn: string): string => serviceArn.slice(serviceArn.lastIndexOf('/') + 1);

/** The tasks of the window, of one service when asked. */
export function reportTasks(versions: Iterable<TaskVersion>, options: ReportOptions): TaskLifecycle[] {
  const tasks = tasksInWindow(versions, options.window);
  return options.service === undefined ? tasks : tasks.filter((t) => t.service === options.service);
}

/** The table of `ecs-events stats`: the same function, on the same tasks, as the report's. */
export const startupLatency = (versions: Iterable<TaskVersion>, options: ReportOptions): LatencyRow[] =>
  latencyTable(reportTasks(versions, options), options.window);

/** Each service's deployment runs (domain/deployments.ts) that overlap the window, in start order. */
export function deploymentsInWindow(events: Iterable<ServiceLogEvent>, options: ReportOptions): Deployment[] {
  const byService = new Map<string, ServiceLogEvent[]>();
  for (const e of events) {
    if (e.detailType !== DEPLOYMENT_STATE_CHANGE || e.eventTime >= options.window.untilMs) continue;
    if (options.service !== undefined && serviceNameOf(e.arn) !== options.service) continue;
    const list = byService.get(e.arn);
    if (list) list.push(e);
    else byService.set(e.arn, [e]);
  }
  return [...byService.values()]
    .flatMap((list) => reconstructDeployments(list))
    .filter((d) => overlapsWindow(d, options.window))
    .sort((a, b) => a.startTime - b.startTime || (a.serviceArn < b.serviceArn ? -1 : 1));
}

/**
 * Stop reasons grouped exactly as `ecs-events stopped` groups them: the tasks with a STOPPED
 * version in the window, each counted once at its highest such version, keyed by stop code,
 * stopped reason and exit code; largest groups first.
 */
export function stopGroups(
  versions: Iterable<TaskVersion>,
  window: ReportWindow,
  include: (taskArn: string) => boolean = () => true,
): { groups: StopGroup[]; taskCount: number } {
  const stops = [...versions]
    .filter(
      (v) =>
        v.stopKey !== undefined && v.eventTime >= window.sinceMs && v.eventTime < window.untilMs && include(v.taskArn),
    )
    .sort(
      (a, b) =>
        a.eventTime - b.eventTime ||
        (a.taskArn < b.taskArn ? -1 : a.taskArn > b.taskArn ? 1 : 0) ||
        a.version - b.version,
    );
  const tally = new StoppedTally();
  for (const v of stops) if (v.stopKey) tally.add(v.taskArn, v.version, v.stopKey);
  const groups = tally
    .groups(Number.MAX_SAFE_INTEGER)
    .map((g) => ({ ...g, examples: g.examples.slice(0, STOP_EXAMPLES), taskArns: g.examples }));
  return { groups, taskCount: tally.taskCount };
}

/** Everything the report shows, computed from what the log gave. Pure. */
export function buildLifecycleReport(input: LifecycleInput, options: ReportOptions): LifecycleReport {
  const versions = [...input.tasks];
  const tasks = reportTasks(versions, options);
  const shown = new Set(tasks.map((t) => t.taskArn));
  const hosts = new Set(tasks.flatMap((t) => (t.containerInstanceArn === undefined ? [] : [t.containerInstanceArn])));
  const lanes = instanceLanes(input.instances, input.health, options.window);
  const { groups, taskCount } = stopGroups(versions, options.window, (arn) => shown.has(arn));
  return {
    clusterArn: options.clusterArn,
    window: options.window,
    service: options.service,
    tasks,
    deployments: deploymentsInWindow(input.deploymentEvents, options),
    instances: options.service === undefined ? lanes : lanes.filter((l) => hosts.has(l.containerInstanceArn)),
    latency: latencyTable(tasks, options.window),
    stops: groups,
    stoppedTasks: taskCount,
  };
}
