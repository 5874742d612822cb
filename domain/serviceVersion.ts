import { canonicalJson, hash48 } from './canonical.js';

/**
 * Service Action and Deployment State Change events carry no `detail.version`, so their log sort
 * key is derived: event time in epoch seconds × 10^6 plus six digits hashed from the whole
 * event's canonical JSON. It orders the events of one service by time, is identical for a
 * redelivered duplicate, stays below 2^53 until the year 2255, and separates the AWS doc samples
 * that share id, time and service. A hash collision is resolved at append time: when the stored
 * event differs, the next free number is taken (infra/logAppend.ts), never treated as a duplicate.
 */
export const SERVICE_VERSION_SLOTS = 1_000_000;

export function serviceVersion(eventTimeMs: number, event: unknown): number {
  const seconds = Math.floor(eventTimeMs / 1000);
  return seconds * SERVICE_VERSION_SLOTS + (hash48(canonicalJson(event)) % SERVICE_VERSION_SLOTS);
}

/**
 * How many numbers above its derived version a service event may be stored at: a hash collision
 * with a different event takes the next free number (infra/logAppend.ts). Readers that select a
 * time range by version widen its upper end by this much.
 */
export const MAX_SERVICE_PROBES = 16;

/** The latest event time whose derived version (collision probes included) stays a safe integer: year 2255. */
export const MAX_SERVICE_EVENT_TIME_MS =
  Math.floor((Number.MAX_SAFE_INTEGER - SERVICE_VERSION_SLOTS - MAX_SERVICE_PROBES) / SERVICE_VERSION_SLOTS) * 1000 +
  999;

/** The event-time second encoded in a derived service version. */
export const serviceVersionSecond = (version: number): number => Math.floor(version / SERVICE_VERSION_SLOTS);
