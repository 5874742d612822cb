import { ACCOUNT, parseEcsArn, REGION } from '../domain/arn.js';
import { type ClusterFilter, clusterMatches, describeFilter } from '../domain/clusterScope.js';
import { CLUSTER_OPTION, parseClusterArg, theClusterNamed } from './args.js';
import { UsageError } from './command.js';
import type { OptionTable } from './options.js';
import type { View } from './output.js';

/**
 * The clusters of `tasks`, `instances`, `timeline` and `stopped`: `--cluster` (an ARN of any account
 * and region, or a name), narrowed by `--account` and `--region`; or, without `--cluster`, every
 * cluster of that account and/or region that the latest-state tables know.
 *
 * - `--cluster <arn>` reads that cluster; an `--account` or `--region` that contradicts it is a usage
 *   error (never a silently empty answer).
 * - `--cluster <name>` must match exactly one known cluster among those of the account/region given:
 *   a name found in several accounts or regions is refused with the candidate ARNs, and `--account` /
 *   `--region` are how to pick one without pasting an ARN.
 * - `--account` and/or `--region` alone read every known cluster of that account/region, merged.
 *   "Known" means with a row in a latest-state table: a cluster whose every row has expired (STATE_TTL_DAYS
 *   after its last task stopped) is found only by its ARN.
 */
export interface ClusterScope {
  /** `--cluster` as given (an ARN or a name), if given. */
  readonly cluster?: unknown;
  readonly account?: string | undefined;
  readonly region?: string | undefined;
}

/** `--cluster` (now optional), `--account` and `--region`. */
export const CLUSTER_SCOPE_OPTIONS: OptionTable = {
  cluster: {
    type: 'string',
    value: 'C',
    synopsis: '(--cluster C | --account ID | --region R)',
    help: `${CLUSTER_OPTION.cluster?.help}\n(required unless --account or --region is given)`,
  },
  account: {
    type: 'string',
    value: 'ID',
    help: 'only clusters of this AWS account (12 digits); without --cluster,\nevery known cluster of it',
  },
  region: {
    type: 'string',
    value: 'R',
    help: 'only clusters of this region (eu-west-1, ...); without --cluster,\nevery known cluster of it',
  },
};

/** The scope of the parsed options, with `--account` and `--region` checked (before any client exists). */
export function parseClusterScope(values: Record<string, unknown>): ClusterScope {
  const { cluster, account, region } = values as Record<string, string | undefined>;
  if (account !== undefined && !ACCOUNT.test(account)) {
    throw new UsageError(`--account must be a 12-digit AWS account id, got ${JSON.stringify(account)}`);
  }
  if (region !== undefined && !REGION.test(region)) {
    throw new UsageError(`--region must be an AWS region name like eu-west-1, got ${JSON.stringify(region)}`);
  }
  if (cluster === undefined && account === undefined && region === undefined) {
    throw new UsageError(
      '--cluster is required (a cluster ARN or name), or --account and/or --region for every known cluster of them',
    );
  }
  if (cluster !== undefined) parseClusterArg(cluster);
  return { cluster, account, region };
}

/** Whether the scope reads one cluster (`--cluster`) or every known cluster of an account/region. */
export const isSingleCluster = (scope: ClusterScope): boolean => scope.cluster !== undefined;

/**
 * The cluster ARNs of a scope, sorted. `known` lists the clusters of the latest-state tables that
 * match a filter (infra/stateQueries.ts clusterArnsWhere); it is not called for a cluster ARN.
 */
export async function resolveClusters(
  scope: ClusterScope,
  known: (filter: ClusterFilter) => Promise<string[]>,
): Promise<string[]> {
  const origin = { account: scope.account, region: scope.region };
  if (scope.cluster === undefined) return known(origin);
  const arg = parseClusterArg(scope.cluster);
  if ('arn' in arg) {
    const arn = parseEcsArn(arg.arn);
    if (arn && !clusterMatches(arg.arn, origin)) {
      const clash = [
        scope.account !== undefined && arn.account !== scope.account && `--account ${scope.account}`,
        scope.region !== undefined && arn.region !== scope.region && `--region ${scope.region}`,
      ].filter(Boolean);
      throw new UsageError(
        `--cluster ${arg.arn} is in account ${arn.account}, region ${arn.region}: it contradicts ${clash.join(' and ')}`,
      );
    }
    return [arg.arn];
  }
  const found = await known({ ...origin, name: arg.name });
  return [theClusterNamed(arg.name, found, { among: describeFilter(origin), narrowable: true })];
}

/** Account and region of an ARN, for a table that lists several accounts or regions. */
const originOf = (arn: unknown): [string | undefined, string | undefined] => {
  const parsed = typeof arn === 'string' ? parseEcsArn(arn) : undefined;
  return [parsed?.account, parsed?.region];
};

/**
 * A view with ACCOUNT and REGION columns in front (the short ARNs of the other columns drop them), for
 * a listing across clusters; `arnOf` names the ARN of an item. JSON items are unchanged (full ARNs).
 */
export function withOriginColumns<T>(view: View<T>, arnOf: (item: T) => unknown): View<T> {
  return {
    ...view,
    headers: ['ACCOUNT', 'REGION', ...view.headers],
    rows: (item, aligned) => {
      const origin = originOf(arnOf(item));
      return view.rows(item, aligned).map((row, i) => [...(i === 0 || !aligned ? origin : ['', '']), ...row]);
    },
  };
}

/** "cluster arn:…", or "3 clusters of account 111122223333": what a listing read, for its summary line. */
export function describeClusters(scope: ClusterScope, clusterArns: readonly string[]): string {
  if (isSingleCluster(scope)) return clusterArns[0] ?? '';
  return `${clusterArns.length} cluster(s) of ${describeFilter(scope)}`;
}
