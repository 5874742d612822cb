import type { KeyedResourceType } from './kinds.js';

/**
 * ECS ARNs. Partitions (aws, aws-cn, aws-us-gov, ...) and both the old (`task/<id>`) and the new
 * (`task/<cluster>/<id>`) formats are accepted; doc samples have short or truncated ids, so the
 * resource id is only required to be non-empty.
 */
const ARN = /^arn:aws(?:-[a-z]+)*:ecs:([a-z0-9-]+):([^:\s]+):([a-z-]+)\/(\S+)$/;

/** An AWS Region name (eu-west-1, us-gov-east-1, ap-southeast-5, ...). */
export const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
/** An AWS account id: 12 digits. */
export const ACCOUNT = /^\d{12}$/;

/** The resource types of the ARNs the log is keyed by, and clusters. */
export type EcsResourceType = KeyedResourceType | 'cluster';

export interface EcsArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly resourceType: string;
  readonly resourceId: string;
}

export function parseEcsArn(arn: string): EcsArn | undefined {
  const m = ARN.exec(arn);
  if (!m) return undefined;
  const [, region, account, resourceType, resourceId] = m as unknown as [string, string, string, string, string];
  return { partition: arn.split(':')[1] as string, region, account, resourceType, resourceId };
}

export const isEcsArnOf = (arn: string, type: EcsResourceType): boolean => parseEcsArn(arn)?.resourceType === type;

/** `arn:aws:ecs:…:cluster/prod` → `prod`; anything that is not a cluster ARN stays as it is. */
export const clusterNameOf = (clusterArn: string): string => {
  const arn = parseEcsArn(clusterArn);
  return arn?.resourceType === 'cluster' ? arn.resourceId : clusterArn;
};

/**
 * The cluster ARN of a service ARN in the new `service/<cluster>/<name>` format. Old-format
 * `service/<name>` ARNs name no cluster, so their events cannot be placed on a cluster timeline.
 */
export function clusterArnOfService(serviceArn: string): string | undefined {
  const arn = parseEcsArn(serviceArn);
  if (arn?.resourceType !== 'service') return undefined;
  const parts = arn.resourceId.split('/');
  if (parts.length !== 2) return undefined;
  return `arn:${arn.partition}:ecs:${arn.region}:${arn.account}:cluster/${parts[0]}`;
}
