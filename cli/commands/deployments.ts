import {
  DEPLOYMENT_LOOKBACK_MS,
  type Deployment,
  deploymentStep,
  overlapsWindow,
  reconstructDeployments,
} from '../../domain/deployments.js';
import { toIso } from '../../domain/time.js';
import { deploymentEventsOf, type StartedDeployment, withDeploymentStarters } from '../../usecases/audit.js';
import { parseWindow, TIME_NOTE } from '../args.js';
import { LOG } from '../iamTargets.js';
import { listingCommand } from '../listing.js';
import type { View } from '../output.js';
import { SERVICE_OPTION } from '../serviceArg.js';

/** `754000` → `12m34s`; `3723000` → `1h02m03s`. */
function formatDuration(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  const s = Math.round(ms / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}h${two(m)}m${two(sec)}s` : m > 0 ? `${m}m${two(sec)}s` : `${sec}s`;
}

const outcomeText = (d: Deployment): string =>
  [
    d.outcome === 'rolled back' ? `rolled back to ${d.rolledBackTo}` : d.outcome,
    d.rollbackOf ? `(rollback of ${d.rollbackOf})` : '',
  ]
    .join(' ')
    .trim();

/** `IN_PROGRESS → FAILED`: the run's state changes without the common prefix. */
const changesText = (d: Deployment): string => d.changes.map((c) => deploymentStep(c.eventName)).join(' → ');

/** A deployment and who started it (usecases/audit.ts withDeploymentStarters). */
type Listed = StartedDeployment;

const starterText = (d: Listed): string | undefined =>
  d.rollbackOf !== undefined
    ? 'ECS (circuit breaker)'
    : d.startedBy &&
      `${d.startedBy.call.principal} (${d.startedBy.call.action}${d.startedBy.nearest ? ', nearest earlier' : ''})`;

/** The documented `--json` / `--ndjson` item. deploymentId is always a string (its digits exceed 2^53). */
function deploymentJson(d: Listed) {
  return {
    serviceArn: d.serviceArn,
    deploymentId: d.deploymentId,
    startTime: toIso(d.startTime),
    ...(d.endTime !== undefined && { endTime: toIso(d.endTime) }),
    ...(d.durationMs !== undefined && { durationMs: d.durationMs }),
    outcome: d.outcome,
    ...(d.rolledBackTo !== undefined && { rolledBackTo: d.rolledBackTo }),
    ...(d.rollbackOf !== undefined && { rollbackOf: d.rollbackOf }),
    ...(d.reason !== undefined && { reason: d.reason }),
    ...(d.startedBy !== undefined && {
      startedBy: {
        principal: d.startedBy.call.principal,
        ...(d.startedBy.call.principalArn !== undefined && { principalArn: d.startedBy.call.principalArn }),
        action: d.startedBy.call.action,
        eventTime: toIso(d.startedBy.call.eventTime),
        eventId: d.startedBy.call.eventId,
        nearest: d.startedBy.nearest,
      },
    }),
    changes: d.changes.map((c) => ({
      eventTime: toIso(c.eventTime),
      eventName: c.eventName,
      eventType: c.eventType,
      ...(c.reason !== undefined && { reason: c.reason }),
      ...(c.updatedAt !== undefined && { updatedAt: c.updatedAt }),
      ...(c.eventId !== undefined && { eventId: c.eventId }),
      version: c.version,
    })),
  };
}

const view = (serviceArn: string): View<Listed> => ({
  headers: ['DEPLOYMENT', 'START', 'END', 'DURATION', 'OUTCOME', 'STATE CHANGES', 'REASON', 'STARTED BY'],
  rows: (d) => [
    [
      d.deploymentId,
      toIso(d.startTime),
      d.endTime === undefined ? undefined : toIso(d.endTime),
      formatDuration(d.durationMs),
      outcomeText(d),
      changesText(d),
      d.reason,
      starterText(d),
    ],
  ],
  json: deploymentJson,
  empty: `no deployments of ${serviceArn} in the log for this window`,
});

export default listingCommand({
  summary: 'the deployments of one service: state changes, duration, outcome, rollbacks (from the log)',
  uses: [
    {
      use: 'deployments --service <arn>',
      role: 'reader',
      grants: [{ actions: ['Query'], on: [LOG] }],
      argv: (f) => ['deployments', '--service', f.serviceArn],
    },
  ],
  about: `Each deployment of one service (by deploymentId) that overlaps [since, until): its state changes,
start and end time, duration, outcome (completed, failed, rolled back to which deployment, or in
progress as of --until) and reason. A deployment that the circuit breaker rolls back to runs again
and is listed again, marked "(rollback of <failed deployment>)". Events up to
${DEPLOYMENT_LOOKBACK_MS / 3_600_000} h before --since are read so that a deployment under way at
--since shows its real start. STARTED BY names who started each deployment, from the ECS API calls
CloudTrail delivers (one more Query): the CreateService or UpdateService whose answer names it,
else the nearest earlier UpdateService of the service, marked so. A call that arrives after the
deployment's events shows at the next query. A run the circuit breaker rolled back to was started by
ECS: "ECS (circuit breaker)".`,
  options: {
    ...SERVICE_OPTION,
    since: { type: 'string', value: 'T', help: 'deployments still running at or after T' },
    until: { type: 'string', value: 'T', help: 'deployments started before T (exclusive); later changes are not read' },
  },
  notes: [TIME_NOTE],
  parse: ({ values }) => ({ service: values.service, window: parseWindow(values) }),
  list: async (clients, { service, window }, pageSize) => {
    const serviceArn = await clients.service(service);
    const events = await deploymentEventsOf(clients.doc, clients.tables.eventLog, serviceArn, window, { pageSize });
    const deployments = reconstructDeployments(events).filter((d) => overlapsWindow(d, window));
    const items = await withDeploymentStarters(
      clients.doc,
      clients.tables.eventLog,
      serviceArn,
      events,
      deployments,
      window.untilMs,
    );
    return { items, view: view(serviceArn) };
  },
});
