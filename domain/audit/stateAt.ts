import { kindOf } from './history.js';
import { parseStored, type StoredEvent } from './storedEvent.js';

/**
 * "The resource as it was at T" is the highest version whose event time is at or before T
 * (inclusive: an event at exactly T is already visible). Version, not time, decides between two
 * events that both qualify, because ECS orders a resource's changes by `detail.version`.
 */
const visibleAt = (item: { readonly eventTime: number }, atMs: number): boolean => item.eventTime <= atMs;

export function stateAt<T extends { readonly version: number; readonly eventTime: number }>(
  items: Iterable<T>,
  atMs: number,
): T | undefined {
  let best: T | undefined;
  for (const item of items) if (visibleAt(item, atMs) && (!best || item.version > best.version)) best = item;
  return best;
}

/** What `ecs-events state` prints: the whole stored event of the chosen version. */
export interface ResourceState {
  readonly arn: string;
  readonly version: number;
  readonly eventTime: number;
  readonly kind: ReturnType<typeof kindOf>;
  readonly eventId?: string;
  readonly detail: Record<string, unknown>;
}

export function resourceState(item: StoredEvent): ResourceState {
  return {
    arn: item.arn,
    version: item.version,
    eventTime: item.eventTime,
    kind: kindOf(item.detailType),
    ...(item.eventId !== undefined && { eventId: item.eventId }),
    detail: parseStored(item).detail,
  };
}
