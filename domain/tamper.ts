import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { decodeEvent } from './eventCodec.js';
import keySuffixes from './keySuffixes.cjs';

/**
 * Tampering with the log, as its stream shows it. The log is append-only (invariant 1): ingest and the
 * reconciler only ever INSERT. So any MODIFY is tampering (someone overwrote an item: an unconditional
 * PutItem, an UpdateItem), and so is any REMOVE except DynamoDB's own TTL deletion (only with the
 * opted-in log retention), which the stream marks with the service identity. DynamoDB writes a
 * stream record only when an item really changes: an overwrite with identical content shows nothing,
 * and changes nothing.
 */

/** `userIdentity` of a stream record of a TTL deletion, as Lambda delivers it. */
export const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

export type LogChange =
  /** A new item: what appends do. */
  | { readonly type: 'append' }
  /** DynamoDB TTL removed an expired item (the opted-in log retention). */
  | { readonly type: 'expiry' }
  | { readonly type: 'tampering'; readonly change: 'MODIFY' | 'REMOVE' }
  /** A record of no kind DynamoDB documents: neither projected nor called tampering (logged). */
  | { readonly type: 'unknown'; readonly eventName: string };

/** The part of a stream record this decision reads (Lambda's DynamoDBRecord has it). */
export interface StreamChangeRecord {
  readonly eventName?: string | undefined;
  readonly userIdentity?: unknown;
}

const isTtlIdentity = (identity: unknown): boolean => {
  const i = identity as { type?: unknown; principalId?: unknown } | null | undefined;
  return i?.type === TTL_IDENTITY.type && i?.principalId === TTL_IDENTITY.principalId;
};

/** What the projector knows of the log's retention. */
export interface LogChangeOptions {
  /**
   * Whether DynamoDB TTL may remove log items (`eventLogRetentionDays` > 0). When it may not (log
   * retention off, the default deploy), no REMOVE is expected at all: a TTL removal is tampering too
   * (someone turned TTL on, or wrote the TTL attribute). Default true: a caller that does not say
   * keeps the TTL exception.
   */
  readonly ttlExpected?: boolean;
}

/** What one stream record of the log is: an append, a TTL expiry, or tampering. Pure. */
export function classifyLogChange(record: StreamChangeRecord, options: LogChangeOptions = {}): LogChange {
  const ttlExpected = options.ttlExpected ?? true;
  switch (record.eventName) {
    case 'INSERT':
      return { type: 'append' };
    case 'MODIFY':
      return { type: 'tampering', change: 'MODIFY' };
    case 'REMOVE':
      return ttlExpected && isTtlIdentity(record.userIdentity)
        ? { type: 'expiry' }
        : { type: 'tampering', change: 'REMOVE' };
    default:
      return { type: 'unknown', eventName: String(record.eventName) };
  }
}

// ---- The record of a tampered key: a marker appended to the log itself ----

/**
 * A tampered key is recorded in the log (the log stays the one truth, and a copy or restore of it
 * carries its markers): an item under `<arn>#tampered` with the tampered version, appended with the
 * same conditional put as every event, so the first detection of a key stays and later ones are
 * no-ops. Its `timelineKey` is one fixed partition of the byClusterTime index, which no cluster key
 * can equal (those are `<cluster ARN>#<hour>#<shard>`), so every marker is found by one Query.
 */
/** `#tampered`: the projector's suffix (domain/keySuffixes.cjs, the one declaration of the log's suffixes). */
export const TAMPER_SUFFIX = keySuffixes.KEY_SUFFIXES.tampered.suffix;
const TAMPER_DETAIL_TYPE = 'Log Tampered';
// `log#tampered`: named after the suffix, and frozen with it (test/kindKeys.domain.test.ts).
export const TAMPER_TIMELINE_KEY = `log${TAMPER_SUFFIX}` as const;

/** The log attributes that projection reads (domain/projection.ts ProjectableItem). */
export const PROJECTABLE_FIELDS = ['arn', 'version', 'detailType', 'event', 'eventTime', 'eventId'] as const;

export interface TamperMarker {
  /** `<tampered arn>#tampered`. */
  readonly arn: string;
  /** The tampered item's version. */
  readonly version: number;
  readonly detailType: typeof TAMPER_DETAIL_TYPE;
  readonly tamperedArn: string;
  readonly change: 'MODIFY' | 'REMOVE';
  /** When the projector saw it, epoch ms (the index's sort key). */
  readonly eventTime: number;
  readonly timelineKey: typeof TAMPER_TIMELINE_KEY;
  /**
   * SHA-256 of the projectable attributes of the item before the change (the stream's old image):
   * an item that holds them again (restored on purpose) is trusted again. Absent when the stream
   * carried no old image (a stream view without old images).
   */
  readonly originalDigest?: string;
  /** The stream record's sequence number, to find it in the projector's logs. */
  readonly sequenceNumber?: string;
}

/** The key of one log item. */
export interface TamperedKey {
  readonly arn: string;
  readonly version: number;
}

/** The event as JSON whatever codec stored it, so that a digest does not depend on the encoding. */
function readableEvent(value: unknown): unknown {
  try {
    return decodeEvent(value);
  } catch {
    return value;
  }
}

/** The digest of an item's projectable attributes (those `project` reads); equal content, equal digest. */
function projectableDigest(item: Record<string, unknown>): string {
  const picked = Object.fromEntries(
    PROJECTABLE_FIELDS.filter((f) => item[f] !== undefined).map((f) => [
      f,
      f === 'event' ? readableEvent(item[f]) : item[f],
    ]),
  );
  return createHash('sha256').update(canonicalJson(picked)).digest('hex');
}

export function tamperMarker(input: {
  readonly key: TamperedKey;
  readonly change: 'MODIFY' | 'REMOVE';
  readonly detectedAt: number;
  readonly oldImage?: Record<string, unknown> | undefined;
  readonly sequenceNumber?: string | undefined;
}): TamperMarker {
  return {
    arn: `${input.key.arn}${TAMPER_SUFFIX}`,
    version: input.key.version,
    detailType: TAMPER_DETAIL_TYPE,
    tamperedArn: input.key.arn,
    change: input.change,
    eventTime: input.detectedAt,
    timelineKey: TAMPER_TIMELINE_KEY,
    ...(input.oldImage && { originalDigest: projectableDigest(input.oldImage) }),
    ...(input.sequenceNumber !== undefined && { sequenceNumber: input.sequenceNumber }),
  };
}

/**
 * An operator's word for the content a tampered key holds now, after a deliberate fix that is not the
 * original (a poison item repaired in place, with the lock lifted): `ecs-events trust-tampered`. Under
 * `<arn>#tamper-trusted` + the version, in the markers' index partition, appended once.
 */
/** `#tamper-trusted`: the break-glass principal's suffix (domain/keySuffixes.cjs). */
export const TRUST_SUFFIX = keySuffixes.KEY_SUFFIXES.tamperTrusted.suffix;
export const TRUST_DETAIL_TYPE = 'Log Tamper Trusted';

export interface TrustMarker {
  /** `<tampered arn>#tamper-trusted`. */
  readonly arn: string;
  readonly version: number;
  readonly detailType: typeof TRUST_DETAIL_TYPE;
  readonly tamperedArn: string;
  /** The digest of the projectable attributes the operator vouched for. */
  readonly trustedDigest: string;
  /** When, epoch ms (the index's sort key). */
  readonly eventTime: number;
  readonly timelineKey: typeof TAMPER_TIMELINE_KEY;
}

export function trustMarker(input: {
  readonly key: TamperedKey;
  readonly item: Record<string, unknown>;
  readonly trustedAt: number;
}): TrustMarker {
  return {
    arn: `${input.key.arn}${TRUST_SUFFIX}`,
    version: input.key.version,
    detailType: TRUST_DETAIL_TYPE,
    tamperedArn: input.key.arn,
    trustedDigest: projectableDigest(input.item),
    eventTime: input.trustedAt,
    timelineKey: TAMPER_TIMELINE_KEY,
  };
}

/** Whether a log item is the log's record of a tampering or of trust in one (never an event: skipped as history). */
export const isTamperMarker = (item: { readonly detailType?: unknown }): boolean =>
  item.detailType === TAMPER_DETAIL_TYPE || item.detailType === TRUST_DETAIL_TYPE;

/**
 * The tampered keys of a log, from its markers: for each key, the digest its original content had.
 * An item at a tampered key is excluded from every projection (the tampered content never reaches a
 * row) unless it holds that original content again.
 */
export class TamperedKeys {
  private readonly byKey = new Map<string, TamperMarker>();
  private readonly trustedBy = new Map<string, TrustMarker>();

  constructor(markers: Iterable<TamperMarker> = [], trusts: Iterable<TrustMarker> = []) {
    for (const m of markers) {
      const k = TamperedKeys.id(m.tamperedArn, m.version);
      if (!this.byKey.has(k)) this.byKey.set(k, m);
    }
    for (const t of trusts) this.trustedBy.set(TamperedKeys.id(t.tamperedArn, t.version), t);
  }

  /** The operator's trust marker of a key, if any. */
  trust(arn: string, version: number): TrustMarker | undefined {
    return this.trustedBy.get(TamperedKeys.id(arn, version));
  }

  /** Whether `item` (at a tampered key) holds its original content, or the content an operator trusted. */
  holdsTrustedContent(m: TamperMarker, item: Record<string, unknown>): boolean {
    const digest = projectableDigest(item);
    return m.originalDigest === digest || this.trust(m.tamperedArn, m.version)?.trustedDigest === digest;
  }

  private static id(arn: string, version: number): string {
    return `${arn}\u0000${version}`;
  }

  get size(): number {
    return this.byKey.size;
  }

  markers(): TamperMarker[] {
    return [...this.byKey.values()];
  }

  /** The resources with a tampered key. */
  arns(): Set<string> {
    return new Set([...this.byKey.values()].map((m) => m.tamperedArn));
  }

  marker(arn: string, version: number): TamperMarker | undefined {
    return this.byKey.get(TamperedKeys.id(arn, version));
  }

  /**
   * Whether this log item may be projected: not at a tampered key, or holding its original content
   * again. Items without an arn or version are left to `project`, which calls them poison.
   */
  trusts(item: Record<string, unknown>): boolean {
    if (this.byKey.size === 0 || typeof item.arn !== 'string' || typeof item.version !== 'number') return true;
    const m = this.marker(item.arn, item.version);
    if (!m) return true;
    return this.holdsTrustedContent(m, item);
  }
}

/**
 * What the projector keeps of one tampering, where an operator can read it (the deployment's tamper
 * queue; locally the handler's result): the key, the change, and the item as it was before, in the
 * stream's DynamoDB JSON, which PutItem takes back as it is.
 */
export interface TamperReport {
  readonly key: TamperedKey;
  readonly change: 'MODIFY' | 'REMOVE';
  /** Epoch ms. */
  readonly detectedAt: number;
  readonly sequenceNumber?: string | undefined;
  /** The stream the record came from (Lambda's eventSourceARN). */
  readonly streamArn?: string | undefined;
  /** The item before the change (DynamoDB JSON); absent when the stream view carries no old image. */
  readonly oldImage?: Record<string, unknown> | undefined;
  /** Why `oldImage` is absent although the stream had it (too large for the queue). */
  readonly oldImageOmitted?: string;
}
