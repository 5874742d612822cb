// The archive's row schema: one typed row per log item, the one table of the cold store (Parquet
// files by UTC day of the event time, read by DuckDB locally and by Athena in AWS). The list is domain/archive/columns.cjs (CommonJS, for the deploy model);
// the row builder (domain/archive/row.ts), the DuckDB reader (infra/duckdb.ts), the Glue table
// (deploy/coldStore.cjs) and docs/sql.md are all derived from it.
//
// The rule of change: columns are only ever ADDED, at the end, never renamed, retyped or removed.
// Parquet files written before a column existed read it as NULL (DuckDB `union_by_name`, Athena by
// name), so every file ever written stays readable by every query. A column whose meaning must
// change gets a new name.

import columns, { type ArchiveColumn, type ColumnType } from './columns.cjs';

export type { ArchiveColumn, ColumnType };
export const { ARCHIVE_COLUMNS, CONTAINER_FIELDS, PARTITION_COLUMN, glueType, trinoType } = columns;

/** A column's name. */
export type ArchiveColumnName = string;

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

/** A column's DuckDB type. */
export function duckdbType(type: ColumnType): string {
  if (type !== 'containers') return DUCKDB_SCALAR[type];
  const fields = CONTAINER_FIELDS.map((f) => `${f.name} ${DUCKDB_SCALAR[f.type]}`).join(', ');
  return `STRUCT(${fields})[]`;
}

/** The UTC day of an epoch-ms time, the partition value. */
export const dayOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);
