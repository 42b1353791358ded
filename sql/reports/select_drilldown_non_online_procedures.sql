-- Drill-down: for each given unit, its procedures with the most online-eligible dossiers not
-- received online in the period, as the KPI drill-down table ranks them (not_online_rank:
-- most first, ties by procedure code); scope `unit`, the unit's own dossiers.
-- The table (kpi.drilldown_procedures_weekly or _monthly) is filled in by the caller.
SELECT d.unit_code, d.procedure_code,
       coalesce(d.procedure_name, d.procedure_code) AS procedure_name,
       d.online_eligible_not_online AS count, d.online_eligible AS total
FROM {procedures} d
WHERE d.period_start = %(period_start)s
  AND d.scope = 'unit'
  AND d.unit_code = ANY(%(units)s)
  AND d.not_online_rank <= %(top)s
ORDER BY d.unit_code, d.not_online_rank;
