import { parseEcsArn } from '../domain/arn.js';
import { parseArnArg } from './args.js';
import { UsageError } from './command.js';
import type { OptionTable } from './options.js';

/** ECS service names: letters, digits, hyphens and underscores, up to 255. */
export const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

export const SERVICE_OPTION: OptionTable = {
  service: {
    type: 'string',
    value: 'S',
    required: true,
    help: 'service ARN, or <cluster>/<name> when the cluster is in the latest-state tables',
  },
};

/**
 * A service ARN from `--service`: a full service ARN (either format) as given, or `<cluster>/<name>`,
 * whose cluster is resolved like `--cluster` (a cluster ARN, or a name found in the latest-state
 * tables, which gives its region and account) and whose service ARN is then the new
 * `service/<cluster>/<name>` format. An old-format `service/<name>` ARN can only be given in full.
 */
export async function resolveService(
  value: unknown,
  resolveCluster: (cluster: string, option: string) => Promise<string>,
  option = '--service',
): Promise<string> {
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`${option} is required (a service ARN, or <cluster>/<name>)`);
  }
  if (value.startsWith('arn:')) return parseArnArg(value, option, ['service']);
  const slash = value.lastIndexOf('/');
  const [cluster, name] = [value.slice(0, slash), value.slice(slash + 1)];
  if (slash <= 0 || !SERVICE_NAME.test(name)) {
    throw new UsageError(
      `${option} must be a service ARN (arn:aws:ecs:<region>:<account>:service/<cluster>/<name>) or <cluster>/<name>, got ${JSON.stringify(value)}`,
    );
  }
  const clusterArn = parseEcsArn(await resolveCluster(cluster, option));
  if (!clusterArn) throw new UsageError(`${option}: cluster ${JSON.stringify(cluster)} did not resolve to an ARN`);
  return `arn:${clusterArn.partition}:ecs:${clusterArn.region}:${clusterArn.account}:service/${clusterArn.resourceId}/${name}`;
}
