-- A unit's roll-up (itself and its descendants) counting less than its own dossiers.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT u.period_start, u.unit_code
FROM b u
JOIN b r ON r.period_start = u.period_start AND r.unit_code = u.unit_code AND r.scope = 'rollup'
WHERE u.scope = 'unit'
  AND (r.received < u.received OR r.received_online < u.received_online
       OR r.online_eligible < u.online_eligible
       OR r.online_eligible_received_online < u.online_eligible_received_online
       OR r.finished < u.finished OR r.finished_on_time < u.finished_on_time
       OR r.payment_eligible < u.payment_eligible OR r.paid_online < u.paid_online
       OR r.digitised < u.digitised OR r.overdue_open < u.overdue_open)
ORDER BY u.period_start, u.unit_code
