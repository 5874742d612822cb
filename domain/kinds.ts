import actions from './apiCalls/actions.cjs';
import keySuffixes, { type KeySuffixName } from './keySuffixes.cjs';

const { KEY_SUFFIXES } = keySuffixes;
const { CALL_DETAIL_TYPE, SELF_AUDITED_SOURCES } = actions;

/**
 * Which ARN a kind's log partition is keyed by (domain/parseEvent.ts applies the rule; the
 * reconciler's items are built by domain/observation.ts with the same ARN).
 */
export type PartitionRule =
  /** `detail[arnField]`, an ECS ARN of the kind's `resourceType` (tasks, container instances). */
  | 'detailArn'
  /** `resources[0]`, an ECS ARN of the kind's `resourceType` (a service action or deployment names its service there). */
  | 'firstResource'
  /** The other-resource rule (domain/otherEvents.ts): `resources[0]`, else a detail ARN field, else the account. */
  | 'otherResource'
  /**
   * An API call's (domain/apiCalls/resources.ts): each task, service or container instance it acts on,
   * normalised to its long ARN, one log item each; else its cluster.
   */
  | 'callResources'
  /**
   * A call on the store's own resources (domain/apiCalls/storeCall.ts): the table, function, rule,
   * queue, alarm, role, topic, key or bucket it names, as an ARN where the record's account and
   * Region make one; else its service's key.
   */
  | 'storeResource';

/** What a kind's log sort key is. */
export type VersionRule =
  /** `detail.version`, ECS's counter per resource: a higher one happened later, an equal one is a redelivery. */
  | 'detailVersion'
  /** domain/derivedVersion.ts: the event-time second × 10^6 + a hash of the event (it carries no version the log may order by). */
  | 'derived'
  /** The `version` the ECS API returned with the resource (the reconciler's observation). */
  | 'apiVersion'
  /** The version of the latest-state row the item marks (a missing mark). */
  | 'rowVersion'
  /** domain/apiCalls/parseCall.ts: CloudTrail's `eventTime` second × 10^6 + a hash of its `eventID`, the call's identity. */
  | 'callVersion';

/** Where a kind's events are stored: partition `<ARN of the rule><suffix>`, sort key by the version rule. */
export interface KindKeys {
  readonly partition: PartitionRule;
  /** A suffix name of domain/keySuffixes.cjs, the one declaration of the suffixes and of who may write each. */
  readonly suffix: KeySuffixName;
  readonly version: VersionRule;
}

/** How an event of another type is summed up in one line of `history` (domain/audit/history.ts). */
export type HistorySummary =
  /** The detail's summary fields (domain/summary.ts). */
  | 'detailFields'
  /** Who called what, and its error (domain/apiCalls/). */
  | 'call';

/** The words and forms readers show a kind by. */
export interface KindLabels {
  /** The `timeline --type` word that selects it. */
  readonly timelineType: string;
  /** The TYPE a timeline row shows for it. */
  readonly timelineWord: string;
  /** How an ARN of its resource is written in a usage message, after `arn:aws:ecs:<region>:<account>:`. */
  readonly arnForm?: string;
  /**
   * How `history` shows it: as a `version` of the resource, or `aside`: a row between the versions
   * by event time, with no version of the resource, its detail-type and a one-line summary.
   */
  readonly history: 'version' | 'aside';
  readonly historySummary?: HistorySummary;
}

/** What a kind declares. Everything else about kinds is derived from these declarations. */
export interface KindDeclaration {
  /** Its EventBridge detail-type (or, for `other`, the prefix of the detail-types it takes). */
  readonly detailType?: string;
  /**
   * The EventBridge sources it takes (default `aws.ecs`): two kinds may share a detail-type when their
   * sources differ (an ECS call and a call on the store's own resources are both CloudTrail's).
   */
  readonly sources?: readonly string[];
  readonly detailTypePrefix?: string;
  /** The ECS resource type of the ARN it is keyed by (partition rules `detailArn`, `firstResource`). */
  readonly resourceType?: string;
  /** The detail field that holds that ARN (partition rule `detailArn`). */
  readonly arnField?: string;
  readonly keys: KindKeys;
  /**
   * Detail fields that must be non-empty strings of at most 1024 bytes when present, besides the
   * state's status field: a reader takes them as strings (a deployment id exceeds 2^53 as a number).
   */
  readonly detailStrings?: readonly string[];
  readonly labels: KindLabels;
  /** The latest-state table it projects into (a table name of infra/tables.cjs), its key and terminal status. */
  readonly state?: {
    readonly table: string;
    readonly key: string;
    readonly statusField: string;
    readonly terminalStatus: string;
  };
  /** The reconciler's: the state kind whose states it observes through the ECS API. */
  readonly observes?: string;
  /** The reconciler's: the state kind whose rows it marks "ECS did not know it". */
  readonly marks?: string;
  /** `other`: the types some reader looks for by name. */
  readonly named?: Readonly<Record<string, string>>;
}

/**
 * The one vocabulary of what the log holds: every kind of event, by its EventBridge detail-type,
 * with its keys (which ARN keys its partition, the key suffix, what its version is), the labels
 * readers show it by, and, for the two kinds whose events carry `detail.version`, the latest-state
 * table it projects into (a table name of the table model, infra/tables.cjs) with that table's key
 * attribute and terminal status. The last kind, `other`, has no single detail-type: it is every
 * other `ECS ...` detail-type, the ones AWS added since the first four (container instance health,
 * daemon actions and deployments, lifecycle hooks) and the ones it will add; history only, keyed by
 * resource (domain/otherEvents.ts). Everything else about kinds (how ingest keys an event, which
 * detail-types a scan reads, which table a row goes to, which ARN form a command accepts, the
 * timeline's words, how history shows an event, which events the service readers take) is derived
 * from this table. Besides the kinds, the log holds only the tamper markers (domain/tamper.ts).
 * docs/events.md lists the kinds with their keys; docs/architecture.md says how to add one.
 */
export const KINDS = {
  task: {
    detailType: 'ECS Task State Change',
    resourceType: 'task',
    arnField: 'taskArn',
    keys: { partition: 'detailArn', suffix: 'event', version: 'detailVersion' },
    labels: { timelineType: 'task', timelineWord: 'task', arnForm: 'task/<cluster>/<id>', history: 'version' },
    state: { table: 'taskState', key: 'taskArn', statusField: 'lastStatus', terminalStatus: 'STOPPED' },
  },
  instance: {
    detailType: 'ECS Container Instance State Change',
    resourceType: 'container-instance',
    arnField: 'containerInstanceArn',
    keys: { partition: 'detailArn', suffix: 'event', version: 'detailVersion' },
    labels: {
      timelineType: 'instance',
      timelineWord: 'instance',
      arnForm: 'container-instance/<cluster>/<id>',
      history: 'version',
    },
    state: {
      table: 'instanceState',
      key: 'containerInstanceArn',
      statusField: 'status',
      terminalStatus: 'INACTIVE',
    },
  },
  /** A service's events carry no version: keyed by their service, with a derived version. */
  serviceAction: {
    detailType: 'ECS Service Action',
    resourceType: 'service',
    keys: { partition: 'firstResource', suffix: 'event', version: 'derived' },
    labels: {
      timelineType: 'service',
      timelineWord: 'service',
      arnForm: 'service/<cluster>/<name>',
      history: 'version',
    },
  },
  deployment: {
    detailType: 'ECS Deployment State Change',
    resourceType: 'service',
    keys: { partition: 'firstResource', suffix: 'event', version: 'derived' },
    // `ecs-svc/<19 digits>` exceeds 2^53: as a JSON number it has already lost digits, so only a string is kept.
    detailStrings: ['deploymentId'],
    labels: {
      timelineType: 'service',
      timelineWord: 'deployment',
      arnForm: 'service/<cluster>/<name>',
      history: 'version',
    },
  },
  /**
   * What the reconciler (usecases/reconcile.ts) learned from the ECS API, never from EventBridge:
   * ingest refuses these detail-types (they do not start with "ECS "). An observation is a state of
   * the task or instance it `observes`, with the API's real version, in its own partition
   * `<arn>#observed` so that the real event of that version still appends under `<arn>`. A missing
   * mark says that ECS did not know a resource whose row was not terminal; keyed
   * `<arn>#observed-missing` + the version of that row, it never becomes a state (it `marks` the row).
   * Their timeline word is their kind's name, as it always was.
   */
  taskObserved: {
    detailType: 'Observed Task State',
    resourceType: 'task',
    arnField: 'taskArn',
    keys: { partition: 'detailArn', suffix: 'observed', version: 'apiVersion' },
    labels: { timelineType: 'task', timelineWord: 'taskObserved', history: 'version' },
    observes: 'task',
  },
  instanceObserved: {
    detailType: 'Observed Container Instance State',
    resourceType: 'container-instance',
    arnField: 'containerInstanceArn',
    keys: { partition: 'detailArn', suffix: 'observed', version: 'apiVersion' },
    labels: { timelineType: 'instance', timelineWord: 'instanceObserved', history: 'version' },
    observes: 'instance',
  },
  taskMissing: {
    detailType: 'Observed Task Missing',
    resourceType: 'task',
    arnField: 'taskArn',
    keys: { partition: 'detailArn', suffix: 'observedMissing', version: 'rowVersion' },
    labels: { timelineType: 'task', timelineWord: 'taskMissing', history: 'version' },
    marks: 'task',
  },
  instanceMissing: {
    detailType: 'Observed Container Instance Missing',
    resourceType: 'container-instance',
    arnField: 'containerInstanceArn',
    keys: { partition: 'detailArn', suffix: 'observedMissing', version: 'rowVersion' },
    labels: { timelineType: 'instance', timelineWord: 'instanceMissing', history: 'version' },
    marks: 'instance',
  },
  /**
   * An ECS API call that CloudTrail recorded (`source` aws.ecs, `detail.eventSource`
   * ecs.amazonaws.com): one of the write calls of domain/apiCalls/actions.ts, kept without its
   * secrets and with only the response fields the joins read (domain/apiCalls/kept.ts). Filed under
   * every resource it acts on, one item each in `<resource ARN>#call`, so that a task's or service's
   * history finds its calls with one Query; the calls index (infra/tables.cjs `byClusterCalls`)
   * finds a cluster's. History only: never a state, never `other`, never on the cluster timeline.
   */
  apiCall: {
    detailType: CALL_DETAIL_TYPE,
    keys: { partition: 'callResources', suffix: 'call', version: 'callVersion' },
    labels: { timelineType: 'call', timelineWord: 'call', history: 'aside', historySummary: 'call' },
  },
  /**
   * A call that changed the store itself (its tables, functions, rules, queues, alarms, roles, alarm
   * topic, key, cold-store buckets), as the self-audit rules match it on the store account's default
   * bus (deploy/selfAudit.cjs) and send it to ingest besides the alarm topic: the history of the
   * store, listed by `verify --log`. Filed under the resource it names, in `<resource>#store-call`,
   * kept with its request (the evidence, size-capped) and the ids of its response
   * (domain/apiCalls/storeCall.ts). History only: never a state, never on the cluster timeline.
   */
  storeCall: {
    detailType: CALL_DETAIL_TYPE,
    // The self-audited services (domain/apiCalls/actions.cjs), the one list of the deploy's rules too.
    sources: Object.keys(SELF_AUDITED_SOURCES),
    keys: { partition: 'storeResource', suffix: 'storeCall', version: 'callVersion' },
    labels: { timelineType: 'call', timelineWord: 'storeCall', history: 'aside', historySummary: 'call' },
  },
  /**
   * Any other detail-type that starts with "ECS " (the prefix the EventBridge rule matches), named
   * here or not. History only, in the partition `<resource ARN>#other` (domain/otherEvents.ts) with
   * a derived version. A type that gets its own kind later declares these same keys: keys never
   * change (test/kindKeys.domain.test.ts, and the promotion in test/kinds.domain.test.ts).
   */
  other: {
    detailTypePrefix: 'ECS ',
    keys: { partition: 'otherResource', suffix: 'other', version: 'derived' },
    labels: { timelineType: 'other', timelineWord: 'other', history: 'aside', historySummary: 'detailFields' },
    /** Types of this kind that some reader looks for by name (samples/aws-docs has an example of each). */
    named: {
      instanceHealth: 'ECS Container Instance Health Change',
      daemonServiceAction: 'ECS Daemon Service Action',
      daemonDeployment: 'ECS Daemon Deployment State Change',
      hookStateChange: 'ECS Hook State Change',
    },
  },
} as const satisfies Record<string, KindDeclaration>;

type Kinds = typeof KINDS;
export type Kind = keyof Kinds;
/** The kinds of one detail-type each (all but `other`). */
export type NamedKind = { [K in Kind]: Kinds[K] extends { readonly detailType: string } ? K : never }[Kind];
/** The detail-types this code knows by name; any other `ECS ...` type is of kind `other`. */
export type DetailType = Kinds[NamedKind]['detailType'];
/** Kinds keyed by the ARN of one ECS resource type (all but `other` and the calls). */
type ResourceKind = { [K in Kind]: Kinds[K] extends { readonly resourceType: string } ? K : never }[Kind];
/** The ECS resource types the log's kinds are keyed by. */
export type KeyedResourceType = Kinds[ResourceKind]['resourceType'];
/** Kinds whose events carry `detail.version` and have a latest-state table. */
export type StateKind = { [K in Kind]: Kinds[K] extends { readonly state: object } ? K : never }[Kind];
/** The `timeline --type` words. */
export type TimelineType = Kinds[Kind]['labels']['timelineType'];

const ALL_KINDS = Object.keys(KINDS) as Kind[];
const isNamedKind = (kind: Kind): kind is NamedKind => 'detailType' in KINDS[kind];
const NAMED_KINDS = ALL_KINDS.filter(isNamedKind);
const isResourceKind = (kind: Kind): kind is ResourceKind => 'resourceType' in KINDS[kind];
const RESOURCE_KINDS = ALL_KINDS.filter(isResourceKind);

export const isStateKind = (kind: Kind): kind is StateKind => 'state' in KINDS[kind];

/** The kind whose rows a latest-state table holds ('taskState' → 'task'). */
export const stateKindOfTable = (table: string): StateKind | undefined =>
  ALL_KINDS.filter(isStateKind).find((k) => KINDS[k].state.table === table);

// ---- Keys ----

/** The key suffix of a kind's partitions ('' for the plain ARN), from domain/keySuffixes.cjs. */
export const partitionSuffixOf = (kind: Pick<KindDeclaration, 'keys'>): string => KEY_SUFFIXES[kind.keys.suffix].suffix;

/** The log partition of a resource's items of a kind: its ARN and the kind's suffix. */
export const partitionKeyOf = (kind: Pick<KindDeclaration, 'keys'>, resourceArn: string): string =>
  `${resourceArn}${partitionSuffixOf(kind)}`;

/** The resource of a kind's partition key; undefined when the key does not end in its suffix (a plain-ARN kind's key is its resource). */
export function resourceOfPartitionKey(kind: Pick<KindDeclaration, 'keys'>, partition: unknown): string | undefined {
  const suffix = partitionSuffixOf(kind);
  if (typeof partition !== 'string' || !partition.endsWith(suffix) || partition.length === suffix.length)
    return undefined;
  return suffix === '' ? partition : partition.slice(0, -suffix.length);
}

/** The version rule of a kind's events. */
export const versionRuleOf = (kind: Kind): VersionRule => KINDS[kind].keys.version;

// ---- Detail-types ----

/** The prefix of every detail-type the store keeps: ECS's own events (CloudTrail's `AWS API Call via CloudTrail` is not one). */
export const ECS_DETAIL_TYPE_PREFIX = KINDS.other.detailTypePrefix;

/** EventBridge's limit on a detail-type (PutEvents `DetailType`: at most 128 characters). */
const MAX_DETAIL_TYPE_CHARS = 128;

/** The EventBridge source of ECS's own events and calls: the kinds that declare no `sources`. */
export const ECS_SOURCE = 'aws.ecs';

const sourcesOf = (kind: Kind): readonly string[] => (KINDS[kind] as KindDeclaration).sources ?? [ECS_SOURCE];

/** The kinds of ECS's source, by detail-type: what a stored item's detail-type names (kindOfDetailType). */
const BY_DETAIL_TYPE = new Map<unknown, NamedKind>(
  NAMED_KINDS.filter((k) => sourcesOf(k).includes(ECS_SOURCE)).map((k) => [KINDS[k].detailType, k]),
);

/** The kinds of the other sources, by `<source> <detail-type>`. */
const BY_SOURCE_AND_DETAIL_TYPE = new Map<string, NamedKind>(
  NAMED_KINDS.flatMap((k) =>
    sourcesOf(k)
      .filter((source) => source !== ECS_SOURCE)
      .map((source): [string, NamedKind] => [`${source} ${KINDS[k].detailType}`, k]),
  ),
);

/** The sources besides aws.ecs that some kind takes (the self-audited services'). */
export const OTHER_SOURCES: readonly string[] = [
  ...new Set(NAMED_KINDS.flatMap((k) => sourcesOf(k).filter((s) => s !== ECS_SOURCE))),
];

/** Whether a detail-type is ECS's own: "ECS " and a name (case-sensitive, as EventBridge's prefix match). */
const isEcsDetailType = (detailType: unknown): detailType is string =>
  typeof detailType === 'string' &&
  detailType.startsWith(ECS_DETAIL_TYPE_PREFIX) &&
  detailType.trim().length > ECS_DETAIL_TYPE_PREFIX.length &&
  detailType.length <= MAX_DETAIL_TYPE_CHARS;

/**
 * The kind of a detail-type of ECS's source: a named kind, `other` for any other ECS type, undefined
 * for anything else. A detail-type that kinds of other sources share (CloudTrail's) gives the ECS
 * kind: a reader that must tell them apart has the source (kindOfEvent) or the key (kindOfItem).
 */
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

// ---- Labels ----

export const TIMELINE_TYPES: readonly TimelineType[] = [...new Set(ALL_KINDS.map((k) => KINDS[k].labels.timelineType))];

export const isTimelineType = (value: string): value is TimelineType =>
  (TIMELINE_TYPES as readonly string[]).includes(value);

/** The kinds each `timeline --type` word selects. */
export const kindsOfTimelineTypes = (types: readonly TimelineType[]): Kind[] =>
  ALL_KINDS.filter((k) => types.includes(KINDS[k].labels.timelineType));

/** The labels of a kind (a stored item of no kind, such as a tamper marker, has none). */
export const labelsOf = (kind: Kind): KindLabels => KINDS[kind].labels;

/**
 * How a usage message writes an ARN of each resource type the log is keyed by (`task` →
 * `task/<cluster>/<id>`): the form its kinds declare (test/kinds.domain.test.ts checks that kinds of
 * one resource type agree).
 */
export const ARN_FORMS = Object.fromEntries(
  RESOURCE_KINDS.flatMap((k) => {
    const labels: KindLabels = KINDS[k].labels;
    return labels.arnForm === undefined ? [] : [[KINDS[k].resourceType, labels.arnForm]];
  }),
) as Record<KeyedResourceType, string>;

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

/** The log partition of a reconciler item: `<arn>` and the kind's suffix (observed, observedMissing). */
export const observedPartition = (kind: ObservedKind, arn: string): string => partitionKeyOf(KINDS[kind], arn);

/** The task or instance ARN of a reconciler item's partition key; undefined when it is not one of that kind. */
export const resourceArnOfPartition = (kind: ObservedKind, partition: unknown): string | undefined =>
  resourceOfPartitionKey(KINDS[kind], partition);

/** Every log partition that holds items of one task or instance: its events, its observations, its missing marks. */
export const partitionsOf = (kind: StateKind, arn: string): string[] => [
  partitionKeyOf(KINDS[kind], arn),
  observedPartition(observationKindOf(kind), arn),
  observedPartition(missingKindOf(kind), arn),
];

/** The detail-types EventBridge delivers that this code knows by name: the reconciler's own are not among them. */
export const EVENT_DETAIL_TYPE_NAMES: readonly DetailType[] = NAMED_KINDS.filter((k) => !isObservedKind(k)).map(
  (k) => KINDS[k].detailType,
);

/**
 * The kind of an incoming event, by its source and detail-type: for aws.ecs as kindOfEventDetailType;
 * for another source, the kind that declares that source and detail-type; undefined for anything else.
 */
export function kindOfEvent(source: unknown, detailType: unknown): Kind | undefined {
  if (source === ECS_SOURCE) return kindOfEventDetailType(detailType);
  return typeof source === 'string' && typeof detailType === 'string'
    ? BY_SOURCE_AND_DETAIL_TYPE.get(`${source} ${detailType}`)
    : undefined;
}

/** The detail-types another source's kinds take (`aws.dynamodb` → CloudTrail's), for a refusal's message. */
export const detailTypesOfSource = (source: unknown): DetailType[] =>
  NAMED_KINDS.filter((k) => source !== ECS_SOURCE && sourcesOf(k).includes(source as string)).map(
    (k) => KINDS[k].detailType,
  );

/**
 * The kind of a stored log item, by its detail-type and key: as kindOfDetailType, but an item in a
 * partition of a kind of another source (`<resource>#store-call`) is of that kind.
 */
export function kindOfItem(detailType: unknown, partition: unknown): Kind | undefined {
  const other = NAMED_KINDS.find(
    (k) =>
      !sourcesOf(k).includes(ECS_SOURCE) &&
      KINDS[k].detailType === detailType &&
      resourceOfPartitionKey(KINDS[k], partition) !== undefined,
  );
  return other ?? kindOfDetailType(detailType);
}

/** The kind of an incoming event's detail-type, as kindOfDetailType, but undefined for the reconciler's own kinds. */
export function kindOfEventDetailType(detailType: unknown): Kind | undefined {
  const kind = kindOfDetailType(detailType);
  return kind !== undefined && isObservedKind(kind) ? undefined : kind;
}

/**
 * The detail-types of the events of one resource type that EventBridge delivers (not the
 * reconciler's): `service` → the service actions and deployments, what the service readers take.
 */
export const eventDetailTypesOfResource = (resourceType: string): DetailType[] =>
  RESOURCE_KINDS.filter((k) => !isObservedKind(k) && KINDS[k].resourceType === resourceType).map(
    (k) => KINDS[k].detailType,
  );
