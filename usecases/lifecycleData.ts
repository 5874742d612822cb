import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CallEntry } from '../domain/apiCalls/joins.js';
import { callVersion } from '../domain/apiCalls/parseCall.js';
import { detailOf, type StoredEvent } from '../domain/audit/storedEvent.js';
import type { TimelineEntry } from '../domain/audit/timeline.js';
import { isObject } from '../domain/canonical.js';
import { chunks } from '../domain/chunks.js';
import { KINDS, partitionKeyOf } from '../domain/kinds.js';
import type { LifecycleInput } from '../domain/lifecycle/report.js';
import { type ReportWindow, serviceOfGroup } from '../domain/lifecycle/tasks.js';
import {
  INSTANCE_HEALTH_CHANGE,
  INSTANCE_STATE_CHANGE,
  type InstanceHealth,
  type InstanceVersion,
  instanceHealthOf,
  instanceVersionOf,
  TASK_STATE_CHANGE,
  type TaskVersion,
  taskVersionOf,
} from '../domain/lifecycle/versions.js';
import { SERVICE_DETAIL_TYPES, type ServiceLogEvent } from '../domain/serviceEvents.js';
import { queryCalls } from '../infra/callQueries.js';
import type { TableNames } from '../infra/config.js';
// The only file of the report that reads the log: when the gateways move, fix these imports.
import { logStateAt, queryLog, queryTimeline, readStoredEvents } from '../infra/logQueries.js';
import { queryClusterState, queryLiveClusterRows } from '../infra/stateQueries.js';
import { deploymentEventsOf } from './audit.js';
import { inParallel } from './inParallel.js';

export interface LifecycleReadOptions {
  /** DynamoDB `Limit` per request (tests force paging with small values). */
  readonly pageSize?: number | undefined;
  /** Queries in flight for per-resource reads (default 16). */
  readonly concurrency?: number | undefined;
  /** `stats` needs the tasks only. */
  readonly tasksOnly?: boolean | undefined;
}

/** Keys per readStoredEvents call; each call is a few BatchGetItems of 100. */
const BODY_CHUNK = 500;

/**
 * What the lifecycle report of one cluster and window needs from the store, as compact records:
 *
 * - every event of the window from the cluster timeline, with the bodies of the task, instance and
 *   health events (service actions only name the services);
 * - the earlier history of tasks that were created before the window (queried per task, up to since);
 * - tasks with no event in the window that were alive through it (a latest-state row not STOPPED, or,
 *   for a window in the past, STOPPED after it; created before its end): their history up to until;
 * - per container instance (seen, or in the latest-state table), the version in force at since;
 * - per service (of the tasks' groups, or with service events in the window), its deployment events
 *   from DEPLOYMENT_LOOKBACK_MS before since, as `deployments` reads them.
 *
 * Events at or after `until` are not read (a task STOPPED later shows as running to the window's end).
 */
export async function readLifecycleInput(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  clusterArn: string,
  window: ReportWindow,
  options: LifecycleReadOptions = {},
): Promise<LifecycleInput> {
  const { pageSize } = options;
  const concurrency = options.concurrency ?? 16;
  const log = tables.eventLog;
  const wanted = options.tasksOnly ? new Set<string>([TASK_STATE_CHANGE]) : undefined;

  const bodyKeys: TimelineEntry[] = [];
  const serviceArns = new Set<string>();
  for await (const e of queryTimeline(doc, log, clusterArn, { ...window, pageSize })) {
    if (SERVICE_DETAIL_TYPES.has(e.detailType)) serviceArns.add(e.arn);
    else if (!wanted || wanted.has(e.detailType)) bodyKeys.push(e);
  }

  const tasks: TaskVersion[] = [];
  const instances: InstanceVersion[] = [];
  const health: InstanceHealth[] = [];
  const take = (item: StoredEvent) => {
    if (item.detailType === TASK_STATE_CHANGE) tasks.push(taskVersionOf(item));
    else if (item.detailType === INSTANCE_STATE_CHANGE) instances.push(instanceVersionOf(item));
    else if (item.detailType === INSTANCE_HEALTH_CHANGE) {
      const h = instanceHealthOf(item);
      if (h) health.push(h);
    }
  };
  await inParallel(chunks(bodyKeys, BODY_CHUNK), 4, async (keys) => {
    for (const item of await readStoredEvents(doc, log, keys)) take(item);
  });

  // Tasks of the window that began before it: their versions before since.
  const seen = new Set(tasks.map((t) => t.taskArn));
  const earlier = new Set<string>();
  const lowest = new Map<string, TaskVersion>();
  for (const t of tasks) {
    const l = lowest.get(t.taskArn);
    if (!l || t.version < l.version) lowest.set(t.taskArn, t);
  }
  for (const [arn, t] of lowest) {
    const created = t.times.createdAt;
    if (created === undefined ? t.version > 1 : created < window.sinceMs) earlier.add(arn);
  }
  // Alive through the window without an event in it: known from the latest-state table. The live
  // rows are read by the index's phase; STOPPED rows (30 days of them) only for a window that ended
  // before now, where a task stopped after `until` may have run through it.
  const through: string[] = [];
  const rowSets = [
    queryLiveClusterRows(doc, tables, 'task', clusterArn, { pageSize }),
    ...(window.untilMs < Date.now()
      ? [queryClusterState(doc, tables, 'task', clusterArn, { pageSize, status: 'STOPPED' })]
      : []),
  ];
  await inParallel(rowSets, concurrency, async (rows) => {
    for await (const row of rows) {
      const arn = row.taskArn;
      if (typeof arn !== 'string' || seen.has(arn)) continue;
      const created = Date.parse(String(row.createdAt ?? ''));
      const eventTime = typeof row.eventTime === 'number' ? row.eventTime : Number.NaN;
      const alive = row.lastStatus !== 'STOPPED' || !(eventTime < window.untilMs);
      if (alive && !(created >= window.untilMs)) through.push(arn);
    }
  });
  const history = async (arn: string, untilMs: number) => {
    for await (const item of queryLog(doc, log, arn, { untilMs, pageSize })) take(item);
  };
  await inParallel([...earlier], concurrency, (arn) => history(arn, window.sinceMs));
  await inParallel(through, concurrency, (arn) => history(arn, window.untilMs));
  if (options.tasksOnly) return { tasks, instances: [], health: [], deploymentEvents: [] };

  // The state of each instance at since.
  const instanceArns = new Set(instances.map((i) => i.containerInstanceArn));
  for await (const row of queryClusterState(doc, tables, 'instance', clusterArn, { pageSize })) {
    if (typeof row.containerInstanceArn === 'string') instanceArns.add(row.containerInstanceArn);
  }
  await inParallel([...instanceArns], concurrency, async (arn) => {
    const item = await logStateAt(doc, log, arn, window.sinceMs - 1, { pageSize });
    if (item) take(item);
  });

  // Deployments of the services in play.
  for (const t of tasks) {
    if (t.group?.startsWith('service:')) serviceArns.add(serviceArnOf(clusterArn, serviceOfGroup(t.group)));
  }
  const deploymentEvents: ServiceLogEvent[] = [];
  await inParallel([...serviceArns], concurrency, async (arn) => {
    deploymentEvents.push(...(await deploymentEventsOf(doc, log, arn, window, { pageSize })));
  });
  return { tasks, instances, health, deploymentEvents };
}

/** `arn:aws:ecs:r:a:cluster/prod` + `web` → `arn:aws:ecs:r:a:service/prod/web` (the new ARN format). */
const serviceArnOf = (clusterArn: string, name: string): string =>
  `${clusterArn.replace(':cluster/', ':service/')}/${name}`;

/** A call of the report: its calls-index entry, and the reason its request gave when one was read. */
export interface ReportCall extends CallEntry {
  /** StopTask's `reason`, UpdateContainerInstancesState's `status`; undefined when none or not read. */
  readonly reason?: string;
}

/** The calls whose request names a reason (or a status), which the calls index does not project. */
export const REASON_ACTIONS: ReadonlyMap<string, 'reason' | 'status'> = new Map([
  ['StopTask', 'reason'],
  ['UpdateContainerInstancesState', 'status'],
]);

/** At most this many call items are read for their reason (BatchGetItem of 100 keys each): 4 requests. */
export const REASON_READS = 400;

/**
 * The ECS API calls of a cluster in the window, for the report: the calls index (one Query per UTC
 * day, infra/callQueries.ts), and, for the first REASON_READS StopTask and
 * UpdateContainerInstancesState calls (one item per call, not per resource), the reason of the
 * request from the call's log item, whose key is a pure function of the entry (its resource's
 * `#call` partition, the version of its event time and id). The others keep no reason.
 */
export async function readReportCalls(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  clusterArn: string,
  window: ReportWindow,
  options: Pick<LifecycleReadOptions, 'pageSize'> = {},
): Promise<{ calls: ReportCall[]; reasonsSkipped: number }> {
  const entries = await queryCalls(doc, tables.eventLog, clusterArn, window, { pageSize: options.pageSize });
  const wanted = new Map<string, CallEntry>();
  const asking = new Set<string>();
  for (const c of entries) {
    if (!REASON_ACTIONS.has(c.action) || asking.has(c.eventId)) continue;
    asking.add(c.eventId);
    if (wanted.size < REASON_READS) wanted.set(c.eventId, c);
  }
  const reasons = new Map<string, string>();
  const keys = [...wanted.values()].map((c) => ({
    arn: partitionKeyOf(KINDS.apiCall, c.resourceArn),
    version: callVersion(c.eventTime, c.eventId),
  }));
  for (const item of await readStoredEvents(doc, tables.eventLog, keys)) {
    const detail = detailOf(item);
    const field = REASON_ACTIONS.get(String(detail.eventName));
    const request = isObject(detail.requestParameters) ? detail.requestParameters : {};
    const value = field === undefined ? undefined : request[field];
    if (typeof value === 'string' && value !== '' && typeof detail.eventID === 'string')
      reasons.set(detail.eventID, value);
  }
  const calls = entries.map((c): ReportCall => {
    const reason = reasons.get(c.eventId);
    return reason === undefined ? c : { ...c, reason };
  });
  return { calls, reasonsSkipped: asking.size - wanted.size };
}
