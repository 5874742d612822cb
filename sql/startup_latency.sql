-- Startup latency per cluster, service, task definition and week (UTC, weeks start on Monday): count,
-- p50, p90, p99 and max in milliseconds of each interval of `ecs-events stats`. Percentiles are
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
    max_by(created_at, version) FILTER (WHERE created_at IS NOT NULL) AS created_at,
    max_by(pull_started_at, version) FILTER (WHERE pull_started_at IS NOT NULL) AS pull_started_at,
    max_by(pull_stopped_at, version) FILTER (WHERE pull_stopped_at IS NOT NULL) AS pull_stopped_at,
    max_by(started_at, version) FILTER (WHERE started_at IS NOT NULL) AS started_at
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
  SELECT cluster, service_name AS service, task_definition_name AS task_definition, week, 1 AS interval_no, 'createdToPullStarted' AS latency_interval,
    date_diff('millisecond', created, pull_started_at) AS ms
  FROM tasks WHERE created IS NOT NULL AND pull_started_at IS NOT NULL
  UNION ALL
  SELECT cluster, service_name AS service, task_definition_name AS task_definition, week, 2 AS interval_no, 'pull' AS latency_interval,
    date_diff('millisecond', pull_started_at, pull_stopped_at) AS ms
  FROM tasks WHERE pull_started_at IS NOT NULL AND pull_stopped_at IS NOT NULL
  UNION ALL
  SELECT cluster, service_name AS service, task_definition_name AS task_definition, week, 3 AS interval_no, 'pullStoppedToStarted' AS latency_interval,
    date_diff('millisecond', pull_stopped_at, started_at) AS ms
  FROM tasks WHERE pull_stopped_at IS NOT NULL AND started_at IS NOT NULL
  UNION ALL
  SELECT cluster, service_name AS service, task_definition_name AS task_definition, week, 4 AS interval_no, 'createdToStarted' AS latency_interval,
    date_diff('millisecond', created, started_at) AS ms
  FROM tasks WHERE created IS NOT NULL AND started_at IS NOT NULL
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
  min(CASE WHEN rank_no >= ceil(50 * n / 100e0) THEN ms END) AS p50,
  min(CASE WHEN rank_no >= ceil(90 * n / 100e0) THEN ms END) AS p90,
  min(CASE WHEN rank_no >= ceil(99 * n / 100e0) THEN ms END) AS p99,
  max(ms) AS max_ms
FROM ranked
GROUP BY cluster, service, task_definition, week, interval_no, latency_interval
ORDER BY cluster, service, task_definition, week, interval_no
