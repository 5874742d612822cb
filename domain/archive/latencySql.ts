import { LATENCY_INTERVALS } from '../lifecycle/latency.js';

/** The percentiles `stats` shows (domain/lifecycle/latency.ts latencyStat), and so the query. */
export const LATENCY_PERCENTILES = [50, 90, 99] as const;

const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The shipped startup-latency query (sql/startup_latency.sql), generated from LATENCY_INTERVALS so
 * that its intervals are exactly those of `stats`. Percentiles are nearest-rank as latency.ts
 * computes them: the value of rank ⌈p/100 × n⌉, exact on both engines (rank from an integer
 * product divided as a double: never an approximation).
 */
export function startupLatencySql(): string {
  const times = [...new Set(LATENCY_INTERVALS.flatMap((i) => [i.from, i.to]))];
  const perTask = times
    .map((f) => `    max_by(${snake(f)}, version) FILTER (WHERE ${snake(f)} IS NOT NULL) AS ${snake(f)}`)
    .join(',\n');
  // createdAt counts from the task's first event when the event carries none (latency.ts createdTime).
  const from = (f: string) => (f === 'createdAt' ? 'created' : snake(f));
  const samples = LATENCY_INTERVALS.map(
    (
      i,
      n,
    ) => `  SELECT cluster, service_name AS service, task_definition_name AS task_definition, week, ${n + 1} AS interval_no, '${i.name}' AS latency_interval,
    date_diff('millisecond', ${from(i.from)}, ${from(i.to)}) AS ms
  FROM tasks WHERE ${from(i.from)} IS NOT NULL AND ${from(i.to)} IS NOT NULL`,
  ).join('\n  UNION ALL\n');
  const percentiles = LATENCY_PERCENTILES.map(
    (p) => `  min(CASE WHEN rank_no >= ceil(${p} * n / 100e0) THEN ms END) AS p${p}`,
  ).join(',\n');
  return `-- Startup latency per cluster, service, task definition and week (UTC, weeks start on Monday): count,
-- p50, p90, p99 and max in milliseconds of each interval of \`ecs-events stats\`. Percentiles are
-- nearest-rank (the value of rank ceil(p/100 * n)), exactly as stats computes them, on both engines.
-- Generated from domain/lifecycle/latency.ts (domain/archive/latencySql.ts): do not edit by hand.
-- Add WHERE day >= 'YYYY-MM-DD' in the first CTE to read fewer days.
WITH per_task AS (
  SELECT
    resource AS task_arn,
    max_by(cluster, version) FILTER (WHERE cluster IS NOT NULL) AS cluster,
    max_by(service, version) FILTER (WHERE task_group IS NOT NULL) AS service,
    max_by(task_definition, version) FILTER (WHERE task_definition IS NOT NULL) AS task_definition,
    min(event_time) AS first_event,
${perTask}
  FROM ecs_events
  WHERE kind = 'task'
  GROUP BY resource
),
tasks AS (
  SELECT *,
    coalesce(service, '(no group)') AS service_name,
    coalesce(task_definition, '(unknown)') AS task_definition_name,
    coalesce(created_at, first_event) AS created,
    date_trunc('week', coalesce(created_at, first_event)) AS week
  FROM per_task
),
samples AS (
${samples}
),
ranked AS (
  SELECT *,
    row_number() OVER (PARTITION BY cluster, service, task_definition, week, interval_no ORDER BY ms) AS rank_no,
    count(*) OVER (PARTITION BY cluster, service, task_definition, week, interval_no) AS n
  FROM samples
)
SELECT
  cluster,
  service,
  task_definition,
  week,
  latency_interval,
  max(n) AS n,
${percentiles},
  max(ms) AS max_ms
FROM ranked
GROUP BY cluster, service, task_definition, week, interval_no, latency_interval
ORDER BY cluster, service, task_definition, week, interval_no
`;
}
