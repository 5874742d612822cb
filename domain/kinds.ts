/**
 * The one vocabulary of what the log holds. A kind names its EventBridge detail-type, the ECS
 * resource type of the ARN it is keyed by, the `timeline --type` word that selects it, and, for the
 * two kinds whose events carry `detail.version`, the latest-state table it projects into (a table
 * name of the table model, infra/tables.cjs) with that table's key attribute and terminal status.
 * The last kind, `other`, has no single detail-type: it is every other `ECS ...` detail-type, the
 * ones AWS added since the first four (container instance health, daemon actions and deployments,
 * lifecycle hooks) and the ones it will add; history only, keyed by resource (domain/otherEvents.ts).
 * Everything else about kinds (which detail-types a scan reads, which table a row goes to, which
 * ARN form a command accepts) is derived from this table. docs/events.md lists them with their keys.
 */
export const KINDS = {
  task: {
    detailType: 'ECS Task State Change',
    resourceType: 'task',
    arnField: 'taskArn',
    timelineType: 'task',
    state: { table: 'taskState', key: 'taskArn', statusField: 'lastStatus', terminalStatus: 'STOPPED' },
  },
  instance: {
    detailType: 'ECS Container Instance State Change',
    resourceType: 'container-instance',
    arnField: 'containerInstanceArn',
    timelineType: 'instance',
    state: {
      table: 'instanceState',
      key: 'containerInstanceArn',
      statusField: 'status',
      terminalStatus: 'INACTIVE',
    },
  },
  serviceAction: { detailType: 'ECS Service Action', resourceType: 'service', timelineType: 'service' },
  deployment: { detailType: 'ECS Deployment State Change', resourceType: 'service', timelineType: 'service' },
  /**
   * What the reconciler (usecases/reconcile.ts) learned from the ECS API, never from EventBridge:
   * ingest refuses these detail-types (they do not start with "ECS "). An observation is a state of
   * the task or instance it `observes`, with the API's real version, in its own partition
   * `<arn>#observed` so that the real event of that version still appends under `<arn>`. A missing
   * mark says that ECS did not know a resource whose row was not terminal; keyed
   * `<arn>#observed-missing` + the version of that row, it never becomes a state (it `marks` the row).
   */
  taskObserved: {
    detailType: 'Observed Task State',
    resourceType: 'task',
    arnField: 'taskArn',
    timelineType: 'task',
    observes: 'task',
    partitionSuffix: '#observed',
  },
  instanceObserved: {
    detailType: 'Observed Container Instance State',
    resourceType: 'container-instance',
    arnField: 'containerInstanceArn',
    timelineType: 'instance',
    observes: 'instance',
    partitionSuffix: '#observed',
  },
  taskMissing: {
    detailType: 'Observed Task Missing',
    resourceType: 'task',
    arnField: 'taskArn',
    timelineType: 'task',
    marks: 'task',
    partitionSuffix: '#observed-missing',
  },
  instanceMissing: {
    detailType: 'Observed Container Instance Missing',
    resourceType: 'container-instance',
    arnField: 'containerInstanceArn',
    timelineType: 'instance',
    marks: 'instance',
    partitionSuffix: '#observed-missing',
  },
  /**
   * Any other detail-type that starts with "ECS " (the prefix the EventBridge rule matches), named
   * here or not. History only, in the partition `<resource ARN>#other` (domain/otherEvents.ts) with
   * a derived version. A type that gets its own kind later keeps this kind's keys: keys never change.
   */
  other: {
    detailTypePrefix: 'ECS ',
    timelineType: 'other',
    partitionSuffix: '#other',
    /** Types of this kind that some reader looks for by name (samples/aws-docs has an example of each). */
    named: {
      instanceHealth: 'ECS Container Instance Health Change',
      daemonServiceAction: 'ECS Daemon Service Action',
      daemonDeployment: 'ECS Daemon Deployment State Change',
      hookStateChange: 'ECS Hook State Change',
    },
  },
} as const;

type Kinds = typeof KINDS;
export type Kind = keyof Kinds;
/** The kinds of one detail-type each (all but `other`). */
export type NamedKind = { [K in Kind]: Kinds[K] extends { readonly detailType: string } ? K : never }[Kind];
/** The detail-types this code knows by name; any other `ECS ...` type is of kind `other`. */
export type DetailType = Kinds[NamedKind]['detailType'];
/** Kinds whose events carry `detail.version` and have a latest-state table. */
export type StateKind = { [K in Kind]: Kinds[K] extends { readonly state: object } ? K : never }[Kind];
/** The `timeline --type` words. */
export type TimelineType = Kinds[Kind]['timelineType'];

const ALL_KINDS = Object.keys(KINDS) as Kind[];
const isNamedKind = (kind: Kind): kind is NamedKind => 'detailType' in KINDS[kind];
const NAMED_KINDS = ALL_KINDS.filter(isNamedKind);

export const isStateKind = (kind: Kind): kind is StateKind => 'state' in KINDS[kind];

/** The kind whose rows a latest-state table holds ('taskState' → 'task'). */
export const stateKindOfTable = (table: string): StateKind | undefined =>
  ALL_KINDS.filter(isStateKind).find((k) => KINDS[k].state.table === table);

/** The prefix of every detail-type the store keeps: ECS's own events (CloudTrail's `AWS API Call via CloudTrail` is not one). */
export const ECS_DETAIL_TYPE_PREFIX = KINDS.other.detailTypePrefix;

/** EventBridge's limit on a detail-type (PutEvents `DetailType`: at most 128 characters). */
const MAX_DETAIL_TYPE_CHARS = 128;

const BY_DETAIL_TYPE = new Map<unknown, NamedKind>(NAMED_KINDS.map((k) => [KINDS[k].detailType, k]));

/** Whether a detail-type is ECS's own: "ECS " and a name (case-sensitive, as EventBridge's prefix match). */
const isEcsDetailType = (detailType: unknown): detailType is string =>
  typeof detailType === 'string' &&
  detailType.startsWith(ECS_DETAIL_TYPE_PREFIX) &&
  detailType.trim().length > ECS_DETAIL_TYPE_PREFIX.length &&
  detailType.length <= MAX_DETAIL_TYPE_CHARS;

/** The kind of a detail-type: a named kind, `other` for any other ECS type, undefined for anything else. */
export const kindOfDetailType = (detailType: unknown): Kind | undefined =>
  BY_DETAIL_TYPE.get(detailType) ?? (isEcsDetailType(detailType) ? 'other' : undefined);

/** The detail-types known by name (the `other` kind takes every other ECS type). */
export const DETAIL_TYPE_NAMES: readonly DetailType[] = NAMED_KINDS.map((k) => KINDS[k].detailType);

/** The named detail-types of these kinds (a scan or query filter; `other` has none: see otherTypesIn). */
export const detailTypesOf = (kinds: readonly Kind[]): DetailType[] => [
  ...new Set(kinds.filter(isNamedKind).map((k) => KINDS[k].detailType)),
];

/** Whether these kinds include `other`: a filter must then also keep every detail-type not in DETAIL_TYPE_NAMES. */
export const otherTypesIn = (kinds: readonly Kind[]): boolean => kinds.includes('other');

/**
 * The `detailType` dimension of the per-type metrics: bounded, because only AWS sends `aws.ecs`
 * events, and a detail-type is kept only when it starts with "ECS " (AWS names those); anything
 * else (it is refused anyway) is counted under `other`.
 */
export const metricDetailType = (detailType: unknown): string =>
  BY_DETAIL_TYPE.has(detailType) || isEcsDetailType(detailType) ? (detailType as string) : 'other';

export const TIMELINE_TYPES: readonly TimelineType[] = [...new Set(ALL_KINDS.map((k) => KINDS[k].timelineType))];

export const isTimelineType = (value: string): value is TimelineType =>
  (TIMELINE_TYPES as readonly string[]).includes(value);

/** The kinds each `timeline --type` word selects. */
export const kindsOfTimelineTypes = (types: readonly TimelineType[]): Kind[] =>
  ALL_KINDS.filter((k) => types.includes(KINDS[k].timelineType));

// ---- The reconciler's kinds: observations and missing marks (usecases/reconcile.ts, docs/reconcile.md). ----

/** Kinds whose items hold an ECS API observation of a task or instance state (a real version). */
export type ObservationKind = { [K in Kind]: Kinds[K] extends { readonly observes: StateKind } ? K : never }[Kind];
/** Kinds whose items mark a row "ECS did not know it" (history only; folded into the row as lastSeenMissingAt). */
export type MissingKind = { [K in Kind]: Kinds[K] extends { readonly marks: StateKind } ? K : never }[Kind];
/** Kinds the reconciler writes and ingest refuses. */
export type ObservedKind = ObservationKind | MissingKind;

export const isObservationKind = (kind: Kind): kind is ObservationKind => 'observes' in KINDS[kind];
export const isMissingKind = (kind: Kind): kind is MissingKind => 'marks' in KINDS[kind];
/** Written by the reconciler only: ingest refuses these detail-types. */
export const isObservedKind = (kind: Kind): kind is ObservedKind => isObservationKind(kind) || isMissingKind(kind);

/** The latest-state kind whose rows a log item of this kind sets or marks; undefined for history-only kinds. */
export function rowKindOf(kind: Kind): StateKind | undefined {
  if (isStateKind(kind)) return kind;
  if (isObservationKind(kind)) return KINDS[kind].observes;
  if (isMissingKind(kind)) return KINDS[kind].marks;
  return undefined;
}

const OBSERVED_KINDS = ALL_KINDS.filter(isObservedKind);

/** The observation kind of a latest-state kind (taskObserved for task). */
export const observationKindOf = (kind: StateKind): ObservationKind =>
  OBSERVED_KINDS.find((k) => isObservationKind(k) && KINDS[k].observes === kind) as ObservationKind;

/** The missing-mark kind of a latest-state kind (taskMissing for task). */
export const missingKindOf = (kind: StateKind): MissingKind =>
  OBSERVED_KINDS.find((k) => isMissingKind(k) && KINDS[k].marks === kind) as MissingKind;

/** Every kind whose log items set or mark rows of these latest-state kinds: what rebuild and verify scan. */
export const rowKindsOf = (kinds: readonly StateKind[]): Kind[] =>
  ALL_KINDS.filter((k) => {
    const row = rowKindOf(k);
    return row !== undefined && kinds.includes(row);
  });

/** The log partition of a reconciler item: `<arn>#observed` or `<arn>#observed-missing`. */
export const observedPartition = (kind: ObservedKind, arn: string): string => `${arn}${KINDS[kind].partitionSuffix}`;

/** The task or instance ARN of a reconciler item's partition key; undefined when it is not one of that kind. */
export function resourceArnOfPartition(kind: ObservedKind, partition: unknown): string | undefined {
  const suffix = KINDS[kind].partitionSuffix;
  if (typeof partition !== 'string' || !partition.endsWith(suffix) || partition.length === suffix.length)
    return undefined;
  return partition.slice(0, -suffix.length);
}

/** Every log partition that holds items of one task or instance: its events, its observations, its missing marks. */
export const partitionsOf = (kind: StateKind, arn: string): string[] => [
  arn,
  observedPartition(observationKindOf(kind), arn),
  observedPartition(missingKindOf(kind), arn),
];

/** The detail-types EventBridge delivers that this code knows by name: the reconciler's own are not among them. */
export const EVENT_DETAIL_TYPE_NAMES: readonly DetailType[] = NAMED_KINDS.filter((k) => !isObservedKind(k)).map(
  (k) => KINDS[k].detailType,
);

/** The kind of an incoming event's detail-type, as kindOfDetailType, but undefined for the reconciler's own kinds. */
export function kindOfEventDetailType(detailType: unknown): Kind | undefined {
  const kind = kindOfDetailType(detailType);
  return kind !== undefined && isObservedKind(kind) ? undefined : kind;
}
