import { canonicalJson } from './canonical.js';
import { decodeEvent } from './eventCodec.js';
import type { ParsedEvent } from './eventTypes.js';
import { type VersionRule, versionRuleOf } from './kinds.js';
import { eventIdentity } from './provenance.js';

/**
 * Whether a stored log event is the same event as an incoming one with the same key.
 * Tasks and instances: the same `detail` (ECS: "duplicate events have the same version", and a
 * redelivery may come in a new envelope). API calls: the same `detail` too, the CloudTrail record,
 * whose `eventID` their key derives from (a forwarder or a replay may wrap it in a new envelope).
 * Every other kind: the whole event, since its key is derived from it, without its provenance
 * fields (an archive replay adds `replay-name`).
 */
export function isSameEvent(incoming: ParsedEvent, storedEvent: unknown): boolean {
  return isSameEventUnder(versionRuleOf(incoming.kind), incoming.event, storedEvent);
}

/**
 * The same rule for an event keyed by a version rule of domain/kinds.ts: the rule decides, not the
 * kind's name, so an event of a type promoted out of `other` (same keys) compares as it always did.
 */
export function isSameEventUnder(rule: VersionRule, incoming: { detail?: unknown }, storedEvent: unknown): boolean {
  let stored: { detail?: unknown };
  try {
    // The stored item's `event` attribute, in whichever codec it was written (domain/eventCodec.ts).
    stored = JSON.parse(decodeEvent(storedEvent)) as { detail?: unknown };
  } catch {
    return false;
  }
  return rule === 'detailVersion' || rule === 'callVersion'
    ? canonicalJson(stored.detail) === canonicalJson(incoming.detail)
    : canonicalJson(eventIdentity(stored)) === canonicalJson(eventIdentity(incoming));
}
