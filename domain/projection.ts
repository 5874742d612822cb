import { decodeStoredEvent } from './eventCodec.js';
import {
  isMissingKind,
  isObservationKind,
  isObservedKind,
  KINDS,
  kindOfDetailType,
  resourceArnOfPartition,
  rowKindOf,
  type StateKind,
} from './kinds.js';

/** The latest state of one task or container instance: a row of ECSTaskState or ECSCtrInstanceState. */
export interface Projection {
  readonly kind: StateKind;
  readonly arn: string;
  readonly version: number;
  /**
   * Every `detail` field as a top-level attribute, plus version, eventTime, eventId, phase and maybe expiresAt;
   * a state the reconciler observed through the ECS API (not an event) also has `observedAt`.
   */
  readonly row: Record<string, unknown>;
}

/** The row attribute that says a row's state came from an ECS API observation, epoch ms. */
export const OBSERVED_AT = 'observedAt';
/** The row attribute of a missing mark: when ECS last did not know the resource at the row's version, epoch ms. */
export const LAST_SEEN_MISSING_AT = 'lastSeenMissingAt';

/**
 * A missing mark (domain/observation.ts): ECS did not know this task or instance at `at` while its
 * row held `version`. It never changes a row's version; it sets LAST_SEEN_MISSING_AT on the row of
 * exactly that version, and a later version (a new state) drops it.
 */
export interface MissingMark {
  readonly kind: StateKind;
  readonly arn: string;
  readonly version: number;
  readonly at: number;
}

/** The part of a log item that projection reads. */
export interface ProjectableItem {
  readonly arn: unknown;
  readonly version: unknown;
  readonly detailType: unknown;
  readonly event: unknown;
  readonly eventTime?: unknown;
  readonly eventId?: unknown;
}

export type ProjectOutcome =
  | { readonly type: 'state'; readonly projection: Projection }
  /** Service and deployment events are history only. */
  | { readonly type: 'historyOnly' }
  /** A missing mark: folded into the row of its version, never a state of its own. */
  | { readonly type: 'mark'; readonly mark: MissingMark }
  /** A log item that can never be projected: logged with its key, counted, recoverable by rebuild once fixed. */
  | { readonly type: 'poison'; readonly message: string };

export interface ProjectionOptions {
  /** Days a STOPPED task's or INACTIVE instance's row lives after its event; 0 keeps rows forever. */
  readonly ttlDays: number;
}

const DAY_S = 86_400;

/**
 * The row attribute that the cluster index (byClusterPhase) sorts on: `ended` once the resource is in
 * its terminal status (STOPPED, INACTIVE: it will not change again, so its row may expire; the log
 * keeps its history), `live` before. It changes at most once in a row's life, where the status
 * changes with nearly every event, and DynamoDB bills a change of an index key as two index writes.
 * `tasks --status S` reads the rows of S's phase and keeps those of status S.
 */
export const PHASE = 'phase';
export type Phase = 'live' | 'ended';

/** The phase of a resource in this status. */
export const phaseOfStatus = (kind: StateKind, status: unknown): Phase =>
  status === KINDS[kind].state.terminalStatus ? 'ended' : 'live';

/** The phase a row of this kind belongs to, from its status. */
export const phaseOf = (kind: StateKind, row: Record<string, unknown>): Phase =>
  phaseOfStatus(kind, row[KINDS[kind].state.statusField]);

/** Turns one log item into the latest-state row it stands for. Pure; never throws. */
export function project(item: ProjectableItem, options: ProjectionOptions): ProjectOutcome {
  const poison = (why: string): ProjectOutcome => ({
    type: 'poison',
    message: `log item ${String(item.arn)} v${String(item.version)}: ${why}`,
  });
  const kind = kindOfDetailType(item.detailType);
  if (kind === undefined) return poison(`unknown detailType ${JSON.stringify(item.detailType)}`);
  const rowKind = rowKindOf(kind);
  if (rowKind === undefined) return { type: 'historyOnly' };
  if (typeof item.arn !== 'string' || typeof item.version !== 'number' || !Number.isSafeInteger(item.version)) {
    return poison('arn or version missing or of the wrong type');
  }
  // The reconciler's items live in partitions of their own (`<arn>#observed`, `<arn>#observed-missing`).
  const arn = isObservedKind(kind) ? resourceArnOfPartition(kind, item.arn) : item.arn;
  if (arn === undefined) return poison(`the partition key of a ${String(item.detailType)} item names no resource`);
  if (isMissingKind(kind)) {
    if (typeof item.eventTime !== 'number') return poison('a missing mark needs its eventTime');
    return { type: 'mark', mark: { kind: rowKind, arn, version: item.version, at: item.eventTime } };
  }
  let json: string;
  try {
    json = decodeStoredEvent(item);
  } catch (e) {
    return poison((e as Error).message);
  }
  let detail: unknown;
  try {
    detail = (JSON.parse(json) as { detail?: unknown }).detail;
  } catch (e) {
    return poison(`event is not valid JSON (${(e as Error).message})`);
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    return poison('event.detail is not an object');
  const d = detail as Record<string, unknown>;
  const eventTime = typeof item.eventTime === 'number' ? item.eventTime : undefined;
  const row: Record<string, unknown> = {
    ...d,
    [KINDS[rowKind].state.key]: arn,
    version: item.version,
    eventTime,
    eventId: typeof item.eventId === 'string' ? item.eventId : undefined,
    // An observation is a state like an event's, marked with when the API said so.
    ...(isObservationKind(kind) && { [OBSERVED_AT]: eventTime }),
    [PHASE]: phaseOf(rowKind, d),
  };
  if (options.ttlDays > 0 && eventTime !== undefined && row[PHASE] === 'ended') {
    row.expiresAt = Math.floor(eventTime / 1000) + options.ttlDays * DAY_S;
  }
  return { type: 'state', projection: { kind: rowKind, arn, version: item.version, row } };
}

/** Which state wins: the higher version. Versions of one resource are unique in the log. */
export const newer = (a: Projection, b: Projection): Projection => (b.version > a.version ? b : a);

const keyOf = (p: Projection): string => `${p.kind}\u0000${p.arn}`;

/** Reduces projections to the latest per resource: one write per key instead of one per event. */
export function latestPerResource(projections: Iterable<Projection>): Map<string, Projection> {
  const latest = new Map<string, Projection>();
  for (const p of projections) {
    const k = keyOf(p);
    const seen = latest.get(k);
    latest.set(k, seen ? newer(seen, p) : p);
  }
  return latest;
}
