// The archive's row schema: one typed row per log item, the one table of the cold store (Parquet
// files by UTC day of the event time, read by DuckDB locally and by Athena in AWS). The one list:
// the row builder (domain/archive/row.ts), the DuckDB reader (infra/duckdb.ts), the Glue table
// (deploy/coldStore.cjs, through COLUMN_TYPES below) and docs/sql.md are all derived from it.
//
// The rule of change: columns are only ever ADDED, at the end, never renamed, retyped or removed.
// Parquet files written before a column existed read it as NULL (DuckDB `union_by_name`, Athena by
// name), so every file ever written stays readable by every query. A column whose meaning must
// change gets a new name.

/** The logical types a column can have; each engine's type is derived from it. */
export type ColumnType = 'string' | 'bigint' | 'int' | 'boolean' | 'timestamp' | 'containers';

export interface ArchiveColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly about: string;
}

/** The struct of one container in the `containers` column. */
export const CONTAINER_FIELDS = [
  { name: 'name', type: 'string' },
  { name: 'image', type: 'string' },
  { name: 'last_status', type: 'string' },
  { name: 'exit_code', type: 'int' },
  { name: 'reason', type: 'string' },
] as const;

export const ARCHIVE_COLUMNS = [
  {
    name: 'arn',
    type: 'string',
    about: 'the log partition key: the resource ARN and its key suffix (#other, #call, ...)',
  },
  { name: 'version', type: 'bigint', about: 'the log sort key: detail.version, or the derived version' },
  { name: 'kind', type: 'string', about: 'the kind of domain/kinds.ts (task, instance, deployment, ..., apiCall)' },
  { name: 'detail_type', type: 'string', about: 'the EventBridge detail-type' },
  { name: 'event_id', type: 'string', about: 'the envelope id' },
  { name: 'account', type: 'string', about: 'the envelope account' },
  { name: 'region', type: 'string', about: 'the envelope region' },
  { name: 'cluster', type: 'string', about: 'the cluster ARN, when the event names one' },
  { name: 'resource', type: 'string', about: 'the resource the item is about: the partition key without its suffix' },
  { name: 'event_time', type: 'timestamp', about: 'the envelope time (UTC); its day is the partition' },
  { name: 'ingested_at', type: 'timestamp', about: 'when ingest appended the item' },
  { name: 'last_status', type: 'string', about: 'detail.lastStatus' },
  { name: 'desired_status', type: 'string', about: 'detail.desiredStatus' },
  { name: 'status', type: 'string', about: 'detail.status' },
  { name: 'agent_connected', type: 'boolean', about: 'detail.agentConnected' },
  { name: 'stop_code', type: 'string', about: 'detail.stopCode' },
  { name: 'event_type', type: 'string', about: 'detail.eventType (service events)' },
  { name: 'event_name', type: 'string', about: 'detail.eventName (service events; for an API call, the action)' },
  { name: 'task_group', type: 'string', about: 'detail.group of a task (`service:web`, `family:batch`)' },
  {
    name: 'service',
    type: 'string',
    about: 'tasks: the service of the group as `stats` shows it; service events: the service name',
  },
  { name: 'task_definition', type: 'string', about: 'tasks: `family:revision` of detail.taskDefinitionArn' },
  { name: 'launch_type', type: 'string', about: 'detail.launchType' },
  { name: 'capacity_provider', type: 'string', about: 'detail.capacityProviderName' },
  { name: 'stopped_reason', type: 'string', about: 'detail.stoppedReason' },
  {
    name: 'exit_code',
    type: 'int',
    about: 'STOPPED tasks: the exit code `stopped` groups by (first non-zero, else first)',
  },
  { name: 'created_at', type: 'timestamp', about: 'detail.createdAt' },
  { name: 'pull_started_at', type: 'timestamp', about: 'detail.pullStartedAt' },
  { name: 'pull_stopped_at', type: 'timestamp', about: 'detail.pullStoppedAt' },
  { name: 'started_at', type: 'timestamp', about: 'detail.startedAt' },
  { name: 'stopping_at', type: 'timestamp', about: 'detail.stoppingAt' },
  { name: 'execution_stopped_at', type: 'timestamp', about: 'detail.executionStoppedAt' },
  { name: 'stopped_at', type: 'timestamp', about: 'detail.stoppedAt' },
  {
    name: 'updated_at',
    type: 'timestamp',
    about: 'detail.updatedAt (deployments), else detail.createdAt of a service action',
  },
  { name: 'containers', type: 'containers', about: 'detail.containers: name, image, last_status, exit_code, reason' },
  { name: 'deployment_id', type: 'string', about: 'detail.deploymentId (deployments)' },
  { name: 'reason', type: 'string', about: 'detail.reason (deployments, service actions)' },
  {
    name: 'principal',
    type: 'string',
    about: 'API calls: who called, as `who` names it (domain/apiCalls/principal.ts)',
  },
  { name: 'principal_arn', type: 'string', about: 'API calls: userIdentity.arn' },
  { name: 'action', type: 'string', about: 'API calls: detail.eventName (RunTask, UpdateService, ...)' },
  { name: 'error_code', type: 'string', about: 'API calls: detail.errorCode, when the call failed' },
  { name: 'event', type: 'string', about: 'the raw event JSON, exactly as the log holds it' },
] as const satisfies readonly ArchiveColumn[];

export type ArchiveColumnName = (typeof ARCHIVE_COLUMNS)[number]['name'];

/** The hive partition column: the UTC day of event_time, `YYYY-MM-DD` (a string on both engines). */
export const PARTITION_COLUMN = 'day';

/** The table names every query uses: the files as written, and the view with one row per (arn, version). */
export const RAW_TABLE = 'ecs_events_raw';
export const VIEW = 'ecs_events';

const DUCKDB_SCALAR: Record<Exclude<ColumnType, 'containers'>, string> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  int: 'INTEGER',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};
const HIVE_SCALAR: Record<Exclude<ColumnType, 'containers'>, string> = {
  string: 'string',
  bigint: 'bigint',
  int: 'int',
  boolean: 'boolean',
  timestamp: 'timestamp',
};

/** A column's DuckDB type. */
export function duckdbType(type: ColumnType): string {
  if (type !== 'containers') return DUCKDB_SCALAR[type];
  const fields = CONTAINER_FIELDS.map((f) => `${f.name} ${DUCKDB_SCALAR[f.type]}`).join(', ');
  return `STRUCT(${fields})[]`;
}

/** A column's Glue (Hive) type, as the Glue table and Firehose's conversion read it. */
export function glueType(type: ColumnType): string {
  if (type !== 'containers') return HIVE_SCALAR[type];
  return `array<struct<${CONTAINER_FIELDS.map((f) => `${f.name}:${HIVE_SCALAR[f.type]}`).join(',')}>>`;
}

/** The UTC day of an epoch-ms time, the partition value. */
export const dayOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);
