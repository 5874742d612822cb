import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CLOCK_SLACK_MS, type DeploymentStarter, deploymentStarter, stoppedBy } from '../domain/apiCalls/joins.js';
import { serviceArnOf } from '../domain/apiCalls/resources.js';
import { isEcsArnOf, parseEcsArn } from '../domain/arn.js';
import { interleaveByTime, mergeByTime } from '../domain/audit/merge.js';
import { StoppedTally, stopKey } from '../domain/audit/stopped.js';
import { detailOf, parseStored, type StoredEvent } from '../domain/audit/storedEvent.js';
import { compareTimeline, type TimelineEntry } from '../domain/audit/timeline.js';
import type { TimeWindow } from '../domain/audit/window.js';
import { DEPLOYMENT_LOOKBACK_MS, type Deployment } from '../domain/deployments.js';
import {
  isMissingKind,
  isObservationKind,
  isStateKind,
  KINDS,
  kindOfDetailType,
  partitionKeyOf,
  partitionsOf,
  type StateKind,
} from '../domain/kinds.js';
import type { LogItem } from '../domain/logItem.js';
import { isOtherPartition, otherPartition } from '../domain/otherEvents.js';
import {
  DEPLOYMENT_STATE_CHANGE,
  type ServiceLogEvent,
  TimeOrderBuffer,
  toServiceLogEvent,
} from '../domain/serviceEvents.js';
import { queryCalls, queryResourceCalls } from '../infra/callQueries.js';
import { type LogQuery, latestOfDetailType, queryLog, queryTimeline, readStoredEvents } from '../infra/logQueries.js';
import type { PageOptions } from '../infra/paging.js';

// Audit queries that join several reads of the log (single reads live in infra/logQueries.ts).

/** BatchGetItem's limit: the join reads bodies one full request at a time. */
const JOIN_BATCH = 100;

/**
 * The stored events of timeline entries (the index projects no event body), in the entries' order:
 * the bodies of each 100 entries in one BatchGetItem. Memory holds one batch.
 */
async function* withStoredEvents(
  doc: DynamoDBDocumentClient,
  table: string,
  entries: AsyncIterable<TimelineEntry>,
): AsyncGenerator<StoredEvent> {
  let batch: TimelineEntry[] = [];
  const flush = async (): Promise<StoredEvent[]> => {
    const keyOf = (e: { arn: string; version: number }) => `${e.arn}#${e.version}`;
    const found = new Map((await readStoredEvents(doc, table, batch)).map((item) => [keyOf(item), item]));
    const events = batch.flatMap((e) => found.get(keyOf(e)) ?? []);
    batch = [];
    return events;
  };
  for await (const entry of entries) {
    batch.push(entry);
    if (batch.length === JOIN_BATCH) yield* await flush();
  }
  if (batch.length > 0) yield* await flush();
}

/**
 * The tasks of a cluster (or of several: --account / --region) that stopped in [since, until), tallied
 * by stop code, reason and exit code (domain/audit/stopped.ts): the STOPPED task events from the
 * timeline index (several clusters' merged by time), their bodies from the log.
 */
/** How long before its STOPPED event a task's StopTask may have been made (stop timeout and more). */
const STOP_LOOKBACK_MS = 15 * 60_000;

export async function tallyStopped(
  doc: DynamoDBDocumentClient,
  table: string,
  clusterArn: string | readonly string[],
  window: { readonly sinceMs: number; readonly untilMs: number },
  options: PageOptions = {},
): Promise<StoppedTally> {
  const stopsOf = (arn: string) =>
    queryTimeline(doc, table, arn, {
      ...window,
      detailTypes: [KINDS.task.detailType],
      status: 'STOPPED',
      pageSize: options.pageSize,
    });
  const clusters = typeof clusterArn === 'string' ? [clusterArn] : clusterArn;
  // The StopTask comes before the STOPPED it causes (the stop timeout, up to 120 s, and the clocks'
  // slack): the calls are read from a little before the window. A call that reaches the store
  // after the STOPPED event is joined at the next query.
  const calls = await queryCalls(
    doc,
    table,
    clusters,
    { sinceMs: window.sinceMs - STOP_LOOKBACK_MS, untilMs: window.untilMs + CLOCK_SLACK_MS },
    options,
  );
  const stops = mergeByTime(clusters.map(stopsOf), (e) => e.eventTime, compareTimeline);
  const tally = new StoppedTally();
  for await (const stored of withStoredEvents(doc, table, stops)) {
    const key = stopKey(detailOf(stored));
    const by = key.stopCode === 'UserInitiated' ? stoppedBy(calls, stored.arn, stored.eventTime) : undefined;
    tally.add(stored.arn, stored.version, key, by?.principal);
  }
  return tally;
}

/** A partition of derived versions (a resource's `#other` events), read in version order, in time order. */
async function* inTimeOrder(items: AsyncIterable<LogItem>): AsyncGenerator<LogItem> {
  const buffer = new TimeOrderBuffer<LogItem>((a, b) => a.eventTime - b.eventTime || a.version - b.version);
  for await (const item of items) yield* buffer.push(item);
  yield* buffer.flush();
}

/**
 * The history of one resource: its own log partition (a task's or instance's versions, a service's
 * events), with the events of other ECS types about it (partition `<arn>#other`: a health change of
 * an instance, a daemon action naming a task, ...) and the ECS API calls about it (`<arn>#call`:
 * who ran, stopped or opened a shell in a task, who updated a service) put between them by event
 * time: two extra Queries.
 * A version range selects versions, which other events do not have: with one, only the resource's
 * own partition is read.
 */
export function resourceHistory(
  doc: DynamoDBDocumentClient,
  table: string,
  arn: string,
  query: LogQuery = {},
): AsyncGenerator<LogItem> {
  const own = withObservations(doc, table, arn, query);
  if (query.fromVersion !== undefined || query.toVersion !== undefined || isOtherPartition(arn)) return own;
  const window = { sinceMs: query.sinceMs, untilMs: query.untilMs, pageSize: query.pageSize };
  const others = inTimeOrder(queryLog(doc, table, otherPartition(arn), window));
  // The ECS API calls about it (RunTask, StopTask, ExecuteCommand, UpdateService, ...): one more Query.
  const calls = inTimeOrder(queryLog(doc, table, partitionKeyOf(KINDS.apiCall, arn), window));
  const time = (item: LogItem) => item.eventTime;
  const history = interleaveByTime(own, interleaveByTime(others, calls, time), time);
  return isEcsArnOf(arn, 'task') ? withDeploymentCall(doc, table, history) : history;
}

/**
 * A task a service deployment started (`startedBy` ecs-svc/..., `group` service:<name>) has no call of
 * its own: the call that started it is the CreateService or UpdateService that answered with that
 * deployment (domain/apiCalls/joins.ts deploymentStarter, a named match only, never a guess). Found in
 * the service's `#call` partition (one more Query) and put into the task's history by time. A task's
 * history is a few items, so it is read whole first.
 */
async function* withDeploymentCall(
  doc: DynamoDBDocumentClient,
  table: string,
  history: AsyncIterable<LogItem>,
): AsyncGenerator<LogItem> {
  const items: LogItem[] = [];
  for await (const item of history) items.push(item);
  const first = items.find((i) => i.detailType === KINDS.task.detailType);
  const detail: Record<string, unknown> = first ? detailOf(first) : {};
  const { startedBy, group, clusterArn } = detail;
  const cluster = typeof clusterArn === 'string' ? parseEcsArn(clusterArn) : undefined;
  if (
    first === undefined ||
    cluster === undefined ||
    typeof startedBy !== 'string' ||
    !startedBy.startsWith('ecs-svc/') ||
    typeof group !== 'string' ||
    !group.startsWith('service:')
  ) {
    yield* items;
    return;
  }
  const service = serviceArnOf(group.slice('service:'.length), cluster.resourceId, cluster) as string;
  const window = { sinceMs: first.eventTime - DEPLOYMENT_LOOKBACK_MS, untilMs: first.eventTime + CLOCK_SLACK_MS };
  const starter = deploymentStarter(await queryResourceCalls(doc, table, service, window), startedBy, first.eventTime);
  const call = starter && !starter.nearest ? starter.call.item : undefined;
  if (call === undefined) {
    yield* items;
    return;
  }
  yield* [...items, call].sort((a, b) => a.eventTime - b.eventTime);
}

/** Instances whose health is read at once (one Query each). */
const HEALTH_CONCURRENCY = 16;

/**
 * Container-instance rows with the `overallStatus` of the instance's latest `ECS Container Instance
 * Health Change` in the log (as `overallStatus`, with its event time as `healthEventTime`), for the
 * rows whose instance has one: one Query of its `#other` partition per row, HEALTH_CONCURRENCY at a
 * time, in the rows' order. The health is history only (never in the row), so it is read here.
 */
export async function* withLatestHealth(
  doc: DynamoDBDocumentClient,
  table: string,
  rows: AsyncIterable<Record<string, unknown>>,
): AsyncGenerator<Record<string, unknown>> {
  const health = async (row: Record<string, unknown>) => {
    const arn = row.containerInstanceArn;
    if (typeof arn !== 'string') return row;
    const item = await latestOfDetailType(doc, table, otherPartition(arn), KINDS.other.named.instanceHealth);
    const overallStatus = item ? parseStored(item).detail.overallStatus : undefined;
    if (item === undefined || typeof overallStatus !== 'string') return row;
    return { ...row, overallStatus, healthEventTime: item.eventTime };
  };
  let batch: Record<string, unknown>[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length === HEALTH_CONCURRENCY) {
      yield* await Promise.all(batch.map(health));
      batch = [];
    }
  }
  yield* await Promise.all(batch.map(health));
}

/** Where an item of one resource's history sorts among items of its version: event, observation, missing mark. */
const ORIGIN_RANK = (item: LogItem): number => {
  const kind = kindOfDetailType(item.detailType);
  return kind === undefined ? 0 : isObservationKind(kind) ? 1 : isMissingKind(kind) ? 2 : 0;
};

/** The ECS resource type of a task or instance ARN, as its latest-state kind. */
function stateKindOfArn(arn: string): StateKind | undefined {
  const type = parseEcsArn(arn)?.resourceType;
  const kind = (Object.keys(KINDS) as (keyof typeof KINDS)[]).find(
    (k) => isStateKind(k) && KINDS[k].resourceType === type,
  );
  return kind !== undefined && isStateKind(kind) ? kind : undefined;
}

/**
 * A task's or instance's log items in version order, with what the reconciler observed of it
 * (`<arn>#observed`: states with the API's version; `<arn>#observed-missing`: missing marks, keyed by
 * the version ECS did not know) merged in; at one version the event comes first. Other ARNs: their log.
 */
function withObservations(
  doc: DynamoDBDocumentClient,
  table: string,
  arn: string,
  query: LogQuery,
): AsyncGenerator<LogItem> {
  const kind = stateKindOfArn(arn);
  if (kind === undefined) return queryLog(doc, table, arn, query);
  const sources = partitionsOf(kind, arn).map((partition) => queryLog(doc, table, partition, query));
  return mergeByTime(
    sources,
    (item) => item.version,
    (a, b) => ORIGIN_RANK(a) - ORIGIN_RANK(b),
  );
}

/**
 * The deployment state changes of one service for a window (the service actions read along with them
 * are dropped), read from DEPLOYMENT_LOOKBACK_MS before `since`, so that a deployment under way at
 * `since` keeps its real start.
 */
export async function deploymentEventsOf(
  doc: DynamoDBDocumentClient,
  log: string,
  serviceArn: string,
  window: TimeWindow,
  options: PageOptions = {},
): Promise<ServiceLogEvent[]> {
  const read = {
    sinceMs: window.sinceMs === undefined ? undefined : window.sinceMs - DEPLOYMENT_LOOKBACK_MS,
    untilMs: window.untilMs,
    pageSize: options.pageSize,
  };
  const events: ServiceLogEvent[] = [];
  for await (const item of queryLog(doc, log, serviceArn, read)) {
    const e = toServiceLogEvent(item);
    if (e?.detailType === DEPLOYMENT_STATE_CHANGE) events.push(e);
  }
  return events;
}

/** A deployment run and who started it, when the log holds the call (domain/apiCalls/joins.ts deploymentStarter). */
export type StartedDeployment = Deployment & { readonly startedBy?: DeploymentStarter };

/**
 * Who started each deployment run of a service: its calls (filed under `service/<cluster>/<name>`,
 * whatever form ECS's events use: an old `service/<name>` ARN takes the cluster its events name, and
 * without one its calls cannot be placed) read in one Query, joined by deploymentStarter. A run the
 * circuit breaker rolled back to was started by ECS, not by the call that first started that id.
 */
export async function withDeploymentStarters(
  doc: DynamoDBDocumentClient,
  log: string,
  serviceArn: string,
  events: readonly ServiceLogEvent[],
  deployments: readonly Deployment[],
  untilMs: number | undefined,
): Promise<StartedDeployment[]> {
  const arn = parseEcsArn(serviceArn);
  const clusterName = parseEcsArn(events.find((e) => e.clusterArn !== undefined)?.clusterArn ?? '')?.resourceId;
  const callsArn =
    arn && (arn.resourceId.includes('/') ? serviceArn : clusterName && serviceArnOf(serviceArn, clusterName, arn));
  if (!callsArn || deployments.length === 0) return [...deployments];
  const sinceMs = Math.min(...deployments.map((d) => d.startTime)) - DEPLOYMENT_LOOKBACK_MS;
  const calls = await queryResourceCalls(doc, log, callsArn, { sinceMs, untilMs });
  return deployments.map((d) => {
    const startedBy = d.rollbackOf === undefined ? deploymentStarter(calls, d.deploymentId, d.startTime) : undefined;
    return startedBy ? { ...d, startedBy } : d;
  });
}
