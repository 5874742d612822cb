import { kindOf } from '../../domain/audit/history.js';
import { mergeByTime } from '../../domain/audit/merge.js';
import type { TimelineEntry } from '../../domain/audit/timeline.js';
import { compareTimeline, timelineWordOf } from '../../domain/audit/timeline.js';
import {
  detailTypesOf,
  isTimelineType,
  KINDS,
  kindsOfTimelineTypes,
  otherTypesIn,
  resourceOfPartitionKey,
  TIMELINE_TYPES,
  type TimelineType,
} from '../../domain/kinds.js';
import { resourceOfLogKey } from '../../domain/otherEvents.js';
import { toIso } from '../../domain/time.js';
import { type CallTimelineEntry, queryCallTimeline } from '../../infra/callQueries.js';
import { queryTimeline } from '../../infra/logQueries.js';
import { parseWindow, TIME_NOTE, WINDOW_OPTIONS } from '../args.js';
import { CLUSTER_SCOPE_OPTIONS, isSingleCluster, parseClusterScope, withOriginColumns } from '../clusterScope.js';
import { UsageError } from '../command.js';
import { LOG_CALLS, LOG_TIMELINE, STATE } from '../iamTargets.js';
import { listingCommand } from '../listing.js';
import { shortArn, type View } from '../output.js';

/** `--type task,service` → the detail-types to keep (undefined: all). */
function parseTypes(value: unknown): TimelineType[] | undefined {
  if (value === undefined) return undefined;
  const types = String(value)
    .split(',')
    .map((t) => t.trim());
  const bad = types.filter((t) => !isTimelineType(t));
  if (bad.length > 0) {
    throw new UsageError(
      `--type must be one or more of ${TIMELINE_TYPES.join(', ')} (comma-separated), got ${JSON.stringify(value)}`,
    );
  }
  return types as TimelineType[];
}

/** A timeline row: an event of the cluster timeline index, or an ECS API call (with who made it). */
type Row = TimelineEntry & Partial<Pick<CallTimelineEntry, 'principal' | 'errorCode'>>;

/** The `--type` word of the API calls, read from the calls index rather than the timeline index. */
const CALL_TYPE: TimelineType = KINDS.apiCall.labels.timelineType;

/** The resource of a log key: an `#other` or `#call` key without its suffix. */
const resourceOf = (arn: string): string => resourceOfPartitionKey(KINDS.apiCall, arn) ?? resourceOfLogKey(arn);

/** The word a timeline row shows for an event: its kind's timeline word (domain/kinds.ts). */
const typeWord = timelineWordOf;

function timelineJson(e: Row) {
  return {
    eventTime: toIso(e.eventTime),
    type: typeWord(e.detailType),
    detailType: e.detailType,
    arn: e.arn,
    ...(['other', 'apiCall'].includes(kindOf(e.detailType)) && { resourceArn: resourceOf(e.arn) }),
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
    ...(e.principal !== undefined && { principal: e.principal }),
    ...(e.errorCode !== undefined && { errorCode: e.errorCode }),
  };
}

function detailText(e: Row): string {
  const parts: string[] = [];
  if (e.principal !== undefined) parts.push(`by ${e.principal}`);
  if (e.errorCode !== undefined) parts.push(`failed ${e.errorCode}`);
  if (e.desiredStatus !== undefined) parts.push(`desired=${e.desiredStatus}`);
  if (e.agentConnected !== undefined) parts.push(`agentConnected=${e.agentConnected}`);
  if (e.stopCode !== undefined) parts.push(`stopCode=${e.stopCode}`);
  if (e.eventType !== undefined) parts.push(e.eventType);
  // An event of another ECS type says which (the index holds no body, so only its summary fields).
  if (kindOf(e.detailType) === 'other') parts.push(e.detailType);
  return parts.join(' ');
}

const view: View<Row> = {
  headers: ['EVENT TIME', 'TYPE', 'RESOURCE', 'VERSION', 'STATUS', 'DETAIL'],
  rows: (e) => [
    [
      toIso(e.eventTime),
      typeWord(e.detailType),
      shortArn(resourceOf(e.arn)),
      e.version,
      e.lastStatus ?? e.status ?? e.eventName,
      detailText(e),
    ],
  ],
  json: timelineJson,
  empty: 'no events of this cluster in the window',
};

export default listingCommand({
  summary: 'every event of a cluster in a time window, in time order (from the log)',
  uses: [
    {
      // A cluster name (not an ARN) is looked up in the latest-state tables: a Scan.
      use: 'timeline --cluster <name> --since T',
      role: 'reader',
      grants: [
        { actions: ['Query'], on: [LOG_TIMELINE, LOG_CALLS] },
        { actions: ['Scan'], on: STATE },
      ],
      argv: (f) => ['timeline', '--cluster', f.clusterArn.split('/').at(-1) as string, '--since', '1d'],
    },
  ],
  about: `Task, container-instance, service-action and deployment events of one cluster with an event time
in [since, until): since inclusive, until exclusive (default now), in time order (ties: by ARN,
then version), the events of other ECS types (type "other", their detail-type in DETAIL), and the
ECS API calls CloudTrail delivered (type "call": the action, and who made it in DETAIL).
Deployment events carry no cluster: they are placed by their service ARN, so old-format
service/<name> ARNs cannot appear here; other events are placed by detail.clusterArn or by a
new-format resource ARN (task/<cluster>/<id>, ...), and those with neither appear on no timeline.`,
  options: {
    ...CLUSTER_SCOPE_OPTIONS,
    ...WINDOW_OPTIONS,
    type: {
      type: 'string',
      value: 'LIST',
      help: 'task, instance, service (service actions and deployments), call (ECS API calls) and/or other (any other ECS type), comma-separated',
    },
    status: {
      type: 'string',
      value: 'S',
      help: 'only events whose lastStatus (tasks), status (instances) or eventName (services, calls: the action) is S',
    },
  },
  notes: [TIME_NOTE],
  parse: ({ values }) => ({
    window: parseWindow(values, { sinceRequired: true, untilDefaultsToNow: true }),
    types: parseTypes(values.type),
    scope: parseClusterScope(values),
    status: values.status as string | undefined,
  }),
  list: async (clients, { window, types, scope, status }, pageSize) => {
    const range = { sinceMs: window.sinceMs as number, untilMs: window.untilMs as number };
    // The cluster timeline index holds the events; the calls are in the calls index (domain/apiCalls/callIndex.ts).
    const eventTypes = types?.filter((t) => t !== CALL_TYPE);
    const withCalls = types === undefined || types.includes(CALL_TYPE);
    const timelineOf = (clusterArn: string): AsyncIterable<Row> => {
      const events =
        eventTypes === undefined || eventTypes.length > 0
          ? queryTimeline(clients.doc, clients.tables.eventLog, clusterArn, {
              ...range,
              detailTypes: eventTypes && detailTypesOf(kindsOfTimelineTypes(eventTypes)),
              otherTypes: eventTypes && otherTypesIn(kindsOfTimelineTypes(eventTypes)),
              status,
              pageSize,
            })
          : undefined;
      const calls = withCalls
        ? queryCallTimeline(
            clients.doc,
            clients.tables.eventLog,
            clusterArn,
            { ...range, action: status },
            { pageSize },
          )
        : undefined;
      const sources = [events, calls].filter((x): x is AsyncGenerator<Row> => x !== undefined);
      return sources.length === 1
        ? (sources[0] as AsyncGenerator<Row>)
        : mergeByTime(sources, (e) => e.eventTime, compareTimeline);
    };
    // Several clusters (--account / --region): their timelines merged into one, in the same order.
    const clusterArns = await clients.clusters(scope);
    return {
      items:
        clusterArns.length === 1
          ? timelineOf(clusterArns[0] as string)
          : mergeByTime(clusterArns.map(timelineOf), (e) => e.eventTime, compareTimeline),
      view: isSingleCluster(scope) ? view : withOriginColumns(view, (e) => e.clusterArn ?? e.arn),
    };
  },
});
