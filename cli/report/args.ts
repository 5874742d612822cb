import { clusterNameOf, parseEcsArn } from '../../domain/arn.js';
import { parseArnArg } from '../args.js';
import { UsageError } from '../command.js';
import type { OptionTable } from '../options.js';
import { SERVICE_NAME } from '../serviceArg.js';

/** `--service` of `report` and `stats`: which service of the `--cluster` to keep (optional). */
export const SERVICE_FILTER_OPTION: OptionTable = {
  service: {
    type: 'string',
    value: 'S',
    help: 'only this service of the cluster: its name, <cluster>/<name> or its ARN',
  },
};

/**
 * The service name to keep, from a name, `<cluster>/<name>` or a service ARN (either format). When
 * the argument names a cluster, it must be the `--cluster` one: a report of prod filtered by a service
 * of staging would be silently empty.
 */
export function parseServiceFilter(value: unknown, clusterArn: string): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  let cluster: string | undefined;
  let name: string;
  if (text.startsWith('arn:')) {
    const id = parseEcsArn(parseArnArg(text, '--service', ['service']))?.resourceId ?? '';
    const parts = id.split('/');
    name = parts.at(-1) ?? '';
    cluster = parts.length === 2 ? parts[0] : undefined;
  } else {
    const slash = text.lastIndexOf('/');
    name = text.slice(slash + 1);
    cluster = slash > 0 ? text.slice(0, slash) : undefined;
  }
  if (!SERVICE_NAME.test(name)) {
    throw new UsageError(
      `--service must be a service name, <cluster>/<name> or a service ARN, got ${JSON.stringify(text)}`,
    );
  }
  const clusterName = clusterNameOf(clusterArn);
  if (cluster !== undefined && cluster !== clusterName && cluster !== clusterArn) {
    throw new UsageError(`--service ${text} is not a service of the cluster ${clusterArn}`);
  }
  return name;
}
