import { kindOfDetailType, labelsOf } from '../kinds.js';
import type { Summary } from '../summary.js';

/** One event of a cluster timeline: what the log's byClusterTime index projects, no event body. */
export interface TimelineEntry extends Summary {
  readonly arn: string;
  readonly version: number;
  readonly eventTime: number;
  readonly detailType: string;
  readonly clusterArn?: string;
  readonly eventId?: string;
}

/** Timeline order: event time, then ARN, then version, so that events in the same millisecond print the same way every time. */
export function compareTimeline(a: TimelineEntry, b: TimelineEntry): number {
  return a.eventTime - b.eventTime || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0) || a.version - b.version;
}

/**
 * The TYPE a timeline row shows for an event: its kind's timeline word (domain/kinds.ts), the words
 * `--type` takes but for deployments; `unknown` for a detail-type of no kind.
 */
export function timelineWordOf(detailType: string): string {
  const kind = kindOfDetailType(detailType);
  return kind === undefined ? 'unknown' : labelsOf(kind).timelineWord;
}
