-- The deliveries of one alert kind on one channel in the checked periods [start, end), by
-- status, with the failed ones' units, attempts and last error (for the delivery checks).
SELECT status,
       count(*) AS deliveries,
       coalesce(max(attempts), 0) AS max_attempts,
       (array_agg(unit_code ORDER BY unit_code) FILTER (WHERE status = 'failed'))[1:20] AS units,
       (array_agg(error ORDER BY last_attempt_at DESC) FILTER (WHERE status = 'failed'))[1] AS error
FROM kpi.alerts_sent
WHERE alert_kind = %(kind)s AND channel = %(channel)s
  AND period_start >= %(start)s AND period_start < %(end)s
GROUP BY status
ORDER BY status;
