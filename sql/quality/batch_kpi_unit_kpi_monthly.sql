-- The monthly KPI rows of the checked months.
SELECT k.*
FROM kpi.unit_kpi_monthly k
WHERE k.period_start >= %(start)s AND k.period_start < %(end)s
