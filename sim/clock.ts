/** Where generated time starts: always relative to the moment of the run, never a fixed date. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The default length of a generated period. */
export const DEFAULT_SPAN_MS = 6 * HOUR_MS;

/**
 * The start of a generated period of `spanMs` that ends an hour before `nowMs` (to the hour): every
 * generated time is in the recent past, so no STOPPED task or INACTIVE instance row is already past
 * its TTL (STATE_TTL_DAYS after its event) and none comes due during a run, whatever the date. A fixed
 * date would be such a time bomb. Given the seed and this start the workload is the same everywhere.
 */
export const recentStart = (spanMs: number = DEFAULT_SPAN_MS, nowMs: number = Date.now()): number =>
  Math.floor(nowMs / HOUR_MS) * HOUR_MS - spanMs - HOUR_MS;
