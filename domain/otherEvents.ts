import { parseEcsArn, REGION } from './arn.js';
import { KINDS, partitionKeyOf, partitionSuffixOf } from './kinds.js';
import { accept, type Result, reject } from './rejection.js';

/**
 * The keys of the `other` kind (domain/kinds.ts, partition rule `otherResource`): every ECS
 * detail-type but the four named ones, and any type promoted out of `other` later (it declares the
 * same keys).
 * These rules decide where an event is stored, so they never change once events are logged with
 * them (a changed rule would store a redelivery of an old event under a new key). docs/events.md.
 *
 * - Partition `<resource ARN>#other`: never the partition of a task's or instance's versioned
 *   state changes, so a derived, time-based version can never outrank a real `detail.version`.
 * - Sort key: the derived version (domain/derivedVersion.ts), whatever the event carries.
 * - `resourceArn`: the plain resource ARN, as an attribute (and the partition minus `#other`).
 */
const OTHER_PARTITION_SUFFIX = partitionSuffixOf(KINDS.other);

/**
 * The detail fields that name the resource when `resources` names none, in this order: the most
 * specific first. A daemon action that created no task names its container instance.
 */
const RESOURCE_FIELDS = ['taskArn', 'containerInstanceArn', 'serviceArn', 'daemonArn', 'clusterArn'] as const;

/** DynamoDB allows 2048 bytes of partition key; ARNs are capped as elsewhere (domain/parseEvent.ts). */
const MAX_RESOURCE_BYTES = 1024;

/** `arn:<partition>:<service>:<region>:<account>:<resource>`, any service (an event may name an EC2 instance). */
const ANY_ARN = /^arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:[^:\s]*:\S+$/;

/** An ARN that can key a partition: no `#`, so that `<resource>#other` reads back unambiguously. */
const usableArn = (v: unknown): v is string =>
  typeof v === 'string' && ANY_ARN.test(v) && !v.includes('#') && Buffer.byteLength(v, 'utf8') <= MAX_RESOURCE_BYTES;

/** AWS partitions by region prefix (fixed: the account pseudo-ARN below is a key). */
const PARTITIONS: readonly [string, string][] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-iso-', 'aws-iso'],
];
const partitionOf = (region: string): string => PARTITIONS.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';

/** Account ids and region names as EventBridge writes them (a doc sample may redact the account). */
const ACCOUNT = /^[A-Za-z0-9-]{1,64}$/;

/** The pseudo-ARN of an account and region, for an event that names no resource at all. */
const accountResourceArn = (region: string, account: string): string =>
  `arn:${partitionOf(region)}:ecs:${region}:${account}:account`;

/**
 * The resource an event of another type is about: `resources[0]` when it is an ARN; else the first
 * of RESOURCE_FIELDS in `detail` that is one; else the account and region (accountResourceArn).
 * Refused only when the event names none of them: EventBridge always sets account and region.
 */
export function otherResourceArn(event: Record<string, unknown>, detail: Record<string, unknown>): Result<string> {
  const resources = event.resources;
  if (Array.isArray(resources) && usableArn(resources[0])) return accept(resources[0]);
  for (const field of RESOURCE_FIELDS) if (usableArn(detail[field])) return accept(detail[field]);
  const { region, account } = event;
  if (typeof region === 'string' && REGION.test(region) && typeof account === 'string' && ACCOUNT.test(account)) {
    return accept(accountResourceArn(region, account));
  }
  return reject(
    'ARN_MISSING',
    `an event of another ECS detail-type needs a resource: resources[0], one of detail.${RESOURCE_FIELDS.join(', detail.')}, or account and region`,
  );
}

/** The log partition of a resource's other events. */
export const otherPartition = (resourceArn: string): string => partitionKeyOf(KINDS.other, resourceArn);

export const isOtherPartition = (arn: string): boolean => arn.endsWith(OTHER_PARTITION_SUFFIX);

/** The resource of a log key: the key itself, or an `#other` partition without its suffix. */
export const resourceOfLogKey = (arn: string): string =>
  isOtherPartition(arn) ? arn.slice(0, -OTHER_PARTITION_SUFFIX.length) : arn;

/** ECS resource types whose new-format ARN starts with the cluster name: `<type>/<cluster>/...`. */
const IN_CLUSTER = new Set([
  'task',
  'container-instance',
  'service',
  'task-set',
  'service-deployment',
  'service-revision',
  'daemon',
  'daemon-deployment',
  'daemon-revision',
]);

/**
 * The cluster an other event belongs to, for the cluster timeline: `detail.clusterArn` when it is a
 * cluster ARN, else the cluster named by a new-format resource ARN (`task/<cluster>/<id>`, ...);
 * undefined when neither says (the event is in the log and its resource's history, on no timeline).
 */
export function otherClusterArn(resourceArn: string, detail: Record<string, unknown>): string | undefined {
  const given = detail.clusterArn;
  if (typeof given === 'string' && usableArn(given) && parseEcsArn(given)?.resourceType === 'cluster') return given;
  const arn = parseEcsArn(resourceArn);
  if (arn === undefined) return undefined;
  if (arn.resourceType === 'cluster') return resourceArn;
  const [cluster, ...rest] = arn.resourceId.split('/');
  if (!IN_CLUSTER.has(arn.resourceType) || rest.length === 0 || !cluster) return undefined;
  return `arn:${arn.partition}:ecs:${arn.region}:${arn.account}:cluster/${cluster}`;
}
