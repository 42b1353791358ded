-- The weekly KPI rows of the checked weeks.
SELECT k.*
FROM kpi.unit_kpi_weekly k
WHERE k.period_start >= %(start)s AND k.period_start < %(end)s
