import { canonicalJson, nonEmptyString as str } from './canonical.js';
import { MAX_DERIVED_PROBES } from './derivedVersion.js';
import { decodeStoredEvent } from './eventCodec.js';
import type { ParsedEvent } from './eventTypes.js';
import { ECS_SOURCE, isStateKind, OTHER_SOURCES } from './kinds.js';
import { logEntriesOf } from './logEntries.js';
import { formerAttributes, toLogItem } from './logItem.js';
import { parseEvent } from './parseEvent.js';
import { isTamperMarker } from './tamper.js';

/**
 * Whether a stored log item is what ingest would have written for its own raw event: its key and
 * every query attribute are derived again from `event` with the functions ingest uses (parseEvent,
 * toLogItem) and compared. An edited attribute, an added one, or a raw event under another key shows
 * as a mismatch. Pure.
 */

/** Stamps of the append itself, not derivable from the event: skipped. */
const UNDERIVABLE_ATTRIBUTES: readonly string[] = ['ingestedAt', 'ingestId', 'expiresAt'];

/** A call that changed the store itself (kind `storeCall`): one row of the store's history. */
export interface StoreCallRow {
  /** The store's resource it is filed under. */
  readonly resource: string;
  readonly version: number;
  /** CloudTrail's eventTime, epoch ms. */
  readonly eventTime: number;
  /** `<service>:<action>`, e.g. `dynamodb:UpdateTable`. */
  readonly action: string;
  /** Who: the role or user ARN whose credentials were used, else the identity's ARN or type. */
  readonly principal: string | undefined;
  /** The AWS service that called for it (`cloudformation.amazonaws.com` for a deploy). */
  readonly invokedBy?: string;
  readonly errorCode?: string;
}

export type LogItemCheck =
  | { readonly type: 'ok'; readonly storeCall?: StoreCallRow }
  /** A tamper marker (domain/tamper.ts): the log's record of a tampering, not an event. */
  | { readonly type: 'marker' }
  /** Not an ECS event (`source` is not aws.ecs): written by another appender, the reconciler. */
  | { readonly type: 'notEvent'; readonly source: string }
  | { readonly type: 'mismatch'; readonly problems: string[]; readonly storeCall?: StoreCallRow };

const SHOWN = 80;
const show = (v: unknown): string => {
  const text = v === undefined ? 'absent' : JSON.stringify(v);
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text;
};
const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

function storeCallRow(entry: ParsedEvent): StoreCallRow {
  const d = entry.event.detail;
  const identity = (d.userIdentity ?? {}) as {
    arn?: unknown;
    type?: unknown;
    invokedBy?: unknown;
    sessionContext?: { sessionIssuer?: { arn?: unknown } };
  };
  const issuer = str(identity.sessionContext?.sessionIssuer?.arn);
  const invokedBy = str(identity.invokedBy);
  const errorCode = str(d.errorCode);
  return {
    resource: entry.resourceArn as string,
    version: entry.version,
    eventTime: entry.eventTime,
    action: `${String(d.eventSource).replace(/\.amazonaws\.com$/, '')}:${String(d.eventName)}`,
    principal: issuer ?? str(identity.arn) ?? str(identity.type),
    ...(invokedBy !== undefined && { invokedBy }),
    ...(errorCode !== undefined && { errorCode }),
  };
}

export function checkLogItem(item: Record<string, unknown>): LogItemCheck {
  if (isTamperMarker(item)) return { type: 'marker' };
  let json: string;
  let raw: unknown;
  try {
    json = decodeStoredEvent(item);
    raw = JSON.parse(json);
  } catch (e) {
    return { type: 'mismatch', problems: [`event: unreadable (${(e as Error).message})`] };
  }
  const source = (raw as { source?: unknown } | null)?.source;
  // The reconciler's items are not events; a call on the store's own resources is (kind storeCall).
  if (source !== ECS_SOURCE && !OTHER_SOURCES.includes(source as string)) {
    return { type: 'notEvent', source: String(source) };
  }
  // Stored events are already redacted as configured; redacting again would change nothing.
  const parsed = parseEvent(raw, { redactEnvironment: false });
  if (!parsed.ok) {
    return {
      type: 'mismatch',
      problems: [`event: no longer accepted (${parsed.rejection.reason}: ${parsed.rejection.message})`],
    };
  }
  // An API call is filed under each resource it acts on: the item is the entry of its own key.
  const entries = logEntriesOf(parsed.value);
  const entry = entries.find((e) => e.arn === item.arn) ?? (entries[0] as ParsedEvent);
  const base = entry.version;
  // A derived version may sit above its base: ingest takes the next free number on a hash collision.
  const probes = isStateKind(entry.kind) ? 1 : MAX_DERIVED_PROBES;
  const stored = item.version;
  const inRange = typeof stored === 'number' && stored >= base && stored < base + probes;
  const derived = toLogItem(
    { ...entry, version: inRange ? stored : base },
    { ingestedAt: 0, ingestId: '', retentionDays: 0 },
  ) as unknown as Record<string, unknown>;

  const problems: string[] = [];
  if (!inRange) {
    problems.push(
      `version: stored ${show(stored)}, the event gives ${base}${probes > 1 ? ` (up to ${base + probes - 1})` : ''}`,
    );
  }
  // The body is compared as JSON: which codec stored it (plain or compressed) is not derivable.
  if (json !== JSON.stringify(entry.event)) problems.push('event: not the JSON ingest stores for it');
  const skip = new Set(['version', 'event', ...UNDERIVABLE_ATTRIBUTES]);
  const names = [...new Set([...Object.keys(derived), ...Object.keys(item)])].filter((n) => !skip.has(n)).sort();
  const former = formerAttributes(entry);
  for (const name of names) {
    // An item of the previous format may hold an attribute the current one no longer writes.
    if (derived[name] === undefined && name in former && same(item[name], former[name])) continue;
    if (!same(item[name], derived[name])) {
      problems.push(`${name}: stored ${show(item[name])}, the event gives ${show(derived[name])}`);
    }
  }
  const row = entry.kind === 'storeCall' ? { storeCall: storeCallRow(entry) } : {};
  return problems.length === 0 ? { type: 'ok', ...row } : { type: 'mismatch', problems, ...row };
}
