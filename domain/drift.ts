import { isExpired } from './expiry.js';
import type { StateKind } from './kinds.js';
import type { Projection } from './projection.js';

/**
 * How a latest-state row can differ from what a fresh projection of the log gives:
 * - missing: the log has a live (unexpired) latest state and there is no row;
 * - stale:   the row holds a lower version than the log's latest;
 * - differs: same version, but fields differ from the projection of that log event;
 * - ahead:   the row holds a version higher than any in the log (only corruption or a hand edit does that);
 * - orphan:  a row for a resource the log has no projectable event of.
 */
export type DriftKind = 'missing' | 'stale' | 'differs' | 'ahead' | 'orphan';

export const DRIFT_KINDS: readonly DriftKind[] = ['missing', 'stale', 'differs', 'ahead', 'orphan'];

export interface Drift {
  readonly kind: DriftKind;
  readonly stateKind: StateKind;
  readonly arn: string;
  /** The row's version as stored (a string when it is not a safe number). */
  readonly rowVersion?: number | string;
  readonly logVersion?: number;
  /** Top-level attributes that differ (kind `differs`), sorted. */
  readonly fields?: readonly string[];
}

export type Row = Readonly<Record<string, unknown>>;

/**
 * Compares one latest-state row with the log's latest projection of the same resource.
 * `expiresAt` is compared by presence only: its value depends on STATE_TTL_DAYS when the row was
 * written (a changed setting is not drift), but a terminal row without it would never expire and a
 * live row with it would be deleted by TTL, and both are drift.
 */
export function findDrift(
  identity: { readonly stateKind: StateKind; readonly arn: string },
  expected: Projection | undefined,
  row: Row | undefined,
  nowMs: number,
): Drift | undefined {
  if (expected === undefined) {
    return row === undefined ? undefined : { ...identity, kind: 'orphan', rowVersion: versionOf(row.version) };
  }
  const logVersion = expected.version;
  if (row === undefined) return isExpired(expected, nowMs) ? undefined : { ...identity, kind: 'missing', logVersion };
  const rowVersion = versionOf(row.version);
  if (typeof rowVersion === 'number' && rowVersion < logVersion)
    return { ...identity, kind: 'stale', rowVersion, logVersion };
  if (typeof rowVersion === 'number' && rowVersion > logVersion)
    return { ...identity, kind: 'ahead', rowVersion, logVersion };
  const fields = differingFields(expected.row, row);
  return fields.length === 0 ? undefined : { ...identity, kind: 'differs', rowVersion, logVersion, fields };
}

const versionOf = (v: unknown): number | string =>
  typeof v === 'number' && Number.isSafeInteger(v)
    ? v
    : typeof v === 'bigint'
      ? v.toString()
      : JSON.stringify(v ?? null);

/** The TTL attribute of the latest-state rows (domain/projection.ts writes it). */
const EXPIRES_AT = 'expiresAt';

/**
 * Attributes whose values differ; undefined counts as absent (DynamoDB does not store it). At the top
 * level of a row `expiresAt` compares by presence (see findDrift); inside nested maps it is plain data.
 */
export function differingFields(expected: Row, actual: Row, topLevel = true): string[] {
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  const out: string[] = [];
  for (const key of keys) {
    const a = expected[key];
    const b = actual[key];
    const differs = topLevel && key === EXPIRES_AT ? (a === undefined) !== (b === undefined) : !sameValue(a, b);
    if (differs) out.push(key);
  }
  return out.sort();
}

const isNumeric = (v: unknown): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';

/**
 * Deep equality of a projected value and the value read back from DynamoDB. Numbers beyond 2^53 come
 * back as bigint (the document client's conversion), so numbers compare by numeric value.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  if (a instanceof Set || b instanceof Set) {
    const sorted = (v: unknown) => (v instanceof Set || Array.isArray(v) ? [...v].map(String).sort() : v);
    return sameValue(sorted(a), sorted(b));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameValue(v, b[i]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return differingFields(a as Row, b as Row, false).length === 0;
}
