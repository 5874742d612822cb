import { type Kind, kindOfDetailType } from '../kinds.js';
import { type Summary, summaryOf } from '../summary.js';
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
export interface HistoryRow extends Summary {
  readonly arn: string;
  readonly version: number;
  readonly eventTime: number;
  readonly kind: Kind | 'unknown';
  readonly eventId?: string;
  readonly stoppedReason?: string;
  readonly containers?: readonly ContainerSummary[];
  readonly deploymentId?: string;
  readonly reason?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const kindOf = (detailType: string): Kind | 'unknown' => kindOfDetailType(detailType) ?? 'unknown';

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
    ...summaryOf(d),
    ...pick('stoppedReason'),
    ...(containers !== undefined && { containers }),
    ...pick('deploymentId'),
    ...pick('reason'),
  };
}
