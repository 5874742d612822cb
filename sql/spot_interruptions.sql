-- Spot interruptions per capacity provider and day: tasks stopped with stop code
-- SpotInterruption, each counted once.
-- Add WHERE day >= 'YYYY-MM-DD' to read fewer days.
SELECT
  day,
  cluster,
  coalesce(capacity_provider, '(none)') AS capacity_provider,
  count(DISTINCT resource) AS tasks,
  min(resource) AS example
FROM ecs_events
WHERE kind = 'task' AND stop_code = 'SpotInterruption' AND last_status = 'STOPPED'
GROUP BY day, cluster, coalesce(capacity_provider, '(none)')
ORDER BY day, cluster, capacity_provider
