import { parseEcsArn } from './arn.js';
import { isObject } from './canonical.js';
import type { EcsEvent, ParsedEvent } from './eventTypes.js';
import {
  KINDS,
  missingKindOf,
  type ObservedKind,
  observationKindOf,
  observedPartition,
  type StateKind,
} from './kinds.js';
import { type IngestStamp, type LogItem, toLogItem } from './logItem.js';
import { MAX_EVENT_BYTES } from './parseEvent.js';
import { redactOverrideEnvironment } from './redact.js';
import { toIso } from './time.js';

/**
 * What the reconciler learns from the ECS API, as log items (invariant 4: it enters through the log,
 * marked with where it came from). Two shapes:
 * - an observation: the Task or ContainerInstance DescribeTasks / DescribeContainerInstances returned,
 *   converted to the shape of the event's `detail` (ISO timestamps, the event's field names, tags
 *   kept), with the API's real `version`, under `<arn>#observed` + that version;
 * - a missing mark: ECS did not know a resource whose row was not terminal, under
 *   `<arn>#observed-missing` + the version of that row. It invents no version: it is never a state,
 *   only a mark the projector folds into the row of that very version (`lastSeenMissingAt`).
 */

/** The envelope `source` of everything the reconciler appends: never `aws.ecs`. */
export const OBSERVATION_SOURCE = 'ecs-events.reconciler';

/** Which API call answered, kept in the envelope (`observedBy`). */
export type ObservingApi = 'DescribeTasks' | 'DescribeContainerInstances';

const API_OF: Record<StateKind, ObservingApi> = {
  task: 'DescribeTasks',
  instance: 'DescribeContainerInstances',
};

type Json = Record<string, unknown>;

/** Resource values the API fills with zeros for every type; an event carries only the one of its `type`. */
const RESOURCE_VALUE_FIELD: Record<string, string> = {
  INTEGER: 'integerValue',
  LONG: 'longValue',
  DOUBLE: 'doubleValue',
  STRINGSET: 'stringSetValue',
};
const RESOURCE_VALUE_FIELDS = new Set(Object.values(RESOURCE_VALUE_FIELD));

/** JSON of an SDK value: Date → ISO string (events carry ISO, the API epoch seconds), undefined dropped. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (Array.isArray(value)) return value.map(plain).filter((v) => v !== undefined);
  if (isObject(value)) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      const p = plain(v);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return value;
}

/** A `Resource` as events carry it: name, type and the one value field of that type. */
function eventResource(r: unknown): unknown {
  if (!isObject(r)) return r;
  const keep = RESOURCE_VALUE_FIELD[String(r.type)];
  if (keep === undefined) return r;
  return Object.fromEntries(Object.entries(r).filter(([k]) => !RESOURCE_VALUE_FIELDS.has(k) || k === keep));
}

/** Container `managedAgents[]`: the API says `lastStatus`, the event says `status`. */
function eventManagedAgent(a: unknown): unknown {
  if (!isObject(a) || !('lastStatus' in a) || 'status' in a) return a;
  const { lastStatus, ...rest } = a;
  return { ...rest, status: lastStatus };
}

/**
 * The `detail` an event of this resource would carry, from the API object: ISO timestamps, the
 * event's field names, every other field (tags included) kept as the API gave it. Pure.
 */
export function toEventDetail(kind: StateKind, apiObject: Json): Json {
  const detail = plain(apiObject) as Json;
  if (kind === 'task' && Array.isArray(detail.containers)) {
    detail.containers = detail.containers.map((c) =>
      isObject(c) && Array.isArray(c.managedAgents)
        ? { ...c, managedAgents: c.managedAgents.map(eventManagedAgent) }
        : c,
    );
  }
  if (kind === 'instance') {
    for (const field of ['registeredResources', 'remainingResources']) {
      if (Array.isArray(detail[field])) detail[field] = (detail[field] as unknown[]).map(eventResource);
    }
  }
  return detail;
}

/** Why an API object cannot be logged as an observation (report only). */
export type UnobservableReason = 'noVersion' | 'invalid' | 'tooLarge';

/** The API object's `version` when it is one the log may order by (invariant 5), else undefined. */
export function apiVersion(apiObject: Json): number | undefined {
  const v = apiObject.version;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

export interface ObservationInput {
  readonly kind: StateKind;
  /** The Task or ContainerInstance as the SDK returned it. */
  readonly apiObject: Json;
  /** The cluster it was described in: a ContainerInstance object does not name it, its events do. */
  readonly clusterArn: string;
  /** When the API answered, epoch ms. */
  readonly observedAt: number;
  /** Identifies this observation (a ULID), like an event's `id`. */
  readonly id: string;
  /** As ingest: replace container-override environment values by a marker. */
  readonly redactEnvironment: boolean;
}

type Built =
  | { readonly ok: true; readonly item: LogItem }
  | { readonly ok: false; readonly reason: UnobservableReason };

function envelope(kind: ObservedKind, arn: string, observedAt: number, id: string, detail: Json, api: ObservingApi) {
  const parsed = parseEcsArn(arn);
  return {
    version: '0',
    id,
    'detail-type': KINDS[kind].detailType,
    source: OBSERVATION_SOURCE,
    ...(parsed && { account: parsed.account, region: parsed.region }),
    time: toIso(observedAt),
    resources: [arn],
    observedBy: api,
    detail,
  };
}

/** A log item from what ECS returned for one task or instance (the ARN field and a version are required). */
export function observationItem(input: ObservationInput, stamp: IngestStamp): Built {
  const { kind, apiObject, observedAt } = input;
  const version = apiVersion(apiObject);
  if (version === undefined) return { ok: false, reason: 'noVersion' };
  const { arnField, state } = KINDS[kind];
  const arn = apiObject[arnField];
  const status = apiObject[state.statusField];
  const clusterArn = typeof apiObject.clusterArn === 'string' ? apiObject.clusterArn : input.clusterArn;
  if (typeof arn !== 'string' || arn === '') return { ok: false, reason: 'invalid' };
  // The status is an index key of the latest-state table: an empty one could not be stored.
  if (typeof status !== 'string' || status === '') return { ok: false, reason: 'invalid' };
  const observed = observationKindOf(kind);
  const detail = { ...toEventDetail(kind, apiObject), clusterArn };
  const raw = envelope(observed, arn, observedAt, input.id, detail, API_OF[kind]);
  const event = (input.redactEnvironment ? redactOverrideEnvironment(raw as never) : raw) as unknown as EcsEvent;
  // The same bound as ingest's: a log item and its row stay well under DynamoDB's 400 KB.
  if (Buffer.byteLength(JSON.stringify(event), 'utf8') > MAX_EVENT_BYTES) return { ok: false, reason: 'tooLarge' };
  return {
    ok: true,
    item: logItem(observed, observedPartition(observed, arn), version, clusterArn, event, input, stamp),
  };
}

export interface MissingInput {
  readonly kind: StateKind;
  readonly arn: string;
  readonly clusterArn: string;
  /** The version of the row that ECS did not know. */
  readonly rowVersion: number;
  /** What ECS said: DescribeTasks' failure reason (`MISSING`), or `NOT_RETURNED` when it said nothing. */
  readonly reason: string;
  readonly observedAt: number;
  readonly id: string;
}

/** A missing mark: history only, keyed by the version of the row it marks. */
export function missingItem(input: MissingInput, stamp: IngestStamp): LogItem {
  const kind = missingKindOf(input.kind);
  const detail = {
    [KINDS[input.kind].arnField]: input.arn,
    clusterArn: input.clusterArn,
    reason: input.reason,
  };
  const event = envelope(
    kind,
    input.arn,
    input.observedAt,
    input.id,
    detail,
    API_OF[input.kind],
  ) as unknown as EcsEvent;
  return logItem(kind, observedPartition(kind, input.arn), input.rowVersion, input.clusterArn, event, input, stamp);
}

function logItem(
  kind: ObservedKind,
  partition: string,
  version: number,
  clusterArn: string,
  event: EcsEvent,
  input: { readonly observedAt: number; readonly id: string },
  stamp: IngestStamp,
): LogItem {
  const parsed = {
    kind,
    detailType: KINDS[kind].detailType,
    arn: partition,
    version,
    clusterArn,
    eventId: input.id,
    eventTime: input.observedAt,
    event,
  } as unknown as ParsedEvent;
  return toLogItem(parsed, stamp);
}
