import { DETAIL_TYPES, type EventKind, isDetailType } from '../eventTypes.js';
import { detailOf, type StoredEvent } from './storedEvent.js';

/** One container as a history row shows it: enough to see which one exited and how. */
export interface ContainerSummary {
  readonly name: string;
  readonly lastStatus?: string;
  readonly exitCode?: number;
  readonly reason?: string;
}

/**
 * One version of a resource in `ecs-events history`. Fields a given event does not carry are
 * absent (instances have no lastStatus, tasks no agentConnected, service events neither).
 */
export interface HistoryRow {
  readonly arn: string;
  readonly version: number;
  readonly eventTime: number;
  readonly kind: EventKind | 'unknown';
  readonly eventId?: string;
  readonly lastStatus?: string;
  readonly desiredStatus?: string;
  readonly status?: string;
  readonly agentConnected?: boolean;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly containers?: readonly ContainerSummary[];
  readonly eventType?: string;
  readonly eventName?: string;
  readonly deploymentId?: string;
  readonly reason?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const kindOf = (detailType: string): EventKind | 'unknown' =>
  isDetailType(detailType) ? DETAIL_TYPES[detailType] : 'unknown';

export function containerSummaries(containers: unknown): ContainerSummary[] | undefined {
  if (!Array.isArray(containers)) return undefined;
  return containers.map((c: Record<string, unknown>) => ({
    name: str(c?.name) ?? '?',
    ...(str(c?.lastStatus) !== undefined && { lastStatus: str(c.lastStatus) }),
    ...(typeof c?.exitCode === 'number' && { exitCode: c.exitCode }),
    ...(str(c?.reason) !== undefined && { reason: str(c.reason) }),
  }));
}

/** The history view of one stored event. */
export function historyRow(item: StoredEvent): HistoryRow {
  const d = detailOf(item);
  const containers = containerSummaries(d.containers);
  const pick = (field: string) => (str(d[field]) !== undefined ? { [field]: str(d[field]) } : {});
  return {
    arn: item.arn,
    version: item.version,
    eventTime: item.eventTime,
    kind: kindOf(item.detailType),
    ...(item.eventId !== undefined && { eventId: item.eventId }),
    ...pick('lastStatus'),
    ...pick('desiredStatus'),
    ...pick('status'),
    ...(typeof d.agentConnected === 'boolean' && { agentConnected: d.agentConnected }),
    ...pick('stopCode'),
    ...pick('stoppedReason'),
    ...(containers !== undefined && { containers }),
    ...pick('eventType'),
    ...pick('eventName'),
    ...pick('deploymentId'),
    ...pick('reason'),
  };
}
