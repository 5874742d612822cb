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
}

const SUMMARY_FIELDS = [
  'lastStatus',
  'desiredStatus',
  'status',
  'agentConnected',
  'stopCode',
  'eventType',
  'eventName',
] as const;

export function toLogItem(parsed: ParsedEvent, ingest: { ingestedAt: number; ingestId: string }): LogItem {
  const summary: Record<string, unknown> = {};
  for (const field of SUMMARY_FIELDS) {
    const v = parsed.event.detail[field];
    if (typeof v === 'string' || typeof v === 'boolean') summary[field] = v;
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
  };
}
