// The archive's columns (issue 24, docs/sql.md "The row schema"): the one list. CommonJS because the
// deploy model (deploy/coldStore.cjs: the Glue table, the Athena view) is loaded by Serverless'
// ${file()}, which cannot load TypeScript or ESM; domain/archive/schema.ts types and re-exports it.
//
// The rule of change: columns are only ever ADDED, at the end, never renamed, retyped or removed.
// Parquet files written before a column existed read it as NULL (DuckDB union_by_name, Athena by
// name), so every file ever written stays readable by every query. A column whose meaning must
// change gets a new name.
'use strict';

/** The struct of one container in the `containers` column. */
const CONTAINER_FIELDS = Object.freeze([
  { name: 'name', type: 'string' },
  { name: 'image', type: 'string' },
  { name: 'last_status', type: 'string' },
  { name: 'exit_code', type: 'int' },
  { name: 'reason', type: 'string' },
]);

/** Every column, in order: name, logical type, what it holds. */
const ARCHIVE_COLUMNS = Object.freeze([
  {
    name: 'arn',
    type: 'string',
    about: 'the log partition key: the resource ARN and its key suffix (domain/keySuffixes.cjs)',
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
]);

/** The hive partition column: the UTC day of event_time, YYYY-MM-DD (a string on both engines). */
const PARTITION_COLUMN = 'day';

const HIVE_SCALAR = { string: 'string', bigint: 'bigint', int: 'int', boolean: 'boolean', timestamp: 'timestamp' };
const TRINO_SCALAR = {
  string: 'varchar',
  bigint: 'bigint',
  int: 'integer',
  boolean: 'boolean',
  timestamp: 'timestamp(3)',
};

/** A column's Glue (Hive) type, as the Glue table and Firehose's conversion read it. */
function glueType(type) {
  if (type !== 'containers') return HIVE_SCALAR[type];
  return `array<struct<${CONTAINER_FIELDS.map((f) => `${f.name}:${HIVE_SCALAR[f.type]}`).join(',')}>>`;
}

/** A column's Trino type, as an Athena view's definition declares it. */
function trinoType(type) {
  if (type !== 'containers') return TRINO_SCALAR[type];
  return `array(row(${CONTAINER_FIELDS.map((f) => `${f.name} ${TRINO_SCALAR[f.type]}`).join(', ')}))`;
}

/**
 * The dedup view, one text for both engines (Trino and DuckDB): Firehose delivers at least once and
 * an export may overlap the archiver, so a log item can be in several files; the view keeps one row
 * per (arn, version). `day` leads the window's partition (an item's day never varies: it is the day
 * of its own event time), so a filter on `day` reaches the files through the view on both engines.
 */
function dedupViewSql(raw = 'ecs_events_raw') {
  const columns = [...ARCHIVE_COLUMNS.map((c) => c.name), PARTITION_COLUMN].join(', ');
  return `SELECT ${columns}
FROM (
  SELECT *, row_number() OVER (PARTITION BY ${PARTITION_COLUMN}, arn, version ORDER BY ingested_at, event_id) AS copy_no
  FROM ${raw}
) AS copies
WHERE copy_no = 1`;
}

module.exports = { ARCHIVE_COLUMNS, CONTAINER_FIELDS, PARTITION_COLUMN, dedupViewSql, glueType, trinoType };
