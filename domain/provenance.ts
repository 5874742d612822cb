/**
 * Envelope fields that say how an event reached us, not what happened. EventBridge adds a top-level
 * `replay-name` to every event it replays from an archive; the same event delivered live has none.
 * The stored event keeps them (provenance); the identity of an event (its derived log version and
 * the duplicate check) leaves them out, so a replay of a logged event is a duplicate, not a new item.
 */
const PROVENANCE_FIELDS = ['replay-name'] as const;

/** The event without its provenance fields (a shallow copy only when there is one to drop). */
export function eventIdentity<T>(event: T): T {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return event;
  if (!PROVENANCE_FIELDS.some((f) => f in event)) return event;
  const copy = { ...event } as Record<string, unknown>;
  for (const f of PROVENANCE_FIELDS) delete copy[f];
  return copy as T;
}
