import { canonicalJson } from './canonical.js';
import { decodeEvent } from './eventCodec.js';
import type { ParsedEvent } from './eventTypes.js';
import { isStateKind } from './kinds.js';
import { eventIdentity } from './provenance.js';

/**
 * Whether a stored log event is the same event as an incoming one with the same key.
 * Tasks and instances: the same `detail` (ECS: "duplicate events have the same version", and a
 * redelivery may come in a new envelope). Every other kind: the whole event, since its key is
 * derived from it, without its provenance fields (an archive replay adds `replay-name`).
 */
export function isSameEvent(incoming: ParsedEvent, storedEvent: unknown): boolean {
  let stored: { detail?: unknown };
  try {
    // The stored item's `event` attribute, in whichever codec it was written (domain/eventCodec.ts).
    stored = JSON.parse(decodeEvent(storedEvent)) as { detail?: unknown };
  } catch {
    return false;
  }
  return isStateKind(incoming.kind)
    ? canonicalJson(stored.detail) === canonicalJson(incoming.event.detail)
    : canonicalJson(eventIdentity(stored)) === canonicalJson(eventIdentity(incoming.event));
}
