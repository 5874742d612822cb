/**
 * ISO-8601 with a date, a time, any number of fractional digits and `Z` or an offset. ECS sends
 * 0 to 3 fractional digits, so never compare these as strings: use epoch milliseconds.
 */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0); // day 0 of the next month: the last day of this one (years 0-99 included)
  return d.getUTCDate();
}

/** Epoch milliseconds of a strict ISO-8601 timestamp, or undefined. */
export function parseIsoTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_8601.exec(value);
  if (!m) return undefined;
  // Date.parse rolls 2016-02-30 over to March 1st and 24:00 to the next day: refuse impossible fields instead.
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59) {
    return undefined;
  }
  // Date.parse ignores digits past milliseconds; normalise them so every engine agrees.
  const normalised = value.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(normalised);
  return Number.isFinite(ms) ? ms : undefined;
}

export const toIso = (epochMs: number): string => new Date(epochMs).toISOString();
