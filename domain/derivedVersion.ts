import { canonicalJson, hash48 } from './canonical.js';
import { eventIdentity } from './provenance.js';

/**
 * The log sort key of every event that carries no version the log may order by: service actions,
 * deployment state changes, and every other ECS detail-type (domain/kinds.ts `other`), even one that
 * happens to carry a `detail.version`. Event time in epoch seconds × 10^6 plus six digits hashed from
 * the whole event's canonical JSON, provenance fields left out (domain/provenance.ts). It orders the
 * events of one partition by time, is identical for a redelivered or replayed duplicate, stays below
 * 2^53 until the year 2255, and separates the AWS doc samples that share id, time and resource. A hash
 * collision is resolved at append time: when the stored event differs, the next free number is taken
 * (infra/logAppend.ts), never treated as a duplicate. docs/events.md has the keys of every kind.
 */
export const DERIVED_VERSION_SLOTS = 1_000_000;

export function derivedVersion(eventTimeMs: number, event: unknown): number {
  const seconds = Math.floor(eventTimeMs / 1000);
  return seconds * DERIVED_VERSION_SLOTS + (hash48(canonicalJson(eventIdentity(event))) % DERIVED_VERSION_SLOTS);
}

/**
 * How many numbers above its derived version an event may be stored at: a hash collision with a
 * different event takes the next free number (infra/logAppend.ts). Readers that select a time range
 * by version widen its upper end by this much.
 */
export const MAX_DERIVED_PROBES = 16;

/** The latest event time whose derived version (collision probes included) stays a safe integer: year 2255. */
export const MAX_DERIVED_EVENT_TIME_MS =
  Math.floor((Number.MAX_SAFE_INTEGER - DERIVED_VERSION_SLOTS - MAX_DERIVED_PROBES) / DERIVED_VERSION_SLOTS) * 1000 +
  999;

/** The event-time second encoded in a derived version. */
export const derivedVersionSecond = (version: number): number => Math.floor(version / DERIVED_VERSION_SLOTS);
