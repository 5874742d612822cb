import { parseEcsArn } from '../arn.js';
import { isObject } from '../canonical.js';
import { CALL_ACTIONS, type CallAction } from './actions.js';

/**
 * The resources a call acts on, as ARNs: CloudTrail keeps `requestParameters` as the caller sent them,
 * so a cluster, task, service or container instance may be a name, an id or an ARN (old or new
 * format). Each is made the long ARN of the call's account and Region, so that a call and the state
 * changes it caused meet in one partition whatever form the caller used. Services are always keyed
 * `service/<cluster>/<name>`: ECS's own events of a service created before the long ARN format name it
 * `service/<name>`, and joins match a service by (cluster, name) (domain/apiCalls/joins.ts).
 */
export interface CallScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The cluster a call runs in when `requestParameters.cluster` is absent: ECS's own default. */
export const DEFAULT_CLUSTER = 'default';

const ecsArn = (scope: CallScope, resource: string) =>
  `arn:${scope.partition}:ecs:${scope.region}:${scope.account}:${resource}`;

/** A name, id or ARN as the caller gave it: a non-empty string without whitespace. */
const given = (v: unknown): string | undefined => (typeof v === 'string' && /^\S+$/.test(v) ? v : undefined);

/** The cluster's ARN and name (`default` when the call names none). */
export function clusterOf(value: unknown, scope: CallScope): { arn: string; name: string } {
  const v = given(value) ?? DEFAULT_CLUSTER;
  const arn = parseEcsArn(v);
  if (arn?.resourceType === 'cluster') return { arn: v, name: arn.resourceId };
  return { arn: ecsArn(scope, `cluster/${v}`), name: v };
}

/** A task or container instance id or ARN → its ARN (a given ARN is kept as it is: its format is ECS's). */
function memberArn(value: unknown, type: 'task' | 'container-instance', cluster: string, scope: CallScope) {
  const v = given(value);
  if (v === undefined) return undefined;
  const arn = parseEcsArn(v);
  if (arn) return arn.resourceType === type ? v : undefined;
  return ecsArn(scope, `${type}/${cluster}/${v}`);
}

/** A service name or ARN (old `service/<name>` or new `service/<cluster>/<name>`) → `service/<cluster>/<name>`. */
export function serviceArnOf(value: unknown, cluster: string, scope: CallScope): string | undefined {
  const v = given(value);
  if (v === undefined) return undefined;
  const arn = parseEcsArn(v);
  if (!arn) return ecsArn(scope, `service/${cluster}/${v}`);
  if (arn.resourceType !== 'service') return undefined;
  const parts = arn.resourceId.split('/');
  const name = parts.at(-1) as string;
  const inCluster = parts.length === 2 ? parts[0] : cluster;
  return `arn:${arn.partition}:ecs:${arn.region}:${arn.account}:service/${inCluster}/${name}`;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const field = (o: unknown, k: string): unknown => (isObject(o) ? o[k] : undefined);
const defined = (values: readonly (string | undefined)[]): string[] => [
  ...new Set(values.filter((v): v is string => v !== undefined)),
];

/**
 * The task, service or container-instance ARNs a call acts on, in the order the call names them;
 * empty when it names none (a denied RunTask started nothing: it is filed under its cluster).
 */
export function callResources(
  action: CallAction,
  request: unknown,
  response: unknown,
  cluster: string,
  scope: CallScope,
): string[] {
  switch (CALL_ACTIONS[action]) {
    case 'task': {
      const started = list(field(response, 'tasks')).map((t) => memberArn(field(t, 'taskArn'), 'task', cluster, scope));
      const named = memberArn(field(request, 'task'), 'task', cluster, scope);
      const answered = memberArn(
        field(response, 'taskArn') ?? field(field(response, 'task'), 'taskArn'),
        'task',
        cluster,
        scope,
      );
      return defined([...started, named ?? answered]);
    }
    case 'service': {
      const named = field(request, 'service') ?? field(request, 'serviceName');
      const answered = field(field(response, 'service'), 'serviceArn');
      return defined([serviceArnOf(named ?? answered, cluster, scope)]);
    }
    case 'container-instance': {
      const named = [...list(field(request, 'containerInstances')), field(request, 'containerInstance')];
      return defined(named.map((v) => memberArn(v, 'container-instance', cluster, scope)));
    }
    case 'cluster':
      return [];
  }
}
