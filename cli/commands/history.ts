import { parseEcsArn } from '../../domain/arn.js';
import { type HistoryRow, historyRow } from '../../domain/audit/history.js';
import { toIso } from '../../domain/time.js';
import { queryLog } from '../../infra/logQueries.js';
import {
  PAGE_OPTIONS,
  PAGE_USAGE,
  parseArnArg,
  parseInteger,
  parsePageSize,
  parseWindow,
  TIME_FORMS,
} from '../args.js';
import { type Command, UsageError } from '../command.js';
import { emit, mapItems, OUTPUT_OPTIONS, OUTPUT_USAGE, outputSettings, type View } from '../output.js';
import { withStore } from '../store.js';

/** The ARN types whose log history can be listed. */
export const LOG_ARN_TYPES = ['task', 'container-instance', 'service'] as const;

/** Options shared by `history` and `changes`: a time window and a version range over one ARN. */
export const RANGE_OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  'from-version': { type: 'string' },
  'to-version': { type: 'string' },
  ...PAGE_OPTIONS,
  ...OUTPUT_OPTIONS,
} as const;

export const RANGE_USAGE = `  --since T         only events at or after T (event time)
  --until T         only events before T (exclusive)
  --from-version N  only versions ≥ N
  --to-version N    only versions ≤ N
${OUTPUT_USAGE}
${PAGE_USAGE}
Times: ${TIME_FORMS}.`;

/** The ARN and the log range a `history`/`changes` call asks for, validated. */
export function parseRange(values: Record<string, unknown>, positionals: string[]) {
  const arn = parseArnArg(positionals[0], '<arn>', LOG_ARN_TYPES);
  const fromVersion = parseInteger(values['from-version'], '--from-version');
  const toVersion = parseInteger(values['to-version'], '--to-version');
  if (fromVersion !== undefined && toVersion !== undefined && fromVersion > toVersion) {
    throw new UsageError(`the version range is reversed: --from-version ${fromVersion} > --to-version ${toVersion}`);
  }
  return { arn, query: { ...parseWindow(values), fromVersion, toVersion, pageSize: parsePageSize(values) } };
}

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

const command: Command = {
  summary: 'every version of one task, container instance or service, oldest first (from the log)',
  usage: `Usage: ecs-events history <arn> [options]

Every logged version of one task, container instance or service, oldest first: event time,
lastStatus/desiredStatus (instances: status, agentConnected; services: event type and name),
stopCode, stoppedReason and container exit codes.

${RANGE_USAGE}`,
  positionals: 1,
  options: RANGE_OPTIONS,
  async run({ values, positionals }) {
    const { arn, query } = parseRange(values, positionals);
    const settings = outputSettings(values);
    return withStore(async ({ doc, tables }) => {
      await emit(mapItems(queryLog(doc, tables.eventLog, arn, query), historyRow), historyView(arn), settings);
      return 0;
    });
  },
};

export default command;
