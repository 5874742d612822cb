import { callKey } from './apiCalls/callIndex.js';
import type { CallFacts } from './apiCalls/parseCall.js';
import { encodeEvent, type StoredEventValue } from './eventCodec.js';
import type { ParsedEvent } from './eventTypes.js';
import { type Summary, summaryOf } from './summary.js';
import { timelineKey, timelineShard } from './timeline.js';

/** One immutable item of the event log. Written once, never updated or deleted. */
export interface LogItem extends Summary {
  readonly arn: string;
  readonly version: number;
  readonly detailType: string;
  readonly eventId?: string;
  /** Event time, epoch ms (numeric so that it sorts). */
  readonly eventTime: number;
  /** When ingest appended it, epoch ms. */
  readonly ingestedAt: number;
  /** ULID of the append, for tracing one delivery through logs. */
  readonly ingestId: string;
  /**
   * The event as received (secrets redacted): its JSON, exact and free of map limits, encoded by
   * domain/eventCodec.ts (compressed Binary, or the plain string; read it with decodeStoredEvent).
   */
  readonly event: StoredEventValue;
  /**
   * Written before issue 15 only. The cluster is the first part of `timelineKey` (and in the event),
   * so items no longer repeat it: readers take it from there (domain/timeline.ts clusterOfTimelineKey).
   */
  readonly clusterArn?: string;
  /** Kind `other` only: the resource the event is about; the partition key is `<resourceArn>#other`. */
  readonly resourceArn?: string;
  /** Key of the cluster timeline index; absent when the event names no cluster, and for API calls. */
  readonly timelineKey?: string;
  /**
   * API calls only (domain/apiCalls/): the key of the calls index, `<cluster ARN>#<UTC day>`, and what
   * `who` prints without fetching the item: the principal's short name (`<role>/<session>` for an
   * assumed role), the role or user ARN whose credentials were used (`principalArn`), the error of a
   * failed call, the deployment an UpdateService started. The resource is the key's (the index
   * projects the table's keys), so a call's items hold no `resourceArn`.
   */
  readonly callKey?: string;
  readonly principal?: string;
  readonly principalArn?: string;
  readonly errorCode?: string;
  readonly deploymentId?: string;
  /**
   * Only with an opted-in log retention (LOG_RETENTION_DAYS > 0): when DynamoDB TTL may delete the
   * item, epoch seconds, counted from the event time so that a resource's older versions never
   * outlive its newer ones and a redelivery gets the same value. Absent by default: the log is kept.
   */
  readonly expiresAt?: number;
}

/** What ingest adds to an event when it appends it. */
export interface IngestStamp {
  readonly ingestedAt: number;
  readonly ingestId: string;
  /** Days the log keeps the item (sets `expiresAt`); 0 or absent keeps it forever. */
  readonly retentionDays?: number;
}

const DAY_S = 86_400;

/**
 * Attributes that items written before issue 15 also hold, and the value they held for an event: a
 * check that derives an item again (domain/logCheck.ts) accepts them on such an item.
 */
export const formerAttributes = (parsed: ParsedEvent): Record<string, unknown> => ({
  clusterArn: parsed.clusterArn,
});

function callAttributes(call: CallFacts, clusterArn: string, eventTime: number) {
  const { principal } = call;
  const principalArn = principal.issuerArn ?? principal.arn;
  return {
    callKey: callKey(clusterArn, eventTime),
    principal: principal.name,
    ...(principalArn !== undefined && { principalArn }),
    ...(call.errorCode !== undefined && { errorCode: call.errorCode }),
    ...(call.deploymentId !== undefined && { deploymentId: call.deploymentId }),
  };
}

export function toLogItem(parsed: ParsedEvent, ingest: IngestStamp): LogItem {
  const retentionDays = ingest.retentionDays ?? 0;
  return {
    arn: parsed.arn,
    version: parsed.version,
    detailType: parsed.detailType,
    ...(parsed.eventId !== undefined && { eventId: parsed.eventId }),
    eventTime: parsed.eventTime,
    ingestedAt: ingest.ingestedAt,
    ingestId: ingest.ingestId,
    event: encodeEvent(JSON.stringify(parsed.event)).value,
    ...(parsed.resourceArn !== undefined && parsed.call === undefined && { resourceArn: parsed.resourceArn }),
    ...(parsed.call !== undefined
      ? callAttributes(parsed.call, parsed.clusterArn as string, parsed.eventTime)
      : parsed.clusterArn !== undefined && {
          timelineKey: timelineKey(parsed.clusterArn, parsed.eventTime, timelineShard(parsed.arn)),
        }),
    ...summaryOf(parsed.event.detail),
    ...(retentionDays > 0 && { expiresAt: Math.floor(parsed.eventTime / 1000) + retentionDays * DAY_S }),
  };
}
