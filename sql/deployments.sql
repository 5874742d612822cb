-- Deployments by outcome and duration: each run of each deployment of each service, rebuilt from
-- its `ECS Deployment State Change` events as `ecs-events deployments` rebuilds them (a deployment
-- that ended and is IN_PROGRESS again, a rollback to it, is a second run). Outcome: completed,
-- failed, rolled back (the failure's reason names the deployment rolled back to), in progress.
-- Add WHERE day >= 'YYYY-MM-DD' in the first CTE to read fewer days.
WITH changes AS (
  SELECT
    resource AS service_arn, service, deployment_id, event_time, event_name, reason,
    row_number() OVER (
      PARTITION BY resource, deployment_id
      ORDER BY event_time, updated_at,
        CASE WHEN event_name IN ('SERVICE_DEPLOYMENT_COMPLETED', 'SERVICE_DEPLOYMENT_FAILED') THEN 1 ELSE 0 END,
        version
    ) AS seq,
    CASE WHEN event_name IN ('SERVICE_DEPLOYMENT_COMPLETED', 'SERVICE_DEPLOYMENT_FAILED') THEN 1 ELSE 0 END AS ends
  FROM ecs_events
  WHERE kind = 'deployment' AND deployment_id IS NOT NULL
),
starts AS (
  SELECT *,
    CASE WHEN event_name = 'SERVICE_DEPLOYMENT_IN_PROGRESS'
      AND lag(ends) OVER (PARTITION BY service_arn, deployment_id ORDER BY seq) = 1 THEN 1 ELSE 0 END AS new_run
  FROM changes
),
runs AS (
  SELECT *, sum(new_run) OVER (PARTITION BY service_arn, deployment_id ORDER BY seq ROWS UNBOUNDED PRECEDING) AS run_no
  FROM starts
),
summary AS (
  SELECT
    service_arn, max(service) AS service, deployment_id, run_no,
    min_by(event_time, seq) AS start_time,
    max_by(event_time, seq) FILTER (WHERE ends = 1) AS end_time,
    max_by(event_name, seq) FILTER (WHERE ends = 1) AS last_end,
    max_by(reason, seq) FILTER (WHERE ends = 1) AS end_reason,
    count(*) AS state_changes
  FROM runs
  GROUP BY service_arn, deployment_id, run_no
)
SELECT
  service_arn, service, deployment_id, run_no, start_time, end_time,
  date_diff('millisecond', start_time, end_time) AS duration_ms,
  CASE
    WHEN last_end = 'SERVICE_DEPLOYMENT_COMPLETED' THEN 'completed'
    WHEN last_end = 'SERVICE_DEPLOYMENT_FAILED'
      AND strpos(lower(end_reason), 'rolling back to deploymentid') > 0
      AND strpos(lower(end_reason), lower(concat('deploymentId ', deployment_id))) = 0 THEN 'rolled back'
    WHEN last_end = 'SERVICE_DEPLOYMENT_FAILED' THEN 'failed'
    ELSE 'in progress'
  END AS outcome,
  state_changes
FROM summary
ORDER BY service_arn, start_time, deployment_id
