import { type ContainerSummary, containerSummaries } from '../audit/history.js';
import { type StopKey, stopKey } from '../audit/stopped.js';
import { detailOf, type StoredEvent } from '../audit/storedEvent.js';
import { nonEmptyString as str } from '../canonical.js';
import { KINDS } from '../kinds.js';
import { parseIsoTime } from '../time.js';

/**
 * The few facts of one log item that the lifecycle report reads, taken out of the stored event as
 * it streams past, so that a window of 10,000 tasks holds compact records and not 50,000 event bodies.
 */
export const TASK_STATE_CHANGE = KINDS.task.detailType;
export const INSTANCE_STATE_CHANGE = KINDS.instance.detailType;
/** Newer than the first four types; read when the log has it (its body carries `overallStatus`). */
export const INSTANCE_HEALTH_CHANGE = KINDS.other.named.instanceHealth;

/** Every task status in lifecycle order (FIELDS.md §4): the report's legend and colours. */
export const TASK_STATUSES = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
] as const;

/** The task timestamps a report shows; ISO strings in the event, epoch ms here. */
export const TASK_TIMES = [
  'createdAt',
  'pullStartedAt',
  'pullStoppedAt',
  'startedAt',
  'stoppingAt',
  'executionStoppedAt',
  'stoppedAt',
] as const;
export type TaskTimeField = (typeof TASK_TIMES)[number];
export type TaskTimes = Partial<Record<TaskTimeField, number>>;

/** One version of a task, as far as the report is concerned. */
export interface TaskVersion {
  readonly taskArn: string;
  readonly version: number;
  /** Event time of the log item (envelope `time`), epoch ms. */
  readonly eventTime: number;
  readonly lastStatus?: string;
  readonly desiredStatus?: string;
  readonly clusterArn?: string;
  readonly group?: string;
  readonly taskDefinitionArn?: string;
  readonly launchType?: string;
  readonly capacityProviderName?: string;
  readonly containerInstanceArn?: string;
  readonly startedBy?: string;
  readonly availabilityZone?: string;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly times: TaskTimes;
  readonly containers?: readonly ContainerSummary[];
  /** How `stopped` would group this version (domain/audit/stopped.ts); only on STOPPED versions. */
  readonly stopKey?: StopKey;
}

/** Copies the string fields that are present; absent ones stay absent (exactOptionalPropertyTypes-friendly). */
function strings<K extends string>(detail: Record<string, unknown>, fields: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const f of fields) {
    const v = str(detail[f]);
    if (v !== undefined) out[f] = v;
  }
  return out;
}

const TASK_STRINGS = [
  'lastStatus',
  'desiredStatus',
  'clusterArn',
  'group',
  'taskDefinitionArn',
  'launchType',
  'capacityProviderName',
  'containerInstanceArn',
  'startedBy',
  'availabilityZone',
  'stopCode',
  'stoppedReason',
] as const;

/** The report's view of a task's `detail` at one version. */
export function taskVersionFromDetail(
  taskArn: string,
  version: number,
  eventTime: number,
  detail: Record<string, unknown>,
): TaskVersion {
  const times: TaskTimes = {};
  for (const f of TASK_TIMES) {
    const t = parseIsoTime(detail[f]);
    if (t !== undefined) times[f] = t;
  }
  const containers = containerSummaries(detail.containers);
  const fields = strings(detail, TASK_STRINGS);
  return {
    taskArn,
    version,
    eventTime,
    ...fields,
    times,
    ...(containers !== undefined && { containers }),
    ...(fields.lastStatus === 'STOPPED' && { stopKey: stopKey(detail) }),
  };
}

export const taskVersionOf = (item: StoredEvent): TaskVersion =>
  taskVersionFromDetail(item.arn, item.version, item.eventTime, detailOf(item));

/** One version of a container instance: its status, whether its agent is connected, and its EC2 id. */
export interface InstanceVersion {
  readonly containerInstanceArn: string;
  readonly version: number;
  readonly eventTime: number;
  readonly status?: string;
  readonly agentConnected?: boolean;
  readonly ec2InstanceId?: string;
}

function instanceVersionFromDetail(
  arn: string,
  version: number,
  eventTime: number,
  detail: Record<string, unknown>,
): InstanceVersion {
  return {
    containerInstanceArn: arn,
    version,
    eventTime,
    ...strings(detail, ['status', 'ec2InstanceId'] as const),
    ...(typeof detail.agentConnected === 'boolean' && { agentConnected: detail.agentConnected }),
  };
}

export const instanceVersionOf = (item: StoredEvent): InstanceVersion =>
  instanceVersionFromDetail(item.arn, item.version, item.eventTime, detailOf(item));

/** A container-instance health change: the overall status from then on (OK, IMPAIRED, ...). */
export interface InstanceHealth {
  readonly containerInstanceArn: string;
  readonly eventTime: number;
  readonly version: number;
  readonly overallStatus: string;
}

/** Undefined when the event names no instance or no overall status. */
export function instanceHealthOf(item: StoredEvent): InstanceHealth | undefined {
  const d = detailOf(item);
  const arn = str(d.containerInstanceArn) ?? (item.arn.includes(':container-instance/') ? item.arn : undefined);
  const overallStatus = str(d.overallStatus);
  if (arn === undefined || overallStatus === undefined) return undefined;
  return { containerInstanceArn: arn, eventTime: item.eventTime, version: item.version, overallStatus };
}
