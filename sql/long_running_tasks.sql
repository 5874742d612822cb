-- Long-running tasks: tasks that ran (startedAt to stoppedAt, or to now while running) longer
-- than a day, longest first.
-- Add WHERE day >= 'YYYY-MM-DD' in the first CTE to read fewer days.
WITH per_task AS (
  SELECT
    resource AS task_arn,
    max_by(cluster, version) AS cluster,
    max_by(service, version) AS service,
    max_by(task_definition, version) AS task_definition,
    max_by(started_at, version) FILTER (WHERE started_at IS NOT NULL) AS started_at,
    max_by(stopped_at, version) FILTER (WHERE stopped_at IS NOT NULL) AS stopped_at,
    max_by(last_status, version) AS last_status
  FROM ecs_events
  WHERE kind = 'task'
  GROUP BY resource
)
SELECT task_arn, cluster, service, task_definition, started_at, stopped_at, last_status,
  date_diff('millisecond', started_at, coalesce(stopped_at, CAST(current_timestamp AS timestamp))) AS ran_ms
FROM per_task
WHERE started_at IS NOT NULL
  AND date_diff('millisecond', started_at, coalesce(stopped_at, CAST(current_timestamp AS timestamp))) > 86400000
ORDER BY ran_ms DESC, task_arn
