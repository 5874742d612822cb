import type { Kind } from './kinds.js';

/** An EventBridge envelope as ECS sends it. Unknown fields are kept as they are. */
export interface EcsEvent {
  version?: string;
  id?: string;
  /** One of the named detail-types (domain/kinds.ts) or any other `ECS ...` type. */
  'detail-type': string;
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
  readonly detailType: string;
  /**
   * Partition key of the log: task, container-instance or service ARN; for kind `other`,
   * `<resourceArn>#other` (domain/otherEvents.ts).
   */
  readonly arn: string;
  /**
   * Sort key of the log. `detail.version` for tasks and instances; for every other kind (service,
   * deployment, other) the derived version of domain/derivedVersion.ts.
   */
  readonly version: number;
  /** Kind `other` only: the resource the event is about (its partition key without `#other`). */
  readonly resourceArn?: string;
  readonly clusterArn: string | undefined;
  readonly eventId: string | undefined;
  /** Event time in epoch milliseconds: envelope `time`, else `detail.updatedAt` (tasks, instances). */
  readonly eventTime: number;
  /** The event as stored (secrets redacted). */
  readonly event: EcsEvent;
}
