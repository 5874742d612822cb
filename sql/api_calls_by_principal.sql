-- ECS API calls by principal: who called which action, how often, how many failed (any error
-- code), how many were denied (AccessDenied, Unauthorized..., as `ecs-events who` counts them), and
-- when first and last. A call is kept once per resource it acts on, so calls are counted by event id.
-- Add WHERE day >= 'YYYY-MM-DD' to read fewer days.
SELECT
  account,
  principal,
  action,
  count(DISTINCT event_id) AS calls,
  count(DISTINCT CASE WHEN error_code IS NOT NULL THEN event_id END) AS failed,
  count(DISTINCT CASE
    WHEN lower(error_code) LIKE '%accessdenied%' OR lower(error_code) LIKE '%unauthorized%' THEN event_id
  END) AS denied,
  min(event_time) AS first_call,
  max(event_time) AS last_call
FROM ecs_events
WHERE kind = 'apiCall'
GROUP BY account, principal, action
ORDER BY calls DESC, account, principal, action
