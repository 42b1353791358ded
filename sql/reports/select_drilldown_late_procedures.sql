-- Drill-down: for each given unit, its procedures with the most dossiers finished late in the
-- period, as the KPI drill-down table ranks them (late_rank: most late first, ties by
-- procedure code); scope `unit`, the unit's own dossiers, as in the report's unit table.
-- The table (kpi.drilldown_procedures_weekly or _monthly) is filled in by the caller.
SELECT d.unit_code, d.procedure_code,
       coalesce(d.procedure_name, d.procedure_code) AS procedure_name,
       d.finished_late AS count, d.finished AS total
FROM {procedures} d
WHERE d.period_start = %(period_start)s
  AND d.scope = 'unit'
  AND d.unit_code = ANY(%(units)s)
  AND d.late_rank <= %(top)s
ORDER BY d.unit_code, d.late_rank;
