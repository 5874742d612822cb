import { ACCOUNT, REGION } from '../arn.js';
import { canonicalJson, hash48, isObject, nonEmptyString as text } from '../canonical.js';
import { DERIVED_VERSION_SLOTS, MAX_DERIVED_EVENT_TIME_MS } from '../derivedVersion.js';
import type { EcsEvent } from '../eventTypes.js';
import { accept, quote, type Result, reject } from '../rejection.js';
import { parseIsoTime } from '../time.js';
import { CALL_ACTION_NAMES, CALL_ACTIONS, type CallAction, ECS_EVENT_SOURCE, isCallAction } from './actions.js';
import { keptRecord } from './kept.js';
import { type Principal, principalOf } from './principal.js';
import { type CallScope, callResources, clusterOf } from './resources.js';

/** A call as the log keeps it: what it did, who did it, on what, and the event without its secrets. */
export interface ParsedCall {
  readonly action: CallAction;
  readonly principal: Principal;
  /** CloudTrail's `errorCode` of a call that failed (`AccessDenied`, `InvalidParameterException`, ...). */
  readonly errorCode?: string;
  readonly clusterArn: string;
  /**
   * The task, service or container-instance ARNs it acts on; empty when it named none (a denied
   * `RunTask`, a cluster call): then it is filed under the cluster.
   */
  readonly resources: readonly string[];
  /** CloudTrail's `eventTime`, epoch ms. */
  readonly eventTime: number;
  readonly eventId: string;
  /** Event time in seconds × 10^6 + six digits hashed from `eventID`: a redelivery or replay is a duplicate. */
  readonly version: number;
  /** The id of the PRIMARY deployment a CreateService or UpdateService answered with: the deployment it started. */
  readonly deploymentId?: string;
  readonly event: EcsEvent;
}

/** What the log items of a call hold besides the event (domain/logItem.ts), and where it is filed. */
export type CallFacts = Pick<ParsedCall, 'action' | 'principal' | 'errorCode' | 'deploymentId'> & {
  /** The resources it is filed under, in order: one log item each (domain/logEntries.ts). */
  readonly filedUnder: readonly string[];
};

/** The PRIMARY deployment of a kept service response (domain/apiCalls/kept.ts keeps `id` and `status`). */
function primaryDeploymentOf(response: unknown): string | undefined {
  const service = isObject(response) ? response.service : undefined;
  const deployments = isObject(service) && Array.isArray(service.deployments) ? service.deployments : [];
  const primary = deployments.find((d: unknown) => isObject(d) && d.status === 'PRIMARY');
  return isObject(primary) ? text(primary.id) : undefined;
}

/** The log partitions' resources of a call: each resource it acts on, else its cluster. */
export const filedUnder = (call: Pick<ParsedCall, 'resources' | 'clusterArn'>): readonly string[] =>
  call.resources.length > 0 ? call.resources : [call.clusterArn];

/**
 * The sort key of a call: like every derived version (domain/derivedVersion.ts) the event-time second
 * × 10^6, plus a hash of CloudTrail's `eventID`, which is the call's identity across deliveries,
 * archive replays and forwarders (the envelope is EventBridge's, the record is CloudTrail's).
 */
export const callVersion = (eventTimeMs: number, eventId: string): number =>
  Math.floor(eventTimeMs / 1000) * DERIVED_VERSION_SLOTS + (hash48(canonicalJson(eventId)) % DERIVED_VERSION_SLOTS);

/** What every kept CloudTrail record must carry, whoever's call it is: its identity, time, account and Region, and a request. */
export interface RecordBasics {
  readonly eventId: string;
  /** CloudTrail's `eventTime`, epoch ms. */
  readonly eventTime: number;
  readonly scope: CallScope;
  /** `requestParameters`: an object, or null/absent. */
  readonly request: unknown;
}

/**
 * The checks every kept call shares, in this order: `eventID`, `eventTime`, the account and Region
 * (the record's, else the envelope's), `requestParameters` an object or null. An ECS call
 * (parseCall) and a call on the store itself (domain/apiCalls/storeCall.ts) both start from these.
 */
export function checkRecordBasics(
  event: Record<string, unknown>,
  detail: Record<string, unknown>,
): Result<RecordBasics> {
  const eventId = text(detail.eventID);
  if (eventId === undefined) {
    return reject(
      'CALL_ID_MISSING',
      `detail.eventID is required (a non-empty string: its log key derives from it), got ${quote(detail.eventID)}`,
    );
  }
  if (detail.eventTime === undefined || detail.eventTime === null) {
    return reject('TIME_MISSING', 'detail.eventTime is required for an API call (its log key derives from it)');
  }
  const eventTime = parseIsoTime(detail.eventTime);
  if (eventTime === undefined || eventTime > MAX_DERIVED_EVENT_TIME_MS) {
    return reject('TIME_INVALID', `detail.eventTime must be an ISO-8601 timestamp, got ${quote(detail.eventTime)}`);
  }
  const account = detail.recipientAccountId ?? event.account;
  const region = detail.awsRegion ?? event.region;
  if (typeof account !== 'string' || !ACCOUNT.test(account)) {
    return reject(
      'FIELD_INVALID',
      `detail.recipientAccountId (or account) must be a 12-digit account id, got ${quote(account)}`,
    );
  }
  if (typeof region !== 'string' || !REGION.test(region)) {
    return reject('FIELD_INVALID', `detail.awsRegion (or region) must be an AWS Region, got ${quote(region)}`);
  }
  const request = detail.requestParameters;
  if (request !== undefined && request !== null && !isObject(request)) {
    return reject('FIELD_INVALID', `detail.requestParameters must be an object or null, got ${quote(request)}`);
  }
  return accept({ eventId, eventTime, scope: { partition: 'aws', region, account }, request });
}

/**
 * Validates a CloudTrail record of an ECS write call (`detail` of an `AWS API Call via CloudTrail`
 * event) and says where it is filed. Never throws and never mutates its input.
 */
export function parseCall(event: Record<string, unknown>, detail: Record<string, unknown>): Result<ParsedCall> {
  if (detail.eventSource !== ECS_EVENT_SOURCE) {
    return reject(
      'CALL_SOURCE_UNSUPPORTED',
      `detail.eventSource must be "${ECS_EVENT_SOURCE}", got ${quote(detail.eventSource)}`,
    );
  }
  if (detail.readOnly === true) {
    return reject(
      'CALL_READ_ONLY',
      `detail.readOnly is true (${quote(detail.eventName)}): only calls that change ECS are kept`,
    );
  }
  const action = detail.eventName;
  if (!isCallAction(action)) {
    return reject(
      'CALL_ACTION_UNSUPPORTED',
      `detail.eventName must be one of ${CALL_ACTION_NAMES.join(', ')}, got ${quote(action)}`,
    );
  }
  const basics = checkRecordBasics(event, detail);
  if (!basics.ok) return basics;
  const { eventId, eventTime, scope, request } = basics.value;
  const response = detail.responseElements;
  const cluster = clusterOf(isObject(request) ? request.cluster : undefined, scope);
  const resources = callResources(action, request, response, cluster.name, scope);
  if (!isObject(request) && resources.length === 0) {
    return reject(
      'CALL_RESOURCE_MISSING',
      `${action} names no task, service, container instance or cluster (detail.requestParameters is ${quote(request)} and detail.responseElements names none)`,
    );
  }
  const errorCode = text(detail.errorCode);
  const record = keptRecord(detail);
  const kept: EcsEvent = { ...(event as unknown as EcsEvent), detail: record };
  const deploymentId = CALL_ACTIONS[action] === 'service' ? primaryDeploymentOf(record.responseElements) : undefined;
  return accept({
    action,
    principal: principalOf(detail.userIdentity),
    ...(errorCode && { errorCode }),
    clusterArn: cluster.arn,
    resources,
    eventTime,
    eventId,
    version: callVersion(eventTime, eventId),
    ...(deploymentId && { deploymentId }),
    event: kept,
  });
}
