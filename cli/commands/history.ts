import { parseEcsArn } from '../../domain/arn.js';
import { type HistoryRow, historyRow, isAsideRow } from '../../domain/audit/history.js';
import { ARN_FORMS, type KeyedResourceType } from '../../domain/kinds.js';
import { toIso } from '../../domain/time.js';
import { resourceHistory } from '../../usecases/audit.js';
import { EVENT_TIME_OPTIONS, parseArnArg, parseInteger, parseWindow, TIME_NOTE } from '../args.js';
import { UsageError } from '../command.js';
import { LOG } from '../iamTargets.js';
import { listingCommand } from '../listing.js';
import type { OptionTable } from '../options.js';
import { mapItems, type View } from '../output.js';

/** The ARN types whose log history can be listed: the resource types the log's kinds are keyed by (domain/kinds.ts). */
export const LOG_ARN_TYPES = Object.keys(ARN_FORMS) as KeyedResourceType[];

/** What `history` and `changes` share: one ARN, a time window and a version range over it. */
export const RANGE = {
  positionals: ['<arn>'],
  options: {
    ...EVENT_TIME_OPTIONS,
    'from-version': { type: 'string', value: 'N', help: 'only versions ≥ N' },
    'to-version': { type: 'string', value: 'N', help: 'only versions ≤ N' },
  } satisfies OptionTable,
  notes: [TIME_NOTE],
  /** The ARN and the log range asked for, validated (the ARN by `parseArn`, default: one of LOG_ARN_TYPES). */
  parse(
    { values, positionals }: { values: Record<string, unknown>; positionals: string[] },
    parseArn: (value: unknown) => string = (value) => parseArnArg(value, '<arn>', LOG_ARN_TYPES),
  ) {
    const arn = parseArn(positionals[0]);
    const fromVersion = parseInteger(values['from-version'], '--from-version');
    const toVersion = parseInteger(values['to-version'], '--to-version');
    if (fromVersion !== undefined && toVersion !== undefined && fromVersion > toVersion) {
      throw new UsageError(`the version range is reversed: --from-version ${fromVersion} > --to-version ${toVersion}`);
    }
    return { arn, range: { ...parseWindow(values), fromVersion, toVersion } };
  },
};

const exitCodes = (r: HistoryRow) =>
  (r.containers ?? []).filter((c) => c.exitCode !== undefined).map((c) => `${c.name}=${c.exitCode}`);

/** The last column: an event aside from the versions (another ECS type), marked with its detail-type, and what it says. */
const otherEvent = (r: HistoryRow) =>
  isAsideRow(r) ? [r.detailType, r.otherSummary].filter((s) => s !== undefined && s !== '').join(': ') : '';

/**
 * History columns follow the resource type: what a task, an instance or a service event says. Events
 * of other ECS types about the resource (docs/events.md) are rows of their own, between the versions
 * by event time: no version of the resource (their log version is derived), their type and summary
 * in the last column.
 */
function historyView(arn: string): View<HistoryRow> {
  const type = parseEcsArn(arn)?.resourceType;
  const time = (r: HistoryRow) => toIso(r.eventTime);
  // What the reconciler learned from the ECS API is marked: `7 observed` (a state read through the API),
  // `7 missing (MISSING)` (ECS did not know the resource while its row held version 7).
  const version = (r: HistoryRow) =>
    isAsideRow(r) && type !== 'service'
      ? '-'
      : r.origin === 'observed'
        ? `${r.version} observed`
        : r.origin === 'missing'
          ? `${r.version} missing${r.reason ? ` (${r.reason})` : ''}`
          : r.version;
  const [headers, row]: [string[], (r: HistoryRow) => unknown[]] =
    type === 'task'
      ? [
          ['VERSION', 'EVENT TIME', 'LAST STATUS', 'DESIRED', 'STOP CODE', 'STOPPED REASON', 'EXIT CODES'],
          (r) => [version(r), time(r), r.lastStatus, r.desiredStatus, r.stopCode, r.stoppedReason, exitCodes(r)],
        ]
      : type === 'container-instance'
        ? [
            ['VERSION', 'EVENT TIME', 'STATUS', 'AGENT CONNECTED'],
            (r) => [version(r), time(r), r.status, r.agentConnected],
          ]
        : [
            ['VERSION', 'EVENT TIME', 'TYPE', 'EVENT NAME', 'DEPLOYMENT', 'REASON'],
            (r) => [version(r), time(r), r.eventType, r.eventName, r.deploymentId, r.reason],
          ];
  return {
    headers: [...headers, 'OTHER EVENT'],
    rows: (r) => [[...row(r), otherEvent(r)]],
    json: (r) => ({ ...r, eventTime: toIso(r.eventTime) }),
    empty: `no events of ${arn} in the log for this range`,
  };
}

/** ECS resources that may have events of other types but no log partition of their own (daemons, hooks' deployments, ...). */
function parseHistoryArn(value: unknown): string | undefined {
  const arn = typeof value === 'string' ? parseEcsArn(value) : undefined;
  if (arn === undefined || arn.resourceType === 'cluster') return undefined;
  return (LOG_ARN_TYPES as readonly string[]).includes(arn.resourceType) ? undefined : (value as string);
}

export default listingCommand({
  summary: 'every version of one task, container instance or service, oldest first (from the log)',
  uses: [
    {
      use: 'history <arn>',
      role: 'reader',
      grants: [{ actions: ['Query'], on: [LOG] }],
      argv: (f) => ['history', f.taskArn],
    },
  ],
  about: `Every logged version of one task, container instance or service, oldest first: event time,
lastStatus/desiredStatus (instances: status, agentConnected; services: event type and name),
stopCode, stoppedReason and container exit codes. Between them, by event time, the events of
other ECS types about it (a health change of an instance, a daemon action naming a task, ...),
marked with their detail-type in the last column; they have no version of the resource, so a
--from-version/--to-version range leaves them out. The ARN of another ECS resource (a daemon, a
service deployment, ...) lists its events of other types. What the reconciler learned from the
ECS API is merged in by version and marked (ecs-events reconcile, docs/reconcile.md): VERSION says
"3 observed" for a state read through the API, "2 missing (MISSING)" where ECS did not know it.`,
  ...RANGE,
  parse: (args) => RANGE.parse(args, (value) => parseHistoryArn(value) ?? parseArnArg(value, '<arn>', LOG_ARN_TYPES)),
  list: async ({ doc, tables }, { arn, range }, pageSize) => ({
    items: mapItems(resourceHistory(doc, tables.eventLog, arn, { ...range, pageSize }), historyRow),
    view: historyView(arn),
  }),
});
