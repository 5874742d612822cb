/**
 * Stable reason codes for refused events. Operators search logs and the ingest on-failure
 * queue by these codes, so they never change meaning; add new ones instead.
 */
export const REASONS = [
  'EVENT_NOT_OBJECT',
  'SOURCE_UNSUPPORTED',
  'DETAIL_TYPE_UNSUPPORTED',
  'DETAIL_NOT_OBJECT',
  'ARN_MISSING',
  'ARN_INVALID',
  'VERSION_MISSING',
  'VERSION_NOT_INTEGER',
  'VERSION_TOO_LARGE',
  'TIME_MISSING',
  'TIME_INVALID',
  'FIELD_INVALID',
  'KEY_FORBIDDEN',
  'NESTING_TOO_DEEP',
  'STRING_NOT_WELL_FORMED',
  'EVENT_TOO_LARGE',
  'NUMBER_OUT_OF_RANGE',
  // ECS API calls via CloudTrail (domain/apiCalls/parseCall.ts).
  'CALL_SOURCE_UNSUPPORTED',
  'CALL_READ_ONLY',
  'CALL_ACTION_UNSUPPORTED',
  'CALL_ID_MISSING',
  'CALL_RESOURCE_MISSING',
] as const;

export type ReasonCode = (typeof REASONS)[number];

/** Why an event was refused: a stable code plus a message naming the field and the rule. */
export interface Rejection {
  readonly reason: ReasonCode;
  readonly message: string;
}

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly rejection: Rejection };

export const accept = <T>(value: T): Result<T> => ({ ok: true, value });
export const reject = <T = never>(reason: ReasonCode, message: string): Result<T> => ({
  ok: false,
  rejection: { reason, message },
});

/** The one-line form used in logs and in the Lambda error message: `rejected [CODE]: message`. */
export const describeRejection = (r: Rejection): string => `rejected [${r.reason}]: ${r.message}`;

/** JSON.stringify for messages, bounded so a huge bad value cannot flood a log line. */
export function quote(value: unknown): string {
  let text: string;
  try {
    // Numbers as JavaScript prints them: JSON.stringify would show Infinity (from a 1e400 literal) as null.
    text = value === undefined ? 'undefined' : typeof value === 'number' ? String(value) : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A value's JSON type for messages that must not echo the value: `null`, `undefined`, `a string`, `an array`, ... */
export function typeOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
