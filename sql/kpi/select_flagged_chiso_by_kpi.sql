-- Flagged comparisons of the window [start, end) by KPI.
SELECT kpi, count(*)
FROM kpi.reconciliation_chiso_monthly
WHERE flagged AND period_start >= %(start)s AND period_start < %(end)s
GROUP BY kpi;
