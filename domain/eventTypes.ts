import type { CallFacts } from './apiCalls/parseCall.js';
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

/** A validated event, ready to append to the log (of a kind of domain/kinds.ts; a test may key by kinds of its own). */
export interface ParsedEvent<K extends string = Kind> {
  readonly kind: K;
  readonly detailType: string;
  /**
   * Partition key of the log, as the kind's keys declare it (domain/kinds.ts): task,
   * container-instance or service ARN; for kind `other`, `<resourceArn>#other` (domain/otherEvents.ts).
   */
  readonly arn: string;
  /**
   * Sort key of the log, by the kind's version rule: `detail.version` for tasks and instances; for
   * every other kind (service, deployment, other) the derived version of domain/derivedVersion.ts.
   */
  readonly version: number;
  /** When the partition key is not the plain ARN (kind `other`): the resource, the key without its suffix. */
  readonly resourceArn?: string;
  readonly clusterArn: string | undefined;
  readonly eventId: string | undefined;
  /** Event time in epoch milliseconds: envelope `time`, else `detail.updatedAt` (tasks, instances). */
  readonly eventTime: number;
  /** The event as stored (secrets redacted). */
  readonly event: EcsEvent;
  /**
   * Kind `apiCall` only: who called what, and the resources the call is filed under (one log item
   * each, domain/logEntries.ts); `arn` and `resourceArn` are the first of them.
   */
  readonly call?: CallFacts;
}
