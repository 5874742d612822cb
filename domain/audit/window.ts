import { DERIVED_VERSION_SLOTS, MAX_DERIVED_PROBES } from '../derivedVersion.js';

/**
 * A time window of the audit queries: `sinceMs` inclusive, `untilMs` exclusive, so that consecutive
 * windows (`--since 10:00 --until 11:00`, then `--since 11:00 --until 12:00`) never count an event twice.
 * Either bound may be open.
 */
export interface TimeWindow {
  readonly sinceMs?: number | undefined;
  readonly untilMs?: number | undefined;
}

/** A window with both ends known: since inclusive, until exclusive (epoch ms). */
export interface ClosedWindow {
  readonly sinceMs: number;
  readonly untilMs: number;
}

export const inWindow = (epochMs: number, window: TimeWindow): boolean =>
  (window.sinceMs === undefined || epochMs >= window.sinceMs) &&
  (window.untilMs === undefined || epochMs < window.untilMs);

/** An inclusive range of log versions (`--from-version`, `--to-version`); either end may be open. */
export interface VersionRange {
  readonly fromVersion?: number | undefined;
  readonly toVersion?: number | undefined;
}

export const inVersionRange = (version: number, range: VersionRange): boolean =>
  (range.fromVersion === undefined || version >= range.fromVersion) &&
  (range.toVersion === undefined || version <= range.toVersion);

const epochSecond = (epochMs: number): number => Math.floor(epochMs / 1000);

/**
 * The log versions a service or deployment event in a time window can have. Their version is derived
 * (domain/derivedVersion.ts): event second × DERIVED_VERSION_SLOTS plus a hash below the slot count,
 * plus at most MAX_DERIVED_PROBES collision probes. Narrows the key range of a query so that a
 * long-lived service's history is not read from its first event; the exact time filter still applies.
 */
export function derivedVersionRange(window: TimeWindow): VersionRange {
  return {
    fromVersion: window.sinceMs === undefined ? undefined : epochSecond(window.sinceMs) * DERIVED_VERSION_SLOTS,
    toVersion:
      window.untilMs === undefined
        ? undefined
        : (epochSecond(window.untilMs - 1) + 1) * DERIVED_VERSION_SLOTS - 1 + MAX_DERIVED_PROBES,
  };
}

/** The overlap of two version ranges (open ends stay open). */
export function intersectVersions(a: VersionRange, b: VersionRange): VersionRange {
  const max = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
  const min = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.min(x, y));
  return { fromVersion: max(a.fromVersion, b.fromVersion), toVersion: min(a.toVersion, b.toVersion) };
}
