-- The report rows of one week: every unit's own figures (scope `unit`), with its parent's name.
SELECT k.unit_code, k.unit_name, k.unit_level, k.parent_code, p.unit_name AS parent_name,
       k.received, k.finished, k.finished_on_time, k.online_eligible,
       k.online_eligible_received_online, k.payment_eligible, k.paid_online, k.digitised,
       k.overdue_open, k.on_time_rate, k.online_rate, k.online_payment_rate, k.digitisation_rate,
       k.on_time_band, k.online_band, k.online_payment_band, k.overall_band,
       k.on_time_low_volume, k.online_low_volume, k.online_payment_low_volume
FROM kpi.unit_kpi_weekly k
LEFT JOIN kpi.unit_kpi_weekly p
       ON p.period_start = k.period_start AND p.scope = k.scope AND p.unit_code = k.parent_code
WHERE k.period_start = %(period_start)s
  AND k.scope = 'unit'
  AND k.unit_level <> 'TINH'
ORDER BY k.unit_code;
