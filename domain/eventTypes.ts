import type { DetailType, Kind } from './kinds.js';

/** An EventBridge envelope as ECS sends it. Unknown fields are kept as they are. */
export interface EcsEvent {
  version?: string;
  id?: string;
  'detail-type': DetailType;
  source: 'aws.ecs';
  account?: string;
  time?: string;
  region?: string;
  resources?: string[];
  detail: Record<string, unknown>;
  [extra: string]: unknown;
}

/** A validated event, ready to append to the log. */
export interface ParsedEvent {
  readonly kind: Kind;
  readonly detailType: DetailType;
  /** Partition key of the log: task, container-instance or service ARN. */
  readonly arn: string;
  /**
   * Sort key of the log. `detail.version` for tasks and instances; for service and deployment
   * events (which have none) the derived version of domain/serviceVersion.ts.
   */
  readonly version: number;
  readonly clusterArn: string | undefined;
  readonly eventId: string | undefined;
  /** Event time in epoch milliseconds: envelope `time`, else `detail.updatedAt` (tasks, instances). */
  readonly eventTime: number;
  /** The event as stored (secrets redacted). */
  readonly event: EcsEvent;
}
