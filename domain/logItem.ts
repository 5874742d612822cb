import type { ParsedEvent } from './eventTypes.js';
import { timelineKey, timelineShard } from './timeline.js';

/** One immutable item of the event log. Written once, never updated or deleted. */
export interface LogItem {
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
  /** The event as received (secrets redacted), as one JSON string: exact and free of map limits. */
  readonly event: string;
  readonly clusterArn?: string;
  /** Key of the cluster timeline index; absent when the event names no cluster. */
  readonly timelineKey?: string;
  // Summary fields projected into the timeline index so it needs no read of `event`.
  readonly lastStatus?: string;
  readonly desiredStatus?: string;
  readonly status?: string;
  readonly agentConnected?: boolean;
  readonly stopCode?: string;
  readonly eventType?: string;
  readonly eventName?: string;
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

const SUMMARY_FIELDS = [
  'lastStatus',
  'desiredStatus',
  'status',
  'agentConnected',
  'stopCode',
  'eventType',
  'eventName',
] as const;

/** Longest summary string copied next to the event (ECS statuses and codes are a few dozen characters). */
const MAX_SUMMARY_CHARS = 1024;

export function toLogItem(parsed: ParsedEvent, ingest: IngestStamp): LogItem {
  const retentionDays = ingest.retentionDays ?? 0;
  const summary: Record<string, unknown> = {};
  for (const field of SUMMARY_FIELDS) {
    const v = parsed.event.detail[field];
    // A copy is only a query convenience; an absurdly long value stays in `event` alone, so that the
    // copies can never push the item past DynamoDB's 400 KB limit (the event is at most 256 KiB).
    if ((typeof v === 'string' && v.length <= MAX_SUMMARY_CHARS) || typeof v === 'boolean') summary[field] = v;
  }
  return {
    arn: parsed.arn,
    version: parsed.version,
    detailType: parsed.detailType,
    ...(parsed.eventId !== undefined && { eventId: parsed.eventId }),
    eventTime: parsed.eventTime,
    ingestedAt: ingest.ingestedAt,
    ingestId: ingest.ingestId,
    event: JSON.stringify(parsed.event),
    ...(parsed.clusterArn !== undefined && {
      clusterArn: parsed.clusterArn,
      timelineKey: timelineKey(parsed.clusterArn, parsed.eventTime, timelineShard(parsed.arn)),
    }),
    ...summary,
    ...(retentionDays > 0 && { expiresAt: Math.floor(parsed.eventTime / 1000) + retentionDays * DAY_S }),
  };
}
