-- Image pull failures: tasks that stopped because an image could not be pulled
-- (CannotPullContainerError in the task's stopped reason or a container's reason), per cluster,
-- service, task definition and day, with an example task.
-- Add WHERE day >= 'YYYY-MM-DD' in the first CTE to read fewer days.
WITH failures AS (
  SELECT
    resource AS task_arn,
    max_by(cluster, version) AS cluster,
    max_by(service, version) AS service,
    max_by(task_definition, version) AS task_definition,
    max_by(stopped_reason, version) AS stopped_reason,
    min(day) AS day
  FROM ecs_events
  WHERE kind = 'task' AND last_status = 'STOPPED'
    AND (stopped_reason LIKE '%CannotPullContainerError%' OR event LIKE '%CannotPullContainerError%')
  GROUP BY resource
)
SELECT day, cluster, service, task_definition, count(*) AS tasks, min(stopped_reason) AS stopped_reason,
  min(task_arn) AS example
FROM failures
GROUP BY day, cluster, service, task_definition
ORDER BY day, cluster, service, task_definition
