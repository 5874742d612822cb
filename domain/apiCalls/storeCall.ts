import { isObject, nonEmptyString as text } from '../canonical.js';
import type { EcsEvent } from '../eventTypes.js';
import { REDACTED } from '../redact.js';
import { accept, quote, type Result, reject } from '../rejection.js';
import { SELF_AUDITED_SOURCES } from './actions.js';
import { keptIdentity, RECORD_FIELDS } from './kept.js';
import { callVersion, checkRecordBasics } from './parseCall.js';
import type { CallScope } from './resources.js';

/**
 * A call that changed the store itself (kind `storeCall`, domain/kinds.ts): a CloudTrail record of
 * one of the self-audited services (deploy/selfAudit.cjs) on one of the store's resources. What the
 * log keeps of it and where it is filed. docs/events.md, docs/guarantees.md "Self-audit".
 */

type Json = Record<string, unknown>;

/** The CloudTrail `eventSource` of each self-audited EventBridge source (CloudWatch's is `monitoring`). */
export const STORE_CALL_EVENT_SOURCES: Readonly<Record<string, string>> = SELF_AUDITED_SOURCES;

/**
 * Largest `requestParameters` value kept whole, in bytes of JSON: a policy (the evidence of a
 * `PutResourcePolicy`, `PutRolePolicy`, `SetQueueAttributes`) is a few KB; a larger value is kept as
 * its size, so that a call never makes an item DynamoDB cannot hold.
 */
export const MAX_KEPT_VALUE_BYTES = 16 * 1024;
const MAX_NAME_BYTES = 1024;

/** Request fields that carry data rather than configuration (a message, a plaintext): never kept. */
const SECRET_FIELDS = new Set(['messageBody', 'message', 'messageAttributes', 'plaintext', 'zipFile', 'variables']);

/** A response field is kept when its name says it is an id (`tableArn`, `functionName`, `uUID`, `keyId`). */
const ID_FIELD = /(Arn|ARN|Id|ID|Name|UUID|Url)$/;

const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');

/** `requestParameters` with data fields redacted and each field over the cap replaced by its size. Idempotent. */
export function keptStoreRequest(request: unknown): unknown {
  if (!isObject(request)) return request ?? null;
  const kept: Json = {};
  for (const [key, value] of Object.entries(request)) {
    if (SECRET_FIELDS.has(key) && value !== REDACTED) kept[key] = REDACTED;
    else if (bytes(value) > MAX_KEPT_VALUE_BYTES) kept[key] = `[${bytes(value)} bytes of JSON, not kept]`;
    else kept[key] = value;
  }
  return kept;
}

/** `responseElements`: its top-level ids only (the rest is the resource's description). Idempotent. */
export function keptStoreResponse(response: unknown): unknown {
  if (!isObject(response)) return response ?? null;
  return Object.fromEntries(
    Object.entries(response).filter(
      ([k, v]) => ID_FIELD.test(k) && typeof v === 'string' && Buffer.byteLength(v, 'utf8') <= MAX_NAME_BYTES,
    ),
  );
}

/** The record as the log keeps it: what, who, from where, the request (capped) and the response's ids. */
export function keptStoreRecord(detail: Json): Json {
  const out: Json = {};
  for (const k of RECORD_FIELDS) if (detail[k] !== undefined) out[k] = detail[k];
  return {
    ...out,
    ...(detail.userIdentity !== undefined && { userIdentity: keptIdentity(detail.userIdentity) }),
    requestParameters: keptStoreRequest(detail.requestParameters),
    responseElements: keptStoreResponse(detail.responseElements),
  };
}

/** The account and Region of the call (domain/apiCalls/resources.ts). */
type Scope = Pick<CallScope, 'region' | 'account'>;

const lastOf = (value: string, separator: string): string => value.slice(value.lastIndexOf(separator) + 1);
const isArn = (v: string): boolean => v.startsWith('arn:');
const first = (v: unknown): string | undefined => (Array.isArray(v) ? text(v[0]) : text(v));

/** Each service's resource, from what its calls name, as an ARN where one can be made. */
const RESOURCE_OF: Record<string, (request: Json, response: Json, scope: Scope) => string | undefined> = {
  'aws.dynamodb'(q, _r, { region, account }) {
    const arn = text(q.resourceArn) ?? text(q.tableArn);
    if (arn !== undefined) return arn.replace(/^(arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+).*$/, '$1');
    const table = text(q.tableName);
    if (table === undefined) return undefined;
    return isArn(table) ? table : `arn:aws:dynamodb:${region}:${account}:table/${table}`;
  },
  'aws.lambda'(q, r, { region, account }) {
    const fn = text(q.functionName) ?? text(r.functionArn);
    if (fn !== undefined) {
      if (isArn(fn)) return fn.replace(/^(arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+).*$/, '$1');
      // A partial ARN (`123456789012:function:name`) or a name.
      return `arn:aws:lambda:${region}:${account}:function:${lastOf(fn.replace(/:(\$LATEST|\d+)$/, ''), ':')}`;
    }
    const uuid = text(q.uUID) ?? text(q.uuid);
    return uuid && `arn:aws:lambda:${region}:${account}:event-source-mapping:${uuid}`;
  },
  'aws.events'(q, _r, { region, account }) {
    const name = text(q.name) ?? text(q.rule);
    if (name === undefined) return undefined;
    if (isArn(name)) return name;
    const bus = text(q.eventBusName);
    const onBus = bus !== undefined && bus !== 'default' ? `${lastOf(bus, '/')}/` : '';
    return `arn:aws:events:${region}:${account}:rule/${onBus}${name}`;
  },
  'aws.sqs'(q, _r, { region, account }) {
    const url = text(q.queueUrl);
    const m = url && /^https?:\/\/[^/]+\/(\d{12})\/([^/?#]+)$/.exec(url);
    if (m) return `arn:aws:sqs:${region}:${m[1]}:${m[2]}`;
    const name = text(q.queueName);
    return name && `arn:aws:sqs:${region}:${account}:${name}`;
  },
  'aws.cloudwatch'(q, _r, { region, account }) {
    const name = text(q.alarmName) ?? first(q.alarmNames);
    return name && `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
  },
  'aws.iam'(q, _r, { account }) {
    const role = text(q.roleName);
    return role && (isArn(role) ? role : `arn:aws:iam::${account}:role/${role}`);
  },
  'aws.sns'(q) {
    const topic = text(q.topicArn);
    if (topic !== undefined) return topic;
    const sub = text(q.subscriptionArn);
    return sub?.replace(/:[^:]+$/, '');
  },
  'aws.kms'(q, _r, { region, account }) {
    const key = text(q.keyId) ?? text(q.targetKeyId);
    if (key === undefined) return undefined;
    if (isArn(key)) return key;
    return `arn:aws:kms:${region}:${account}:${key.startsWith('alias/') ? key : `key/${key}`}`;
  },
  'aws.s3'(q) {
    const bucket = text(q.bucketName);
    return bucket && `arn:aws:s3:::${bucket}`;
  },
};

/** The key of a call that names none of its service's resources: the service in the account and Region. */
export const serviceKeyOf = (source: string, scope: Scope): string =>
  `arn:aws:${source.replace(/^aws\./, '')}:${scope.region}:${scope.account}:*`;

export interface ParsedStoreCall {
  /** The resource it is filed under (its partition, without the kind's suffix). */
  readonly resource: string;
  readonly eventId: string;
  readonly eventTime: number;
  readonly version: number;
  readonly event: EcsEvent;
}

/**
 * Validates a CloudTrail record of a self-audited service (`detail` of an `AWS API Call via
 * CloudTrail` event whose `source` is that service's) and says where it is filed. Never throws and
 * never mutates its input.
 */
export function parseStoreCall(event: Json, detail: Json): Result<ParsedStoreCall> {
  const source = String(event.source);
  const expected = STORE_CALL_EVENT_SOURCES[source];
  if (expected === undefined || detail.eventSource !== expected) {
    return reject(
      'CALL_SOURCE_UNSUPPORTED',
      `detail.eventSource must be "${expected}" for source ${quote(event.source)}, got ${quote(detail.eventSource)}`,
    );
  }
  const name = text(detail.eventName);
  if (name === undefined || Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    return reject(
      'CALL_ACTION_UNSUPPORTED',
      `detail.eventName must be a non-empty string (the API action), got ${quote(detail.eventName)}`,
    );
  }
  const basics = checkRecordBasics(event, detail);
  if (!basics.ok) return basics;
  const { eventId, eventTime, scope, request } = basics.value;
  const response = detail.responseElements;
  const named = (RESOURCE_OF[source] as (typeof RESOURCE_OF)[string])(
    isObject(request) ? request : {},
    isObject(response) ? response : {},
    scope,
  );
  const resource = named !== undefined && Buffer.byteLength(named, 'utf8') <= MAX_NAME_BYTES - 16 ? named : undefined;
  const record = keptStoreRecord(detail);
  return accept({
    resource: resource ?? serviceKeyOf(source, scope),
    eventId,
    eventTime,
    version: callVersion(eventTime, eventId),
    event: { ...(event as unknown as EcsEvent), detail: record },
  });
}
