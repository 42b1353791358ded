-- Late for subjective reasons in the week (LyDoTreHan = CHU_QUAN): every unit with one or more
-- (scope `unit`, its own dossiers; the province's own desk is not a report row, as in
-- select_unit_rows_weekly.sql), most first; and the province roll-up (is_province).
SELECT k.unit_code, k.unit_name, k.unit_level, k.finished,
       k.finished - k.finished_on_time AS finished_late,
       k.finished_late_subjective AS late_subjective,
       (k.scope = 'rollup') AS is_province
FROM kpi.unit_kpi_weekly k
WHERE k.period_start = %(period_start)s
  AND ((k.scope = 'unit' AND k.unit_level <> 'TINH' AND k.finished_late_subjective > 0)
       OR (k.scope = 'rollup' AND k.unit_code = %(province)s))
ORDER BY (k.scope = 'rollup') DESC, k.finished_late_subjective DESC, k.unit_code;
