import { CALL_ACTION_NAMES } from '../../domain/apiCalls/actions.js';
import {
  activityByPrincipal,
  type CallEntry,
  callMatchesPrincipal,
  type PrincipalActivity,
} from '../../domain/apiCalls/joins.js';
import { parseEcsArn } from '../../domain/arn.js';
import { toIso } from '../../domain/time.js';
import { queryCalls } from '../../infra/callQueries.js';
import { parseClosedWindow, TIME_NOTE, WINDOW_OPTIONS } from '../args.js';
import { CLUSTER_SCOPE_OPTIONS, describeClusters, isSingleCluster, parseClusterScope } from '../clusterScope.js';
import { UsageError } from '../command.js';
import { LOG_CALLS } from '../iamTargets.js';
import { listingCommand } from '../listing.js';
import { shortArn, type View } from '../output.js';
import { SERVICE_NAME } from '../serviceArg.js';

/** `--service`: a service name, or a service ARN of either format (its name is what is matched). */
function parseServiceName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const arn = parseEcsArn(text);
  const name = arn?.resourceType === 'service' ? arn.resourceId.split('/').at(-1) : text;
  if (name === undefined || !SERVICE_NAME.test(name)) {
    throw new UsageError(`--service must be a service name or a service ARN, got ${JSON.stringify(value)}`);
  }
  return name;
}

function parseAction(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!(CALL_ACTION_NAMES as readonly string[]).includes(String(value))) {
    throw new UsageError(`--action must be one of ${CALL_ACTION_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return String(value);
}

/** A call filed under a service of that name, in whichever cluster (services are keyed service/<cluster>/<name>). */
const onService = (c: CallEntry, name: string): boolean => {
  const arn = parseEcsArn(c.resourceArn);
  return arn?.resourceType === 'service' && arn.resourceId.split('/').at(-1) === name;
};

const actionsText = (a: PrincipalActivity): string =>
  Object.entries(a.actions)
    .sort(([x, m], [y, n]) => n - m || x.localeCompare(y))
    .map(([action, n]) => `${action}×${n}`)
    .join(' ');

const viewOf = (shorten: (arn: string) => string): View<PrincipalActivity> => ({
  headers: ['PRINCIPAL', 'CALLS', 'DENIED', 'LAST CALL', 'ACTIONS', 'RESOURCES'],
  rows: (a, aligned) => {
    const shown = a.resources.map(shorten);
    const key = [a.principal, a.calls, a.denied, toIso(a.lastTime), actionsText(a)];
    if (!aligned) return [[...key, shown.join(',')]];
    // One resource per line (up to 5), as `stopped` lists its examples.
    const lines = shown.length > 5 ? [...shown.slice(0, 5), `… ${shown.length - 5} more`] : shown;
    return lines.map((r, i) => [...(i === 0 ? key : ['', '', '', '', '']), r]);
  },
  json: (a) => ({ ...a, lastTime: toIso(a.lastTime) }),
  empty:
    'no ECS API call of this cluster in the window (the calls reach the store through CloudTrail: is there a trail?)',
});

export default listingCommand({
  summary: 'who called the ECS API: calls in a window grouped by principal (from the log)',
  uses: [
    {
      use: 'who --cluster <arn> --since T',
      role: 'reader',
      grants: [{ actions: ['Query'], on: [LOG_CALLS] }],
      argv: (f) => ['who', '--cluster', f.clusterArn, '--since', '1d'],
    },
  ],
  about: `The ECS write calls CloudTrail recorded for a cluster (RunTask, StopTask, ExecuteCommand,
UpdateService, ...) with an event time in [since, until), grouped by principal: how many calls,
how many were denied (AccessDenied, Unauthorized...), the last one, the actions and the tasks,
services, container instances or cluster they acted on. Most calls first. Failed calls count:
who tried matters too. --principal matches the principal's name (a user, root, <role>/<session>),
the role or the session name alone, the role or user ARN, or an assumed-role session ARN.
Read from the calls index: one Query per cluster and UTC day, no item fetched.`,
  options: {
    ...CLUSTER_SCOPE_OPTIONS,
    ...WINDOW_OPTIONS,
    service: { type: 'string', value: 'NAME', help: 'only calls about this service (a name or a service ARN)' },
    principal: { type: 'string', value: 'P', help: 'only calls by this principal (see above)' },
    action: { type: 'string', value: 'A', help: `only this action (${CALL_ACTION_NAMES.length} are kept)` },
  },
  notes: [TIME_NOTE],
  parse: ({ values }) => {
    return {
      scope: parseClusterScope(values),
      ...parseClosedWindow(values),
      service: parseServiceName(values.service),
      principal: values.principal as string | undefined,
      action: parseAction(values.action),
    };
  },
  list: async (clients, { scope, sinceMs, untilMs, service, principal, action }, pageSize) => {
    const clusterArns = await clients.clusters(scope);
    const calls = (
      await queryCalls(clients.doc, clients.tables.eventLog, clusterArns, { sinceMs, untilMs }, { pageSize })
    )
      .filter((c) => service === undefined || onService(c, service))
      .filter((c) => principal === undefined || callMatchesPrincipal(c, principal))
      .filter((c) => action === undefined || c.action === action);
    const items = activityByPrincipal(calls);
    return {
      items,
      view: viewOf(isSingleCluster(scope) ? shortArn : (arn) => arn),
      after: ({ count }, settings) => {
        if (settings.format === 'table' && count > 0) {
          const distinct = new Set(calls.map((c) => c.eventId)).size;
          process.stderr.write(
            `${distinct} call(s) by ${items.length} principal(s) in ${describeClusters(scope, clusterArns)} from ${toIso(sinceMs)} until ${toIso(untilMs)}\n`,
          );
        }
      },
    };
  },
});
