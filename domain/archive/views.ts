import { ARCHIVE_COLUMNS, PARTITION_COLUMN, RAW_TABLE, VIEW } from './schema.js';

/**
 * The dedup view, one text for both engines (Trino and DuckDB): Firehose delivers at least once and
 * an export may overlap the archiver, so a log item can be in several files; the view keeps one row
 * per (arn, version). `day` leads the window's partition (an item's day never varies: it is the
 * day of its own event time), so a filter on `day` reaches the files through the view on both
 * engines, and partition pruning still works.
 */
export function dedupViewSql(raw = RAW_TABLE): string {
  const columns = [...ARCHIVE_COLUMNS.map((c) => c.name), PARTITION_COLUMN].join(', ');
  return `SELECT ${columns}
FROM (
  SELECT *, row_number() OVER (PARTITION BY ${PARTITION_COLUMN}, arn, version ORDER BY ingested_at, event_id) AS copy_no
  FROM ${raw}
) AS copies
WHERE copy_no = 1`;
}

export { RAW_TABLE, VIEW };
