-- The province roll-up (every unit's dossiers) for the weeks [first, last]: headline and trend;
-- {table} is kpi.unit_kpi_weekly, or its current-map twin for a trend across the 2025 reform.
SELECT k.period_start, k.unit_code, k.unit_name, k.unit_level, k.parent_code,
       NULL::text AS parent_name,
       k.received, k.finished, k.finished_on_time, k.online_eligible,
       k.online_eligible_received_online, k.payment_eligible, k.paid_online, k.digitised,
       k.overdue_open, k.on_time_rate, k.online_rate, k.online_payment_rate, k.digitisation_rate,
       k.on_time_band, k.online_band, k.online_payment_band, k.overall_band,
       k.on_time_low_volume, k.online_low_volume, k.online_payment_low_volume
FROM {table} k
WHERE k.period_start BETWEEN %(first)s AND %(last)s
  AND k.scope = 'rollup'
  AND k.unit_level = 'TINH'
  AND k.parent_code IS NULL
-- the reform's week (2025-06-27) has two roots: the new province (…T<GSO>) comes last
ORDER BY k.period_start, k.unit_code;
