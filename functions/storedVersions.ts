/**
 * What a warm projector remembers of its own puts: per table and resource, a version its row is known
 * to hold at least (the projector wrote it, or DynamoDB refused a put of it as not newer). A later
 * stream record of that resource at or below it needs no put: the condition would refuse it, and
 * DynamoDB bills a refused put like a write (by the stored item's size, at least one unit). With
 * out-of-order deliveries those refusals were the projector's largest avoidable cost
 * (docs/benchmarks.md#what-dynamodb-bills). One resource's log items share a partition key, so they
 * stay on one stream shard, whose batches Lambda hands to one container at a time: the memory sees them.
 *
 * Only ever a shortcut: rows only move to higher versions, so "at least v" stays true, and the
 * conditional put stays the guard for everything the memory does not know (a cold container knows
 * nothing). Entries are bounded in number (the least recently used go first) and in age, so that a row
 * lowered out of band (a point-in-time restore, a table recreated under its name) is written again by
 * records newer than it within `maxAgeMs`; the restore runbook rebuilds the tables anyway.
 */
export interface StoredVersions {
  /** The row of `arn` in `table` is known to hold `version` or a higher one. */
  covers(table: string, arn: string, version: number): boolean;
  /** The row of `arn` in `table` holds `version` or a higher one (written, or refused as not newer). */
  record(table: string, arn: string, version: number): void;
}

export interface StoredVersionsOptions {
  /**
   * Resources remembered at most (default 20,000, about 7 MB of the function's 256: far more than one
   * shard's resources whose events arrive within `maxAgeMs` of each other).
   */
  readonly capacity?: number;
  /** How long an entry is trusted, ms (default 10 minutes). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

export function createStoredVersions(options: StoredVersionsOptions = {}): StoredVersions {
  const capacity = options.capacity ?? 20_000;
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on every record keeps the oldest entry first.
  const entries = new Map<string, { readonly version: number; readonly at: number }>();
  const keyOf = (table: string, arn: string) => `${table}\u0000${arn}`;
  const fresh = (key: string) => {
    const entry = entries.get(key);
    if (entry === undefined || now() - entry.at <= maxAgeMs) return entry;
    entries.delete(key);
    return undefined;
  };
  return {
    covers(table, arn, version) {
      const entry = fresh(keyOf(table, arn));
      return entry !== undefined && version <= entry.version;
    },
    record(table, arn, version) {
      const key = keyOf(table, arn);
      const known = fresh(key);
      entries.delete(key);
      // A lower version confirms nothing new about the higher one known: that one keeps its age.
      entries.set(key, known !== undefined && known.version > version ? known : { version, at: now() });
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
  };
}
