import { detailOf, type StoredEvent } from './audit/storedEvent.js';
import { DERIVED_VERSION_SLOTS, MAX_DERIVED_PROBES } from './derivedVersion.js';
import { eventDetailTypesOfResource, KINDS } from './kinds.js';
import { parseIsoTime } from './time.js';
import { clusterOfTimelineKey } from './timeline.js';

/** One service action or deployment state change (an event of a service kind) read back from the log. */
export interface ServiceLogEvent {
  /** The service ARN (partition key of the log). */
  readonly arn: string;
  /** Derived log version (domain/derivedVersion.ts). */
  readonly version: number;
  readonly detailType: string;
  readonly eventId: string | undefined;
  /** Envelope `time`, epoch ms (second precision as ECS sends it). */
  readonly eventTime: number;
  readonly clusterArn: string | undefined;
  readonly detail: Record<string, unknown>;
}

export const SERVICE_ACTION = KINDS.serviceAction.detailType;
export const DEPLOYMENT_STATE_CHANGE = KINDS.deployment.detailType;
/** The detail-types of every kind of service event (domain/kinds.ts): what the service readers take. */
export const SERVICE_DETAIL_TYPES: ReadonlySet<string> = new Set(eventDetailTypesOfResource('service'));

/**
 * A log item as a ServiceLogEvent; undefined when it is of no service kind (service action, deployment).
 * The log holds only validated events, so a stored event that does not parse is an error (thrown).
 */
export function toServiceLogEvent(
  item: StoredEvent & { readonly clusterArn?: string; readonly timelineKey?: string },
): ServiceLogEvent | undefined {
  if (!SERVICE_DETAIL_TYPES.has(item.detailType)) return undefined;
  return {
    arn: item.arn,
    version: item.version,
    detailType: item.detailType,
    eventId: item.eventId,
    eventTime: item.eventTime,
    // Items written before issue 15 hold the cluster; newer ones have it in their timeline key only.
    clusterArn: item.clusterArn ?? clusterOfTimelineKey(item.timelineKey),
    detail: detailOf(item),
  };
}

export const detailString = (e: ServiceLogEvent, field: string): string | undefined => {
  const v = e.detail[field];
  return typeof v === 'string' ? v : undefined;
};

/**
 * The finer time inside the event: service actions carry `createdAt`, deployments `updatedAt`,
 * both with milliseconds, while the envelope `time` has whole seconds.
 */
const detailTime = (e: ServiceLogEvent): number =>
  parseIsoTime(e.detail.createdAt) ?? parseIsoTime(e.detail.updatedAt) ?? Number.NEGATIVE_INFINITY;

/** In a tie, a deployment starts before it ends: IN_PROGRESS sorts before COMPLETED and FAILED. */
const PHASE_RANK: Record<string, number> = {
  SERVICE_DEPLOYMENT_IN_PROGRESS: 0,
  SERVICE_DEPLOYMENT_FAILED: 1,
  SERVICE_DEPLOYMENT_COMPLETED: 1,
};
const phase = (e: ServiceLogEvent): number => PHASE_RANK[detailString(e, 'eventName') ?? ''] ?? 0;

/**
 * Time order of one service's events: envelope time, then the millisecond time inside the event,
 * then lifecycle phase, then log version (so the order is total and the same on every read).
 */
export function compareServiceEvents(a: ServiceLogEvent, b: ServiceLogEvent): number {
  return a.eventTime - b.eventTime || detailTime(a) - detailTime(b) || phase(a) - phase(b) || a.version - b.version;
}

/** What TimeOrderBuffer needs of an item of a partition keyed by derived versions. */
export interface DerivedVersionItem {
  readonly version: number;
  readonly eventTime: number;
}

/**
 * Puts a stream of one partition's log items with derived versions (a service's, or a resource's
 * `#other` events), read in version order, into time order page by page. Versions order whole
 * seconds only (the low six digits are a hash), so items are held until no later version can still
 * belong to their second: every event of second `s` has a version below
 * (s + 1) × 10^6 + MAX_DERIVED_PROBES (collision probes can spill past the second), so `s` is
 * complete once a version at or above that has been read. Memory is bounded by the events of about
 * one second, not by the length of the log. The order within a second is `compare`'s (default:
 * compareServiceEvents).
 */
export class TimeOrderBuffer<T extends DerivedVersionItem = ServiceLogEvent> {
  private held: T[] = [];

  constructor(
    private readonly compare: (a: T, b: T) => number = compareServiceEvents as unknown as (a: T, b: T) => number,
  ) {}

  /** Adds the next event (in version order); returns the events now known to be in final order. */
  push(event: T): T[] {
    const complete = (e: T) =>
      (Math.floor(e.eventTime / 1000) + 1) * DERIVED_VERSION_SLOTS + MAX_DERIVED_PROBES <= event.version;
    const ready = this.held.filter(complete);
    if (ready.length > 0) this.held = this.held.filter((e) => !complete(e));
    this.held.push(event);
    return ready.sort(this.compare);
  }

  /** The events still held, at the end of the stream. */
  flush(): T[] {
    const rest = this.held.sort(this.compare);
    this.held = [];
    return rest;
  }
}
