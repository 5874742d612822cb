import { kindOf } from '../../domain/audit/history.js';
import {
  detailTypesOf,
  isTimelineType,
  TIMELINE_TYPES,
  type TimelineEntry,
  type TimelineType,
} from '../../domain/audit/timeline.js';
import { toIso } from '../../domain/time.js';
import { queryTimeline } from '../../infra/logQueries.js';
import { PAGE_OPTIONS, PAGE_USAGE, parsePageSize, parseWindow, TIME_FORMS } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { emit, OUTPUT_OPTIONS, OUTPUT_USAGE, outputSettings, shortArn, type View } from '../output.js';
import { withStore } from '../store.js';

/** `--type task,service` → the detail-types to keep (undefined: all). */
export function parseTypes(value: unknown): TimelineType[] | undefined {
  if (value === undefined) return undefined;
  const types = String(value)
    .split(',')
    .map((t) => t.trim());
  const bad = types.filter((t) => !isTimelineType(t));
  if (bad.length > 0 || types.length === 0) {
    throw new UsageError(
      `--type must be one or more of ${Object.keys(TIMELINE_TYPES).join(', ')} (comma-separated), got ${JSON.stringify(value)}`,
    );
  }
  return types as TimelineType[];
}

/** The word a timeline row shows for an event: the same words `--type` takes (deployments apart). */
const typeWord = (detailType: string): string => {
  const kind = kindOf(detailType);
  return kind === 'serviceAction' ? 'service' : kind;
};

export function timelineJson(e: TimelineEntry) {
  return {
    eventTime: toIso(e.eventTime),
    type: typeWord(e.detailType),
    detailType: e.detailType,
    arn: e.arn,
    version: e.version,
    ...(e.clusterArn !== undefined && { clusterArn: e.clusterArn }),
    ...(e.eventId !== undefined && { eventId: e.eventId }),
    ...(e.lastStatus !== undefined && { lastStatus: e.lastStatus }),
    ...(e.desiredStatus !== undefined && { desiredStatus: e.desiredStatus }),
    ...(e.status !== undefined && { status: e.status }),
    ...(e.agentConnected !== undefined && { agentConnected: e.agentConnected }),
    ...(e.stopCode !== undefined && { stopCode: e.stopCode }),
    ...(e.eventType !== undefined && { eventType: e.eventType }),
    ...(e.eventName !== undefined && { eventName: e.eventName }),
  };
}

function detailText(e: TimelineEntry): string {
  const parts: string[] = [];
  if (e.desiredStatus !== undefined) parts.push(`desired=${e.desiredStatus}`);
  if (e.agentConnected !== undefined) parts.push(`agentConnected=${e.agentConnected}`);
  if (e.stopCode !== undefined) parts.push(`stopCode=${e.stopCode}`);
  if (e.eventType !== undefined) parts.push(e.eventType);
  return parts.join(' ');
}

const view: View<TimelineEntry> = {
  headers: ['EVENT TIME', 'TYPE', 'RESOURCE', 'VERSION', 'STATUS', 'DETAIL'],
  rows: (e) => [
    [
      toIso(e.eventTime),
      typeWord(e.detailType),
      shortArn(e.arn),
      e.version,
      e.lastStatus ?? e.status ?? e.eventName,
      detailText(e),
    ],
  ],
  json: timelineJson,
  empty: 'no events of this cluster in the window',
};

const command: Command = {
  summary: 'every event of a cluster in a time window, in time order (from the log)',
  usage: `Usage: ecs-events timeline --cluster <arn or name> --since T [--until T] [options]

Task, container-instance, service-action and deployment events of one cluster with an event time
in [since, until): since inclusive, until exclusive (default now), in time order (ties: by ARN,
then version). Deployment events carry no cluster: they are placed by their service ARN, so
old-format service/<name> ARNs cannot appear here.

  --cluster C       cluster ARN, or a name found in the latest-state tables (required)
  --since T         start of the window, inclusive (required)
  --until T         end of the window, exclusive (default: now)
  --type LIST       task, instance and/or service (service actions and deployments), comma-separated
  --status S        only events whose lastStatus (tasks), status (instances) or eventName (services) is S
${OUTPUT_USAGE}
${PAGE_USAGE}
Times: ${TIME_FORMS}.`,
  options: {
    cluster: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    type: { type: 'string' },
    status: { type: 'string' },
    ...OUTPUT_OPTIONS,
    ...PAGE_OPTIONS,
  },
  async run({ values }) {
    const window = parseWindow(values, { sinceRequired: true, untilDefaultsToNow: true });
    const types = parseTypes(values.type);
    const settings = outputSettings(values);
    const pageSize = parsePageSize(values);
    return withStore(async (store) => {
      const clusterArn = await store.cluster(values.cluster);
      const entries = queryTimeline(store.doc, store.tables.eventLog, clusterArn, {
        sinceMs: window.sinceMs as number,
        untilMs: window.untilMs as number,
        detailTypes: types && detailTypesOf(types),
        status: values.status as string | undefined,
        pageSize,
      });
      await emit(entries, view, settings);
      return 0;
    });
  },
};

export default command;
