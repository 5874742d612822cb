import type { Drift, Row } from './drift.js';
import { isExpired } from './expiry.js';
import type { StateKind } from './kinds.js';
import type { Projection } from './projection.js';

/**
 * The one conditional write that fixes a drifted row (verify --repair). Every write is conditional on
 * what was read, so a live write that lands meanwhile always wins and the recheck reports the race:
 * - putIfNewer:       the live projector's own "only if newer" write (a missing or stale row; for a
 *                     state past its TTL it deletes the older row instead, as a rebuild does);
 * - replaceIfVersion: put the log's state if the row still holds `observedVersion` (a row that differs
 *                     or is ahead of the log, which "only if newer" can never lower);
 * - deleteIfVersion:  delete the row if it still holds `observedVersion` (an orphan, or a drifted row
 *                     whose log state has expired);
 * - keep:             write nothing (an orphan, unless orphans are to be deleted).
 */
export type RepairAction =
  | { readonly type: 'putIfNewer'; readonly projection: Projection }
  | { readonly type: 'replaceIfVersion'; readonly projection: Projection; readonly observedVersion: unknown }
  | {
      readonly type: 'deleteIfVersion';
      readonly stateKind: StateKind;
      readonly arn: string;
      readonly observedVersion: unknown;
    }
  | { readonly type: 'keep' };

/** What verify read for one drifted key: the drift, the log's latest state and the row. */
export interface Finding {
  readonly drift: Drift;
  readonly expected: Projection | undefined;
  readonly row: Row | undefined;
}

/** Decides the repair of one drifted key. Pure: verify executes the action. */
export function repairAction(
  { drift, expected, row }: Finding,
  options: { readonly nowMs: number; readonly deleteOrphans: boolean },
): RepairAction {
  if (drift.kind === 'missing' || drift.kind === 'stale') {
    return expected ? { type: 'putIfNewer', projection: expected } : { type: 'keep' };
  }
  if (drift.kind === 'orphan' && !options.deleteOrphans) return { type: 'keep' };
  if (drift.kind === 'orphan' || !expected || isExpired(expected, options.nowMs)) {
    return { type: 'deleteIfVersion', stateKind: drift.stateKind, arn: drift.arn, observedVersion: row?.version };
  }
  return { type: 'replaceIfVersion', projection: expected, observedVersion: row?.version };
}
