import { isStateKind, KINDS, kindOfDetailType, type StateKind } from './kinds.js';

/** The latest state of one task or container instance: a row of ECSTaskState or ECSCtrInstanceState. */
export interface Projection {
  readonly kind: StateKind;
  readonly arn: string;
  readonly version: number;
  /** Every `detail` field as a top-level attribute, plus version, eventTime, eventId and maybe expiresAt. */
  readonly row: Record<string, unknown>;
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
  /** A log item that can never be projected: logged with its key, counted, recoverable by rebuild once fixed. */
  | { readonly type: 'poison'; readonly message: string };

export interface ProjectionOptions {
  /** Days a STOPPED task's or INACTIVE instance's row lives after its event; 0 keeps rows forever. */
  readonly ttlDays: number;
}

const DAY_S = 86_400;

/** Terminal states: the resource will not change again, so its row may expire (the log keeps its history). */
const isTerminal = (kind: StateKind, detail: Record<string, unknown>): boolean => {
  const { statusField, terminalStatus } = KINDS[kind].state;
  return detail[statusField] === terminalStatus;
};

/** Turns one log item into the latest-state row it stands for. Pure; never throws. */
export function project(item: ProjectableItem, options: ProjectionOptions): ProjectOutcome {
  const poison = (why: string): ProjectOutcome => ({
    type: 'poison',
    message: `log item ${String(item.arn)} v${String(item.version)}: ${why}`,
  });
  const kind = kindOfDetailType(item.detailType);
  if (kind === undefined) return poison(`unknown detailType ${JSON.stringify(item.detailType)}`);
  if (!isStateKind(kind)) return { type: 'historyOnly' };
  if (typeof item.arn !== 'string' || typeof item.version !== 'number' || !Number.isSafeInteger(item.version)) {
    return poison('arn or version missing or of the wrong type');
  }
  if (typeof item.event !== 'string') return poison('event attribute is not a string');
  let detail: unknown;
  try {
    detail = (JSON.parse(item.event) as { detail?: unknown }).detail;
  } catch (e) {
    return poison(`event is not valid JSON (${(e as Error).message})`);
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    return poison('event.detail is not an object');
  const d = detail as Record<string, unknown>;
  const eventTime = typeof item.eventTime === 'number' ? item.eventTime : undefined;
  const row: Record<string, unknown> = {
    ...d,
    [KINDS[kind].state.key]: item.arn,
    version: item.version,
    eventTime,
    eventId: typeof item.eventId === 'string' ? item.eventId : undefined,
  };
  if (options.ttlDays > 0 && eventTime !== undefined && isTerminal(kind, d)) {
    row.expiresAt = Math.floor(eventTime / 1000) + options.ttlDays * DAY_S;
  }
  return { type: 'state', projection: { kind, arn: item.arn, version: item.version, row } };
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
