import type { DeploymentOutcome } from '../../../domain/deployments.js';
import type { TaskTimeField } from '../../../domain/lifecycle/versions.js';

/**
 * The JSON that payload.ts writes into the page and the page script reads: one type for both ends.
 * Made small for 10,000 tasks: times as ms offsets from `since`, repeated strings (statuses, task
 * definitions, reasons) as indexes into one table, task ARNs without their common prefix, a task
 * as a tuple (its field names would otherwise repeat in every row). Browser-safe (types, one list).
 */

/** An index into `str`; -1 for none. */
export type Ref = number;
/** Milliseconds from `since`. */
export type Offset = number;

/** The task timestamps the tooltip shows, in this order, with their labels. */
export const TOOLTIP_TIMES = [
  ['createdAt', 'created'],
  ['pullStartedAt', 'pull started'],
  ['pullStoppedAt', 'pull stopped'],
  ['startedAt', 'started'],
  ['stoppingAt', 'stopping'],
  ['stoppedAt', 'stopped'],
] as const satisfies readonly (readonly [TaskTimeField, string])[];

export type ContainerRow = readonly [name: Ref, lastStatus: Ref, exitCode: number | null, reason: Ref];

export type TaskRow = readonly [
  /** The ARN without the payload's `prefix`. */
  id: string,
  /** Index into `groups`. */
  group: number,
  /** Lane inside the group. */
  lane: number,
  taskDefinition: Ref,
  launchType: Ref,
  instance: Ref,
  stopCode: Ref,
  stoppedReason: Ref,
  /** Pairs of status and start, in version order: [status, start, status, start, ...]. */
  states: readonly (Ref | Offset)[],
  /** TOOLTIP_TIMES, in their order. */
  times: readonly (Offset | null)[],
  containers: readonly ContainerRow[],
  startedBy: Ref,
  capacityProvider: Ref,
];

export interface DeploymentRow {
  readonly id: string;
  /** The service ARN. */
  readonly svc: string;
  readonly s: Offset;
  /** null while in progress. */
  readonly e: Offset | null;
  readonly o: DeploymentOutcome;
  /** Rolled back to this deployment. */
  readonly to: string | null;
  /** The rollback of this deployment. */
  readonly of: string | null;
  readonly r: string | null;
  /** The task definition most of its tasks have. */
  readonly td: string | null;
  /** Its state changes: step (IN_PROGRESS, COMPLETED, ...) and time. */
  readonly ch: readonly (readonly [step: string, at: Offset])[];
}

/** A status from `start` to `end` (null: still so at the end of the window). */
export type SpanRow = readonly [status: Ref, start: Offset, end: Offset | null];

export interface InstanceRow {
  readonly arn: string;
  readonly ec2: string | null;
  readonly sp: readonly SpanRow[];
  /** Agent disconnections. */
  readonly dc: readonly (readonly [start: Offset, end: Offset | null])[];
  /** Health (`overallStatus`) spans. */
  readonly h: readonly SpanRow[];
}

/**
 * An ECS API call (CloudTrail): drawn on its task's row when it is filed under a task of the chart,
 * else on the calls lane. A call about several resources (RunTask of two tasks) is one row each.
 */
export type CallRow = readonly [
  at: Offset,
  action: Ref,
  /** The principal's short name (`<role>/<session>`, a user name, `root`). */
  principal: Ref,
  /** The role or user ARN whose credentials were used. */
  principalArn: Ref,
  /** Index into `tasks`, -1 for a call on the calls lane. */
  task: number,
  /** The resource it is filed under (a service, instance, cluster or task not in the chart); -1 with a task. */
  resource: Ref,
  errorCode: Ref,
  /** StopTask's reason, UpdateContainerInstancesState's status; -1 for none or not read. */
  reason: Ref,
];

export interface ReportPayload {
  readonly cluster: string;
  /** The window, epoch ms; every Offset counts from `since`. */
  readonly since: number;
  readonly until: number;
  readonly service: string | null;
  /** Common prefix of the task ARNs (up to a `/`). */
  readonly prefix: string;
  /** The string table that every Ref points into. */
  readonly str: readonly string[];
  /** [name, lane count] per row group, in drawing order. */
  readonly groups: readonly (readonly [name: string, lanes: number])[];
  readonly tasks: readonly TaskRow[];
  readonly deps: readonly DeploymentRow[];
  readonly inst: readonly InstanceRow[];
  /** The ECS API calls of the window, oldest first. */
  readonly calls: readonly CallRow[];
  /** Task indexes of each stop-reason group, in the table's order. */
  readonly stops: readonly (readonly number[])[];
  /**
   * The task states the page has colours for (TASK_STATUSES), sent as data: their module
   * (domain/lifecycle/versions.ts) imports Node-only code that the page bundle must not pull in.
   */
  readonly states: readonly string[];
}
