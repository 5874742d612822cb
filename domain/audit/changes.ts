import { InternalError } from '../errors.js';
import { detailOf, type StoredEvent } from './storedEvent.js';

/** One field that differs between two consecutive versions. `from` is absent when the field was added, `to` when removed. */
export interface FieldChange {
  readonly field: string;
  readonly from?: unknown;
  readonly to?: unknown;
}

/** The changes a version brought, compared with the version before it (in the listed range). */
export interface VersionChanges {
  readonly arn: string;
  readonly version: number;
  readonly eventTime: number;
  /** Absent for the first version listed: there is nothing to compare it with. */
  readonly previousVersion?: number;
  readonly changes: readonly FieldChange[];
}

/** Fields that change on every version by definition and are shown as the row's key instead. */
const KEY_FIELDS = new Set(['version']);

/**
 * Leaf values by path (`containers[0].exitCode`, `overrides.containerOverrides[0].name`). Arrays are
 * compared by position: ECS keeps the order of containers, attachments and resources between events.
 * Empty objects and arrays are leaves, so that `[]` → `[{…}]` shows up.
 */
export function flatten(value: unknown, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((v, i) => {
      flatten(v, `${path}[${i}]`, out);
    });
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, value);
  }
  return out;
}

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Field-level differences of two `detail` objects, in the order the fields appear (new ones, then removed ones). */
export function diffFields(previous: Record<string, unknown>, next: Record<string, unknown>): FieldChange[] {
  const before = flatten(previous);
  const after = flatten(next);
  const changes: FieldChange[] = [];
  for (const [field, to] of after) {
    if (KEY_FIELDS.has(field)) continue;
    if (!before.has(field)) changes.push({ field, to });
    else if (!same(before.get(field), to)) changes.push({ field, from: before.get(field), to });
  }
  for (const [field, from] of before) {
    if (!KEY_FIELDS.has(field) && !after.has(field)) changes.push({ field, from });
  }
  return changes;
}

/**
 * Turns a version-ordered stream of one resource's events into what changed at each version.
 * Keeps only the previous detail, so memory does not grow with the history.
 */
export class ChangeTracker {
  private previous: { version: number; detail: Record<string, unknown> } | undefined;

  next(item: StoredEvent): VersionChanges {
    const detail = detailOf(item);
    const prev = this.previous;
    if (prev && item.version <= prev.version) {
      throw new InternalError(
        `versions of ${item.arn} must come in ascending order (${prev.version} then ${item.version})`,
      );
    }
    this.previous = { version: item.version, detail };
    return {
      arn: item.arn,
      version: item.version,
      eventTime: item.eventTime,
      ...(prev && { previousVersion: prev.version }),
      changes: prev ? diffFields(prev.detail, detail) : [],
    };
  }
}
