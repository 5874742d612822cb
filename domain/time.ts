/**
 * ISO-8601 with a date, a time, any number of fractional digits and `Z` or an offset. ECS sends
 * 0 to 3 fractional digits, so never compare these as strings: use epoch milliseconds.
 */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Epoch milliseconds of a strict ISO-8601 timestamp, or undefined. */
export function parseIsoTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_8601.test(value)) return undefined;
  // Date.parse ignores digits past milliseconds; normalise them so every engine agrees.
  const normalised = value.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(normalised);
  return Number.isFinite(ms) ? ms : undefined;
}

export const toIso = (epochMs: number): string => new Date(epochMs).toISOString();
