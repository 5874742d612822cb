import { parseEcsArn } from '../../domain/arn.js';
import { type HistoryRow, historyRow } from '../../domain/audit/history.js';
import { toIso } from '../../domain/time.js';
import { queryLog } from '../../infra/logQueries.js';
import { EVENT_TIME_OPTIONS, parseArnArg, parseInteger, parseWindow, TIME_NOTE } from '../args.js';
import { UsageError } from '../command.js';
import { listingCommand } from '../listing.js';
import type { OptionTable } from '../options.js';
import { mapItems, type View } from '../output.js';

/** The ARN types whose log history can be listed. */
export const LOG_ARN_TYPES = ['task', 'container-instance', 'service'] as const;

/** What `history` and `changes` share: one ARN, a time window and a version range over it. */
export const RANGE = {
  positionals: ['<arn>'],
  options: {
    ...EVENT_TIME_OPTIONS,
    'from-version': { type: 'string', value: 'N', help: 'only versions ≥ N' },
    'to-version': { type: 'string', value: 'N', help: 'only versions ≤ N' },
  } satisfies OptionTable,
  notes: [TIME_NOTE],
  /** The ARN and the log range asked for, validated. */
  parse({ values, positionals }: { values: Record<string, unknown>; positionals: string[] }) {
    const arn = parseArnArg(positionals[0], '<arn>', LOG_ARN_TYPES);
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

/** History columns follow the resource type: what a task, an instance or a service event says. */
function historyView(arn: string): View<HistoryRow> {
  const type = parseEcsArn(arn)?.resourceType;
  const time = (r: HistoryRow) => toIso(r.eventTime);
  const [headers, row]: [string[], (r: HistoryRow) => unknown[]] =
    type === 'task'
      ? [
          ['VERSION', 'EVENT TIME', 'LAST STATUS', 'DESIRED', 'STOP CODE', 'STOPPED REASON', 'EXIT CODES'],
          (r) => [r.version, time(r), r.lastStatus, r.desiredStatus, r.stopCode, r.stoppedReason, exitCodes(r)],
        ]
      : type === 'container-instance'
        ? [
            ['VERSION', 'EVENT TIME', 'STATUS', 'AGENT CONNECTED'],
            (r) => [r.version, time(r), r.status, r.agentConnected],
          ]
        : [
            ['VERSION', 'EVENT TIME', 'TYPE', 'EVENT NAME', 'DEPLOYMENT', 'REASON'],
            (r) => [r.version, time(r), r.eventType, r.eventName, r.deploymentId, r.reason],
          ];
  return {
    headers,
    rows: (r) => [row(r)],
    json: (r) => ({ ...r, eventTime: toIso(r.eventTime) }),
    empty: `no events of ${arn} in the log for this range`,
  };
}

export default listingCommand({
  summary: 'every version of one task, container instance or service, oldest first (from the log)',
  about: `Every logged version of one task, container instance or service, oldest first: event time,
lastStatus/desiredStatus (instances: status, agentConnected; services: event type and name),
stopCode, stoppedReason and container exit codes.`,
  ...RANGE,
  list: async ({ doc, tables }, { arn, range }, pageSize) => ({
    items: mapItems(queryLog(doc, tables.eventLog, arn, { ...range, pageSize }), historyRow),
    view: historyView(arn),
  }),
});
