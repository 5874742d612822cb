import { callSummary } from '../apiCalls/summary.js';
import {
  type HistorySummary,
  isMissingKind,
  isObservationKind,
  KINDS,
  type Kind,
  kindOfDetailType,
  labelsOf,
  resourceOfPartitionKey,
} from '../kinds.js';
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
  /** Where it came from: an EventBridge event, or the reconciler (an observation, a missing mark). */
  readonly origin: Origin;
  readonly eventId?: string;
  readonly stoppedReason?: string;
  readonly containers?: readonly ContainerSummary[];
  readonly deploymentId?: string;
  readonly reason?: string;
  /**
   * A row aside from the versions (its kind's history label, domain/kinds.ts: kind `other`): its
   * detail-type, its resource (the partition without its suffix) and what it says in one line.
   */
  readonly detailType?: string;
  readonly resourceArn?: string;
  readonly overallStatus?: string;
  readonly otherSummary?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `observed`: a state the reconciler read from the ECS API; `missing`: ECS did not know the resource. */
export type Origin = 'event' | 'observed' | 'missing';

const originOf = (kind: Kind | 'unknown'): Origin =>
  kind === 'unknown' ? 'event' : isObservationKind(kind) ? 'observed' : isMissingKind(kind) ? 'missing' : 'event';

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

/** The detail fields an event of another type is summed up by, in this order (when they are strings). */
const OTHER_SUMMARY_FIELDS = ['eventType', 'eventName', 'overallStatus', 'failureType', 'hookType', 'lifecycleStage'];

/**
 * One line for an event of another type: its telling fields, then each health check as
 * `TYPE=STATUS (reason)` (container instance health changes), then its reason.
 * `INFO HOOK_AWAITING_ACTION PAUSE POST_TEST_TRAFFIC_SHIFT`, `IMPAIRED ACCELERATED_COMPUTE=IMPAIRED (XID_46)`.
 */
export function otherEventSummary(detail: Record<string, unknown>): string {
  const parts = OTHER_SUMMARY_FIELDS.map((f) => str(detail[f])).filter((v): v is string => v !== undefined);
  for (const check of Array.isArray(detail.healthChecks) ? detail.healthChecks : []) {
    const c = (check ?? {}) as Record<string, unknown>;
    if (str(c.type) === undefined) continue;
    const why = str(c.statusReason);
    parts.push(`${c.type}=${str(c.status) ?? '?'}${why ? ` (${why})` : ''}`);
  }
  const reason = str(detail.reason);
  if (reason !== undefined) parts.push(reason);
  return parts.join(' ');
}

/** Each one-line summary a kind's labels may name (domain/kinds.ts `historySummary`). */
const SUMMARIES: Record<HistorySummary, (detail: Record<string, unknown>) => string> = {
  detailFields: otherEventSummary,
  call: callSummary,
};

/** Whether a kind's events are rows aside from the resource's versions (no version of it; detail-type and summary shown). */
const isAside = (kind: Kind | 'unknown'): kind is Kind => kind !== 'unknown' && labelsOf(kind).history === 'aside';

/** Whether a history row is one aside from the versions (`history` shows its detail-type and summary, no version). */
export const isAsideRow = (row: Pick<HistoryRow, 'kind'>): boolean => isAside(row.kind);

/** The history view of one stored event. */
export function historyRow(item: StoredEvent): HistoryRow {
  const d = detailOf(item);
  const containers = containerSummaries(d.containers);
  const pick = (field: string) => (str(d[field]) !== undefined ? { [field]: str(d[field]) } : {});
  const kind = kindOf(item.detailType);
  return {
    arn: item.arn,
    version: item.version,
    eventTime: item.eventTime,
    kind,
    origin: originOf(kind),
    ...(item.eventId !== undefined && { eventId: item.eventId }),
    ...summaryOf(d),
    ...pick('stoppedReason'),
    ...(containers !== undefined && { containers }),
    ...pick('deploymentId'),
    ...pick('reason'),
    ...(isAside(kind) && asideFields(kind, item, d)),
  };
}

/** What a row aside from the versions adds: its detail-type, its resource and its one-line summary. */
function asideFields(kind: Kind, item: StoredEvent, d: Record<string, unknown>) {
  const summary = labelsOf(kind).historySummary;
  return {
    detailType: item.detailType,
    resourceArn: resourceOfPartitionKey(KINDS[kind], item.arn) ?? item.arn,
    ...(str(d.overallStatus) !== undefined && { overallStatus: str(d.overallStatus) }),
    ...(summary !== undefined && { otherSummary: SUMMARIES[summary](d) }),
  };
}
