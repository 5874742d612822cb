import { canonicalJson } from './canonical.js';
import type { ParsedEvent } from './eventTypes.js';
import { isStateKind } from './kinds.js';

/**
 * Whether a stored log event is the same event as an incoming one with the same key.
 * Tasks and instances: the same `detail` (ECS: "duplicate events have the same version", and a
 * redelivery may come in a new envelope). Service and deployment events: the whole event, since
 * their key is derived from it.
 */
export function isSameEvent(incoming: ParsedEvent, storedEventJson: unknown): boolean {
  if (typeof storedEventJson !== 'string') return false;
  let stored: { detail?: unknown };
  try {
    stored = JSON.parse(storedEventJson) as { detail?: unknown };
  } catch {
    return false;
  }
  return isStateKind(incoming.kind)
    ? canonicalJson(stored.detail) === canonicalJson(incoming.event.detail)
    : canonicalJson(stored) === canonicalJson(incoming.event);
}
