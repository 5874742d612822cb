import type { DetailType } from '../eventTypes.js';

/** One event of a cluster timeline: what the log's byClusterTime index projects, no event body. */
export interface TimelineEntry {
  readonly arn: string;
  readonly version: number;
  readonly eventTime: number;
  readonly detailType: string;
  readonly clusterArn?: string;
  readonly eventId?: string;
  readonly lastStatus?: string;
  readonly desiredStatus?: string;
  readonly status?: string;
  readonly agentConnected?: boolean;
  readonly stopCode?: string;
  readonly eventType?: string;
  readonly eventName?: string;
}

/** `--type` of `timeline`: which detail-types each word selects. */
export const TIMELINE_TYPES = {
  task: ['ECS Task State Change'],
  instance: ['ECS Container Instance State Change'],
  service: ['ECS Service Action', 'ECS Deployment State Change'],
} as const satisfies Record<string, readonly DetailType[]>;

export type TimelineType = keyof typeof TIMELINE_TYPES;

export const isTimelineType = (v: string): v is TimelineType => Object.hasOwn(TIMELINE_TYPES, v);

/** Timeline order: event time, then ARN, then version, so that events in the same millisecond print the same way every time. */
export function compareTimeline(a: TimelineEntry, b: TimelineEntry): number {
  return a.eventTime - b.eventTime || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0) || a.version - b.version;
}

/**
 * `--status S` matches the field that says where a resource is: a task's lastStatus, an instance's
 * status, and the eventName of a service action or deployment event (SERVICE_DEPLOYMENT_FAILED, ...).
 */
export const STATUS_FIELDS = ['lastStatus', 'status', 'eventName'] as const;

export const matchesStatus = (entry: TimelineEntry, status: string): boolean =>
  STATUS_FIELDS.some((f) => entry[f] === status);

export const detailTypesOf = (types: readonly TimelineType[]): DetailType[] => [
  ...new Set(types.flatMap((t) => TIMELINE_TYPES[t])),
];
