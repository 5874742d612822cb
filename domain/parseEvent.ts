import { filedUnder, parseCall } from './apiCalls/parseCall.js';
import { parseStoreCall } from './apiCalls/storeCall.js';
import { clusterArnOfService, type EcsResourceType, isEcsArnOf } from './arn.js';
import { isObject } from './canonical.js';
import { derivedVersion, MAX_DERIVED_EVENT_TIME_MS } from './derivedVersion.js';
import type { EcsEvent, ParsedEvent } from './eventTypes.js';
import {
  detailTypesOfSource,
  ECS_DETAIL_TYPE_PREFIX,
  ECS_SOURCE,
  EVENT_DETAIL_TYPE_NAMES,
  KINDS,
  type KindDeclaration,
  kindOfEvent,
  OTHER_SOURCES,
  type PartitionRule,
  partitionKeyOf,
} from './kinds.js';
import { otherClusterArn, otherResourceArn } from './otherEvents.js';
import { redactOverrideEnvironment } from './redact.js';
import { accept, quote, type Result, reject, typeOf } from './rejection.js';
import { parseIsoTime, toIso } from './time.js';

/**
 * Largest accepted event, in UTF-8 bytes of its stored JSON. EventBridge caps an event entry at
 * 256 KB, so a real ECS event fits; the cap keeps a log item (event + query attributes) and its
 * latest-state row well under DynamoDB's 400 KB item limit. Larger events are refused, never truncated.
 */
export const MAX_EVENT_BYTES = 256 * 1024;

/** Deepest accepted nesting. Rows copy `detail` fields as attributes, and DynamoDB allows 32 levels. */
const MAX_DEPTH = 20;

/** Keys that only ever appear in prototype-pollution attempts, never in ECS events. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * DynamoDB limits that `detail` must respect because rows copy its fields as attributes: attribute
 * names of 1 to 65535 bytes, numbers of magnitude 1e-130 to below 1e126, and key attributes (ARNs,
 * index sort keys like lastStatus) of at most 1024 bytes. Checked here so that an event the tables
 * could never hold is refused with a reason instead of failing the projector forever.
 */
const MAX_KEY_BYTES = 65_535;
const MAX_KEY_ATTRIBUTE_BYTES = 1024;
const storableNumber = (n: number): boolean =>
  n === 0 || (Number.isFinite(n) && Math.abs(n) < 1e126 && Math.abs(n) >= 1e-130);

export interface ParseOptions {
  /** Replace container-override environment values by a marker (default on). */
  readonly redactEnvironment: boolean;
}

/** Checks the shape of any JSON value before a field is read: forbidden keys, depth, well-formed strings. */
function checkStructure(value: unknown, path: string, depth: number): Result<true> {
  if (typeof value === 'string') {
    return value.isWellFormed()
      ? accept(true)
      : reject('STRING_NOT_WELL_FORMED', `${path} must be well-formed UTF-16 (it holds a lone surrogate)`);
  }
  if (typeof value === 'number' && !storableNumber(value)) {
    return reject('NUMBER_OUT_OF_RANGE', `${path} must be 0 or of magnitude 1e-130 to 1e126, got ${quote(value)}`);
  }
  if (value === null || typeof value !== 'object') return accept(true);
  if (depth > MAX_DEPTH) return reject('NESTING_TOO_DEEP', `${path} is nested deeper than ${MAX_DEPTH} levels`);
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key)) return reject('KEY_FORBIDDEN', `${childPath}: the key "${key}" is not allowed`);
    if (!key.isWellFormed()) return reject('STRING_NOT_WELL_FORMED', `a key under ${path} is not well-formed UTF-16`);
    if (key === '' || Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
      return reject('KEY_FORBIDDEN', `a key under ${path} must be 1 to ${MAX_KEY_BYTES} bytes long`);
    }
    const r = checkStructure(child, childPath, depth + 1);
    if (!r.ok) return r;
  }
  return accept(true);
}

function checkArn(value: unknown, field: string, type: EcsResourceType): Result<string> {
  if (value === undefined || value === null || value === '') {
    return reject('ARN_MISSING', `${field} is required (a non-empty ECS ${type} ARN)`);
  }
  if (typeof value !== 'string') return reject('ARN_INVALID', `${field} must be a string, got ${quote(value)}`);
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_ATTRIBUTE_BYTES) {
    return reject('ARN_INVALID', `${field} must be at most ${MAX_KEY_ATTRIBUTE_BYTES} bytes, got ${quote(value)}`);
  }
  if (!isEcsArnOf(value, type)) {
    return reject(
      'ARN_INVALID',
      `${field} must be an ECS ${type} ARN (arn:aws:ecs:<region>:<account>:${type}/...), got ${quote(value)}`,
    );
  }
  return accept(value);
}

function checkVersion(value: unknown): Result<number> {
  if (value === undefined || value === null) return reject('VERSION_MISSING', 'detail.version is required');
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return reject('VERSION_NOT_INTEGER', `detail.version must be a non-negative integer, got ${quote(value)}`);
  }
  if (!Number.isSafeInteger(value)) {
    return reject('VERSION_TOO_LARGE', `detail.version must be at most 2^53 - 1, got ${quote(value)}`);
  }
  return accept(value);
}

/** Fields that become index keys must be non-empty strings when present, or the write would fail later. */
function checkOptionalString(detail: Record<string, unknown>, field: string): Result<true> {
  const v = detail[field];
  if (v === undefined) return accept(true);
  if (typeof v === 'string' && v !== '' && Buffer.byteLength(v, 'utf8') <= MAX_KEY_ATTRIBUTE_BYTES) return accept(true);
  return reject(
    'FIELD_INVALID',
    `detail.${field} must be a non-empty string of at most ${MAX_KEY_ATTRIBUTE_BYTES} bytes when present, got ${quote(v)}`,
  );
}

function checkTime(
  event: Record<string, unknown>,
  detail: Record<string, unknown>,
  kind: Pick<KindDeclaration, 'keys'>,
): Result<number> {
  const versioned = kind.keys.version === 'detailVersion';
  if (event.time !== undefined) {
    const ms = parseIsoTime(event.time);
    if (ms === undefined) {
      return reject(
        'TIME_INVALID',
        `time must be an ISO-8601 timestamp like 2016-12-06T16:41:06Z, got ${quote(event.time)}`,
      );
    }
    // A derived log version beyond 2^53 would be stored imprecisely, and duplicates would no longer match.
    if (!versioned && ms > MAX_DERIVED_EVENT_TIME_MS) {
      return reject(
        'TIME_INVALID',
        `time must be before ${toIso(MAX_DERIVED_EVENT_TIME_MS + 1)}, got ${quote(event.time)}`,
      );
    }
    return accept(ms);
  }
  // Every other kind has no version the log may order by: its log key is derived from `time`, which must be there.
  if (versioned) {
    if (detail.updatedAt !== undefined) {
      const ms = parseIsoTime(detail.updatedAt);
      return ms === undefined
        ? reject('TIME_INVALID', `detail.updatedAt must be an ISO-8601 timestamp, got ${quote(detail.updatedAt)}`)
        : accept(ms);
    }
    return reject('TIME_MISSING', 'time is required (or detail.updatedAt when the envelope has no time)');
  }
  return reject(
    'TIME_MISSING',
    'time is required for service, deployment and other events without a detail.version (their log key derives from it)',
  );
}

/** The log keys of one event, as its kind declares them. */
export interface Identity {
  /** The partition key: the resource ARN and the kind's suffix. */
  readonly arn: string;
  /** `detail.version`; undefined for a derived version, which needs the event time and the redacted event. */
  readonly version: number | undefined;
  readonly clusterArn: string | undefined;
  /** The resource, when the partition key is not the plain ARN (kind `other`: `<resourceArn>#other`). */
  readonly resourceArn?: string;
}

/** How one partition rule of domain/kinds.ts reads an event: its resource, then its cluster. */
interface PartitionReader {
  resource(kind: KindDeclaration, event: Record<string, unknown>, detail: Record<string, unknown>): Result<string>;
  cluster(resource: string, detail: Record<string, unknown>): Result<string | undefined>;
}

/** A kind's declared ECS resource type; the kinds of the ECS-ARN rules all declare one. */
const resourceTypeOf = (kind: KindDeclaration): EcsResourceType => kind.resourceType as EcsResourceType;

/** The partition rules of events keyed by one resource (a call is filed under several: domain/apiCalls/parseCall.ts). */
type SingleResourceRule = Exclude<PartitionRule, 'callResources' | 'storeResource'>;

const PARTITION_READERS: Record<SingleResourceRule, PartitionReader> = {
  detailArn: {
    resource: (kind, _event, detail) =>
      checkArn(detail[kind.arnField as string], `detail.${kind.arnField}`, resourceTypeOf(kind)),
    cluster(_resource, detail) {
      const cluster = checkArn(detail.clusterArn, 'detail.clusterArn', 'cluster');
      return cluster.ok ? cluster : reject('FIELD_INVALID', cluster.rejection.message);
    },
  },
  firstResource: {
    resource(kind, event) {
      const resources = event.resources;
      if (resources !== undefined && !Array.isArray(resources)) {
        return reject('FIELD_INVALID', `resources must be an array of ARNs, got ${quote(resources)}`);
      }
      return checkArn(resources?.[0], 'resources[0]', resourceTypeOf(kind));
    },
    cluster(resource, detail) {
      if (detail.clusterArn === undefined) return accept(clusterArnOfService(resource));
      const cluster = checkArn(detail.clusterArn, 'detail.clusterArn', 'cluster');
      return cluster.ok ? cluster : reject('FIELD_INVALID', cluster.rejection.message);
    },
  },
  // History only, in its own partition, whatever the event carries (a `detail.version` included).
  otherResource: {
    resource: (_kind, event, detail) => otherResourceArn(event, detail),
    cluster: (resource, detail) => accept(otherClusterArn(resource, detail)),
  },
};

/**
 * The log keys of an event of the kind `kind` declares (the declaration, not its name, so that a
 * test can key an event by a kind of its own): the resource by the kind's partition rule, then
 * `detail.version` when that is its version rule, then the cluster, then the detail strings the
 * kind declares. The reconciler's kinds are keyed by domain/observation.ts, never by ingest.
 */
export function identify(
  kind: KindDeclaration,
  event: Record<string, unknown>,
  detail: Record<string, unknown>,
): Result<Identity> {
  const rule = kind.keys.partition;
  if (rule === 'callResources') throw new Error('an API call is keyed by parseCall (domain/apiCalls/parseCall.ts)');
  if (rule === 'storeResource')
    throw new Error('a store call is keyed by parseStoreCall (domain/apiCalls/storeCall.ts)');
  const reader = PARTITION_READERS[rule];
  const resource = reader.resource(kind, event, detail);
  if (!resource.ok) return resource;
  let version: number | undefined;
  if (kind.keys.version === 'detailVersion') {
    const v = checkVersion(detail.version);
    if (!v.ok) return v;
    version = v.value;
  }
  const cluster = reader.cluster(resource.value, detail);
  if (!cluster.ok) return cluster;
  for (const field of [...(kind.state ? [kind.state.statusField] : []), ...(kind.detailStrings ?? [])]) {
    const r = checkOptionalString(detail, field);
    if (!r.ok) return r;
  }
  const arn = partitionKeyOf(kind, resource.value);
  return accept({
    arn,
    version,
    clusterArn: cluster.value,
    ...(arn !== resource.value && { resourceArn: resource.value }),
  });
}

function checkSize(event: EcsEvent): Result<true> {
  const bytes = Buffer.byteLength(JSON.stringify(event), 'utf8');
  return bytes > MAX_EVENT_BYTES
    ? reject('EVENT_TOO_LARGE', `the event is ${bytes} bytes of JSON; the maximum is ${MAX_EVENT_BYTES} bytes`)
    : accept(true);
}

/**
 * An API call: parseCall checks the CloudTrail record and says where it is filed; the parsed event is
 * its first log entry, with the call's facts. Its secrets are removed whatever `redactEnvironment`
 * says (domain/apiCalls/kept.ts: they are never stored), and removing them again changes nothing, so
 * that `verify --log` derives the same keys from the stored event.
 */
function parseCallAs<K extends string>(
  name: K,
  kind: KindDeclaration,
  input: Record<string, unknown>,
  detail: Record<string, unknown>,
): Result<ParsedEvent<K>> {
  const parsed = parseCall(input, detail);
  if (!parsed.ok) return parsed;
  const call = parsed.value;
  const size = checkSize(call.event);
  if (!size.ok) return size;
  const filed = filedUnder(call);
  const first = filed[0] as string;
  return accept({
    kind: name,
    detailType: input['detail-type'] as string,
    arn: partitionKeyOf(kind, first),
    version: call.version,
    clusterArn: call.clusterArn,
    resourceArn: first,
    eventId: call.eventId,
    eventTime: call.eventTime,
    event: call.event,
    call: {
      action: call.action,
      principal: call.principal,
      ...(call.errorCode !== undefined && { errorCode: call.errorCode }),
      ...(call.deploymentId !== undefined && { deploymentId: call.deploymentId }),
      filedUnder: filed,
    },
  });
}

/**
 * A call on the store's own resources: parseStoreCall checks the CloudTrail record, keeps it without
 * data or bulk (whatever `redactEnvironment` says; keeping it again changes nothing) and says which
 * resource it is filed under. No cluster: it is on no cluster timeline.
 */
function parseStoreCallAs<K extends string>(
  name: K,
  kind: KindDeclaration,
  input: Record<string, unknown>,
  detail: Record<string, unknown>,
): Result<ParsedEvent<K>> {
  const parsed = parseStoreCall(input, detail);
  if (!parsed.ok) return parsed;
  const call = parsed.value;
  const size = checkSize(call.event);
  if (!size.ok) return size;
  return accept({
    kind: name,
    detailType: input['detail-type'] as string,
    arn: partitionKeyOf(kind, call.resource),
    version: call.version,
    clusterArn: undefined,
    resourceArn: call.resource,
    eventId: call.eventId,
    eventTime: call.eventTime,
    event: call.event,
  });
}

/**
 * Validates one EventBridge envelope from ECS (or a CloudTrail call of a self-audited service). Returns the event ready for the log, or a rejection
 * naming the field and the rule. Never throws and never mutates its input.
 */
export function parseEvent(input: unknown, options: ParseOptions): Result<ParsedEvent> {
  // The type, not the value: a JSON-encoded event or detail string may carry secrets that redaction cannot see.
  if (!isObject(input)) return reject('EVENT_NOT_OBJECT', `the event must be a JSON object, got ${typeOf(input)}`);
  const structure = checkStructure(input, 'event', 0);
  if (!structure.ok) return structure;
  const detailType = input['detail-type'];
  if (input.source !== ECS_SOURCE) {
    // A self-audited service's source: its CloudTrail calls only (domain/kinds.ts `sources`).
    if (!OTHER_SOURCES.includes(input.source as string)) {
      return reject(
        'SOURCE_UNSUPPORTED',
        `source must be "${ECS_SOURCE}", got ${quote(input.source)} (a call on the store's own resources may also come from ${OTHER_SOURCES.map((s) => `"${s}"`).join(', ')})`,
      );
    }
    const kind = kindOfEvent(input.source, detailType);
    if (kind === undefined) {
      return reject(
        'DETAIL_TYPE_UNSUPPORTED',
        `detail-type must be ${detailTypesOfSource(input.source)
          .map((t) => `"${t}"`)
          .join(' or ')} for source ${quote(input.source)}, got ${quote(detailType)}`,
      );
    }
    return parseEventAs(kind, KINDS[kind], input, options);
  }
  // The reconciler's own detail-types (observations, missing marks) never come in as events.
  const kind = kindOfEvent(ECS_SOURCE, detailType);
  if (kind === undefined) {
    return reject(
      'DETAIL_TYPE_UNSUPPORTED',
      `detail-type must be one of ${EVENT_DETAIL_TYPE_NAMES.map((t) => `"${t}"`).join(', ')} or another ECS type (starting "${ECS_DETAIL_TYPE_PREFIX}"), got ${quote(detailType)}`,
    );
  }
  return parseEventAs(kind, KINDS[kind], input, options);
}

/**
 * parseEvent for an envelope whose detail-type is of kind `name`, keyed as `kind` declares (the
 * declaration, so that a test can parse with a kind of its own). The envelope's structure and
 * source are parseEvent's to check.
 */
export function parseEventAs<K extends string>(
  name: K,
  kind: KindDeclaration,
  input: Record<string, unknown>,
  options: ParseOptions,
): Result<ParsedEvent<K>> {
  const detail = input.detail;
  if (!isObject(detail)) return reject('DETAIL_NOT_OBJECT', `detail must be a JSON object, got ${typeOf(detail)}`);
  if (input.id !== undefined && typeof input.id !== 'string') {
    return reject('FIELD_INVALID', `id must be a string when present, got ${quote(input.id)}`);
  }
  if (kind.keys.partition === 'callResources') return parseCallAs(name, kind, input, detail);
  if (kind.keys.partition === 'storeResource') return parseStoreCallAs(name, kind, input, detail);
  const identity = identify(kind, input, detail);
  if (!identity.ok) return identity;
  const eventTime = checkTime(input, detail, kind);
  if (!eventTime.ok) return eventTime;

  const received = input as EcsEvent;
  const event = options.redactEnvironment ? redactOverrideEnvironment(received) : received;
  const size = checkSize(event);
  if (!size.ok) return size;
  const { arn, clusterArn, resourceArn } = identity.value;
  return accept({
    kind: name,
    detailType: input['detail-type'] as string,
    arn,
    version: identity.value.version ?? derivedVersion(eventTime.value, event),
    clusterArn,
    ...(resourceArn !== undefined && { resourceArn }),
    eventId: input.id as string | undefined,
    eventTime: eventTime.value,
    event,
  });
}
