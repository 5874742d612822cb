import { parseEcsArn } from './arn.js';

/**
 * Which clusters a query reads, by what a cluster ARN says: its name, its account, its region
 * (`arn:aws:ecs:<region>:<account>:cluster/<name>`). Every field given must match.
 */
export interface ClusterFilter {
  readonly name?: string | undefined;
  readonly account?: string | undefined;
  readonly region?: string | undefined;
}

/** True when `clusterArn` is a cluster ARN that matches every field of the filter. */
export function clusterMatches(clusterArn: string, filter: ClusterFilter): boolean {
  const arn = parseEcsArn(clusterArn);
  if (arn?.resourceType !== 'cluster') return false;
  return (
    (filter.name === undefined || arn.resourceId === filter.name) &&
    (filter.account === undefined || arn.account === filter.account) &&
    (filter.region === undefined || arn.region === filter.region)
  );
}

/**
 * A substring every matching cluster ARN contains, as narrow as the filter allows: what a Scan can
 * filter on server side (`contains`) before {@link clusterMatches} decides exactly.
 */
export function clusterArnPart(filter: ClusterFilter): string {
  const { name, account, region } = filter;
  if (name !== undefined) {
    if (account !== undefined) return `:${account}:cluster/${name}`;
    return `:cluster/${name}`;
  }
  if (account !== undefined && region !== undefined) return `:${region}:${account}:cluster/`;
  if (account !== undefined) return `:${account}:cluster/`;
  if (region !== undefined) return `:${region}:`;
  return ':cluster/';
}

/** `111122223333 us-east-1`: the filter in words, for messages. */
export function describeFilter(filter: ClusterFilter): string {
  const parts = [
    filter.account !== undefined && `account ${filter.account}`,
    filter.region !== undefined && `region ${filter.region}`,
  ].filter(Boolean);
  return parts.join(', ');
}
