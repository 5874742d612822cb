/**
 * The one vocabulary of what the log holds. A kind names its EventBridge detail-type, the ECS
 * resource type of the ARN it is keyed by, the `timeline --type` word that selects it, and, for the
 * two kinds whose events carry `detail.version`, the latest-state table it projects into (a table
 * name of the table model, infra/tables.cjs) with that table's key attribute and terminal status.
 * Everything else about kinds (which detail-types a scan reads, which table a row goes to, which
 * ARN form a command accepts) is derived from this table.
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
} as const;

type Kinds = typeof KINDS;
export type Kind = keyof Kinds;
export type DetailType = Kinds[Kind]['detailType'];
/** Kinds whose events carry `detail.version` and have a latest-state table. */
export type StateKind = { [K in Kind]: Kinds[K] extends { readonly state: object } ? K : never }[Kind];
/** The `timeline --type` words. */
export type TimelineType = Kinds[Kind]['timelineType'];

const ALL_KINDS = Object.keys(KINDS) as Kind[];

export const isStateKind = (kind: Kind): kind is StateKind => 'state' in KINDS[kind];

const BY_DETAIL_TYPE = new Map<unknown, Kind>(ALL_KINDS.map((k) => [KINDS[k].detailType, k]));

/** The kind of a detail-type, or undefined for one this code does not know. */
export const kindOfDetailType = (detailType: unknown): Kind | undefined => BY_DETAIL_TYPE.get(detailType);

export const DETAIL_TYPE_NAMES: readonly DetailType[] = ALL_KINDS.map((k) => KINDS[k].detailType);

/** The detail-types of these kinds (a scan or query filter). */
export const detailTypesOf = (kinds: readonly Kind[]): DetailType[] => [
  ...new Set(kinds.map((k) => KINDS[k].detailType)),
];

export const TIMELINE_TYPES: readonly TimelineType[] = [...new Set(ALL_KINDS.map((k) => KINDS[k].timelineType))];

export const isTimelineType = (value: string): value is TimelineType =>
  (TIMELINE_TYPES as readonly string[]).includes(value);

/** The kinds each `timeline --type` word selects. */
export const kindsOfTimelineTypes = (types: readonly TimelineType[]): Kind[] =>
  ALL_KINDS.filter((k) => types.includes(KINDS[k].timelineType));
