import { KINDS, type StateKind } from './kinds.js';
import { apiVersion } from './observation.js';
import { LAST_SEEN_MISSING_AT } from './projection.js';

/**
 * How one task or container instance in the store compares with what the ECS API says (usecases/
 * reconcile.ts gathers both sides; docs/reconcile.md explains the classes):
 * - missing:     ECS knows it, the store has no row (day 0, or every event of it was lost);
 * - behind:      ECS's version is higher than the row's (events were lost or are late);
 * - ghost:       the row is not terminal, and ECS does not return it or answers MISSING;
 * - ahead:       the row's version is higher than ECS's (ECS's answer lags: nothing to do);
 * - agree:       same version; or ECS does not know a terminal row (its history is over); or a ghost
 *                whose row already carries the missing mark (`lastSeenMissingAt`) of its version;
 * - unversioned: ECS returned the object without a `version`: it cannot be ordered against the row.
 */
export type ReconcileClass = 'missing' | 'behind' | 'ghost' | 'ahead' | 'agree' | 'unversioned';

export const RECONCILE_CLASSES: readonly ReconcileClass[] = [
  'missing',
  'behind',
  'ghost',
  'ahead',
  'agree',
  'unversioned',
];

/**
 * What repairs a finding, always by appending to the log (never a row):
 * - observe:     append the API object as an observation (missing, behind);
 * - markMissing: append a missing mark of the row's version (ghost);
 * - none:        nothing to do (agree, ahead);
 * - noVersion:   report only: the API object has no version, and versions are never invented.
 */
export type RepairKind = 'observe' | 'markMissing' | 'none' | 'noVersion';

export interface Comparison {
  readonly kind: StateKind;
  readonly arn: string;
  readonly clusterArn: string;
  readonly class: ReconcileClass;
  readonly repair: RepairKind;
  /** The row's version as stored (absent: no row). */
  readonly rowVersion?: number;
  /** ECS's version (absent: ECS did not return the object, or returned it without one). */
  readonly ecsVersion?: number;
  readonly rowStatus?: string;
  readonly ecsStatus?: string;
  /** ECS's failure reason for the ARN (MISSING), or NOT_RETURNED when it answered nothing about it. */
  readonly ecsFailure?: string;
  /** A ghost whose row already holds its missing mark. */
  readonly marked?: boolean;
}

type Row = Readonly<Record<string, unknown>>;

const safeVersion = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : typeof v === 'bigint' ? Number(v) : undefined;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Classifies one resource from its row (if any) and ECS's answer: the API object, or a failure
 * reason when ECS did not return it. Undefined when neither side knows it. Pure.
 */
export function compare(input: {
  readonly kind: StateKind;
  readonly arn: string;
  readonly clusterArn: string;
  readonly row?: Row | undefined;
  readonly api?: Record<string, unknown> | undefined;
  readonly failure?: string | undefined;
}): Comparison | undefined {
  const { kind, arn, clusterArn, row, api } = input;
  const { statusField, terminalStatus } = KINDS[kind].state;
  const rowVersion = row ? safeVersion(row.version) : undefined;
  const rowStatus = row ? str(row[statusField]) : undefined;
  const base = {
    kind,
    arn,
    clusterArn,
    ...(rowVersion !== undefined && { rowVersion }),
    ...(rowStatus !== undefined && { rowStatus }),
  };
  if (api !== undefined) {
    const ecsVersion = apiVersion(api);
    const ecsStatus = str(api[statusField]);
    const seen = { ...base, ...(ecsVersion !== undefined && { ecsVersion }), ...(ecsStatus && { ecsStatus }) };
    if (row === undefined)
      return { ...seen, class: 'missing', repair: ecsVersion === undefined ? 'noVersion' : 'observe' };
    if (ecsVersion === undefined) return { ...seen, class: 'unversioned', repair: 'noVersion' };
    // A row without a usable version (corrupt: `verify` reports it) is behind anything ECS knows.
    if (rowVersion === undefined || ecsVersion > rowVersion) return { ...seen, class: 'behind', repair: 'observe' };
    if (ecsVersion < rowVersion) return { ...seen, class: 'ahead', repair: 'none' };
    return { ...seen, class: 'agree', repair: 'none' };
  }
  if (row === undefined) return undefined;
  const ecsFailure = input.failure ?? 'NOT_RETURNED';
  // ECS keeps stopped tasks for about an hour: a terminal row it no longer knows is simply history.
  if (rowStatus === terminalStatus) return { ...base, ecsFailure, class: 'agree', repair: 'none' };
  const marked = typeof row[LAST_SEEN_MISSING_AT] === 'number' || typeof row[LAST_SEEN_MISSING_AT] === 'bigint';
  if (marked) return { ...base, ecsFailure, class: 'agree', repair: 'none', marked: true };
  // A row whose version is unusable cannot be marked (the mark is keyed by that version): report only.
  return { ...base, ecsFailure, class: 'ghost', repair: rowVersion === undefined ? 'noVersion' : 'markMissing' };
}
