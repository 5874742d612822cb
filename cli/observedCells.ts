import { LAST_SEEN_MISSING_AT, OBSERVED_AT } from '../domain/projection.js';
import { toIso } from '../domain/time.js';

// Table cells of `tasks` and `instances` for what the reconciler added to a row (docs/reconcile.md).

type Row = Record<string, unknown>;

const iso = (v: unknown): string | undefined =>
  typeof v === 'number' || typeof v === 'bigint' ? toIso(Number(v)) : undefined;

/** UPDATED AT: the event's `updatedAt`; for a state read through the ECS API (no updatedAt there), `observed <time>`. */
export const updatedCell = (r: Row): unknown =>
  r.updatedAt ?? (iso(r[OBSERVED_AT]) === undefined ? undefined : `observed ${iso(r[OBSERVED_AT])}`);

/** SEEN MISSING: when ECS last did not know the resource while its row held this version (a ghost). */
export const seenMissingCell = (r: Row): unknown => iso(r[LAST_SEEN_MISSING_AT]);
