-- Flagged comparisons of the window [start, end) that no dossier explains.
SELECT count(*)
FROM kpi.reconciliation_chiso_monthly f
WHERE f.flagged AND f.period_start >= %(start)s AND f.period_start < %(end)s
  AND NOT EXISTS (SELECT 1 FROM kpi.reconciliation_chiso_dossiers_monthly x
                  WHERE x.period_start = f.period_start AND x.unit_code = f.unit_code
                    AND x.kpi = f.kpi);
