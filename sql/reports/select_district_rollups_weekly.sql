-- The districts' roll-up rows of one week (a district with its communes, scope `rollup`):
-- shown beside each district's own desk in the report and on the map.
SELECT k.unit_code, k.unit_name, k.unit_level, k.parent_code,
       k.received, k.finished, k.finished_on_time, k.online_eligible,
       k.online_eligible_received_online, k.payment_eligible, k.paid_online, k.digitised,
       k.overdue_open, k.on_time_rate, k.online_rate, k.online_payment_rate, k.digitisation_rate,
       k.on_time_band, k.online_band, k.online_payment_band, k.overall_band,
       k.on_time_low_volume, k.online_low_volume, k.online_payment_low_volume
FROM kpi.unit_kpi_weekly k
WHERE k.period_start = %(period_start)s
  AND k.scope = 'rollup'
  AND k.unit_level = 'HUYEN'
ORDER BY k.unit_code;
