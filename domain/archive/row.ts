import { CALL_DETAIL_TYPE } from '../apiCalls/actions.js';
import { principalOf } from '../apiCalls/principal.js';
import { stoppedExitCode } from '../audit/stopped.js';
import { isObject } from '../canonical.js';
import { decodeEvent } from '../eventCodec.js';
import keySuffixes from '../keySuffixes.cjs';
import { kindOfItem } from '../kinds.js';
import { serviceOfGroup } from '../lifecycle/tasks.js';
import { TASK_TIMES } from '../lifecycle/versions.js';
import { parseIsoTime } from '../time.js';
import { clusterOfTimelineKey } from '../timeline.js';
import { type ArchiveColumnName, dayOf } from './schema.js';

/**
 * One archive row as JSON: what `export` stages, what the archiver sends to Firehose (whose
 * conversion reads timestamps as epoch milliseconds, `TimestampFormats: [millis]`), one key per
 * column of domain/archive/schema.ts plus `day`, the partition. Absent values are null.
 */
export type ArchiveRow = Record<ArchiveColumnName, unknown> & { readonly day: string };

/** Why a log item is not archived: counted by every caller, never dropped silently. */
export type SkipReason = 'marker' | 'unreadable';

export type ArchiveOutcome =
  | { readonly type: 'row'; readonly row: ArchiveRow }
  | { readonly type: 'skip'; readonly reason: SkipReason; readonly message: string };

const { KEY_SUFFIXES } = keySuffixes;
/** Suffixes of items that are not events: the projector's tamper markers and the operator's trust marks. */
const MARKER_SUFFIXES = [KEY_SUFFIXES.tampered.suffix, KEY_SUFFIXES.tamperTrusted.suffix];
/** Every non-empty suffix, longest first, to find an item's resource. */
const SUFFIXES = Object.values(KEY_SUFFIXES)
  .map((s) => s.suffix)
  .filter((s) => s !== '')
  .sort((a, b) => b.length - a.length);

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const time = (v: unknown): number | null => parseIsoTime(v) ?? null;

/** The resource of a partition key: the key without its suffix. */
export function resourceOfKey(arn: string): string {
  const suffix = SUFFIXES.find((s) => arn.endsWith(s) && arn.length > s.length);
  return suffix === undefined ? arn : arn.slice(0, -suffix.length);
}

const taskDefinitionLabel = (arn: string | null): string | null => {
  if (arn === null) return null;
  const at = arn.indexOf('task-definition/');
  return at >= 0 ? arn.slice(at + 'task-definition/'.length) : arn;
};

/** The service name of a service ARN (`service/<cluster>/<name>` or the old `service/<name>`). */
const serviceName = (arn: string): string | null => {
  const at = arn.indexOf(':service/');
  return at < 0
    ? null
    : (arn
        .slice(at + ':service/'.length)
        .split('/')
        .at(-1) ?? null);
};

function containersOf(value: unknown): unknown[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter(isObject).map((c) => ({
    name: str(c.name),
    image: str(c.image),
    last_status: str(c.lastStatus),
    exit_code: int(c.exitCode),
    reason: str(c.reason),
  }));
}

/**
 * The archive row of one log item (as DynamoDB returns it, or a stream image unmarshalled): every
 * column from the decoded event and the item's keys, so that any item of any format, whichever
 * kind it is, gives its row. Tamper markers and trust marks are not events: skipped as `marker`.
 */
export function archiveRowOf(item: Record<string, unknown>): ArchiveOutcome {
  const arn = item.arn;
  const version = item.version;
  if (typeof arn !== 'string' || typeof version !== 'number')
    return { type: 'skip', reason: 'unreadable', message: `log item without a string arn and a number version` };
  if (MARKER_SUFFIXES.some((s) => arn.endsWith(s)))
    return { type: 'skip', reason: 'marker', message: `${arn} v${version}: a marker, not an event` };
  let event: Record<string, unknown>;
  let text: string;
  try {
    text = decodeEvent(item.event);
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) throw new Error('the event is not an object');
    event = parsed;
  } catch (e) {
    return { type: 'skip', reason: 'unreadable', message: `${arn} v${version}: ${(e as Error).message}` };
  }
  const detail = isObject(event.detail) ? event.detail : {};
  const detailType = str(item.detailType) ?? str(event['detail-type']) ?? '';
  const eventTime = typeof item.eventTime === 'number' ? item.eventTime : (parseIsoTime(event.time) ?? 0);
  const kind = kindOfItem(detailType, arn) ?? 'unknown';
  const resource = resourceOfKey(arn);
  const isTask = detailType.includes('Task') && 'taskArn' in detail;
  // An ECS call or a call on the store itself: both are CloudTrail records, with a principal.
  const isCall = detailType === CALL_DETAIL_TYPE;
  const group = str(detail.group);
  const taskDefinitionArn = str(detail.taskDefinitionArn);
  const lastStatus = str(detail.lastStatus);
  const principal = isCall ? principalOf(detail.userIdentity) : undefined;
  const times = Object.fromEntries(
    TASK_TIMES.map((f) => [f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), time(detail[f])]),
  );
  const row: ArchiveRow = {
    arn,
    version,
    kind,
    detail_type: detailType,
    event_id: str(item.eventId) ?? str(event.id),
    account: str(event.account),
    region: str(event.region),
    cluster:
      str(item.clusterArn) ??
      clusterOfTimelineKey(item.timelineKey) ??
      (isCall ? null : str(detail.clusterArn)) ??
      null,
    resource,
    event_time: eventTime,
    ingested_at: typeof item.ingestedAt === 'number' ? item.ingestedAt : null,
    last_status: lastStatus,
    desired_status: str(detail.desiredStatus),
    status: str(detail.status),
    agent_connected: bool(detail.agentConnected),
    stop_code: str(detail.stopCode),
    event_type: str(detail.eventType),
    event_name: str(detail.eventName),
    task_group: group,
    service: isTask ? serviceOfGroup(group ?? undefined) : serviceName(resource),
    task_definition: taskDefinitionLabel(taskDefinitionArn),
    launch_type: str(detail.launchType),
    capacity_provider: str(detail.capacityProviderName),
    stopped_reason: str(detail.stoppedReason),
    exit_code: isTask && lastStatus === 'STOPPED' ? stoppedExitCode(detail.containers) : null,
    created_at: times.created_at ?? null,
    pull_started_at: times.pull_started_at ?? null,
    pull_stopped_at: times.pull_stopped_at ?? null,
    started_at: times.started_at ?? null,
    stopping_at: times.stopping_at ?? null,
    execution_stopped_at: times.execution_stopped_at ?? null,
    stopped_at: times.stopped_at ?? null,
    updated_at: time(detail.updatedAt) ?? (isTask ? null : time(detail.createdAt)),
    containers: containersOf(detail.containers),
    deployment_id: str(detail.deploymentId),
    reason: str(detail.reason),
    principal: principal?.name ?? null,
    principal_arn: principal?.arn ?? null,
    action: isCall ? str(detail.eventName) : null,
    error_code: isCall ? str(detail.errorCode) : null,
    event: text,
    day: dayOf(eventTime),
  };
  return { type: 'row', row };
}

/** One row as a staged line: the Firehose record, plus its size (to cut files as Firehose buffers would). */
export function stagedLine(row: ArchiveRow): string {
  const json = JSON.stringify(row);
  return `${json.slice(0, -1)},"record_bytes":${Buffer.byteLength(json) + 1}}\n`;
}
