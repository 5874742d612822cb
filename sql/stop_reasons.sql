-- Stop reasons by service and exit code: the tasks that reached STOPPED, each counted once (its
-- highest STOPPED version), grouped as `ecs-events stopped` groups them (stop code, exit code of the
-- container that ended the task, stopped reason), per cluster and service. Largest groups first.
-- Add WHERE day >= 'YYYY-MM-DD' in the first CTE to read fewer days.
WITH stops AS (
  SELECT
    resource AS task_arn,
    max_by(cluster, version) AS cluster,
    max_by(service, version) AS service,
    max_by(stop_code, version) AS stop_code,
    max_by(exit_code, version) AS exit_code,
    max_by(stopped_reason, version) AS stopped_reason,
    max(event_time) AS stopped_time
  FROM ecs_events
  WHERE kind = 'task' AND last_status = 'STOPPED'
  GROUP BY resource
)
SELECT cluster, service, stop_code, exit_code, stopped_reason, count(*) AS tasks, min(task_arn) AS example
FROM stops
GROUP BY cluster, service, stop_code, exit_code, stopped_reason
ORDER BY tasks DESC, cluster, service, stop_code, exit_code, stopped_reason
