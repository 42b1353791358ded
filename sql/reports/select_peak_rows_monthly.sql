-- A month's figures for the peak-month targets, from a monthly KPI table ({table}: the contract
-- table, or its twin on today's map when the comparison crosses the 2025 reform): every unit's
-- own dossiers (scope `unit`) and the province roll-up (`is_province`). Finished late: finished
-- and not on time; late_subjective: of them, `LyDoTreHan` = CHU_QUAN.
SELECT k.unit_code, k.unit_name, k.unit_level, k.parent_code,
       k.online_eligible, k.online_eligible_received_online, k.finished,
       k.finished - k.finished_on_time AS finished_late,
       k.finished_late_subjective AS late_subjective,
       (k.scope = 'rollup') AS is_province
FROM {table} k
WHERE k.period_start = %(period_start)s
  AND ((k.scope = 'unit' AND k.unit_level <> 'TINH')
       OR (k.scope = 'rollup' AND k.unit_level = 'TINH' AND k.parent_code IS NULL))
ORDER BY k.unit_code;
