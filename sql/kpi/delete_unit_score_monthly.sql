-- The months [start, end) of the score and of its explaining dossiers.
DELETE FROM kpi.unit_score_dossiers_monthly
WHERE period_start >= %(start)s::date AND period_start < %(end)s::date;
DELETE FROM kpi.unit_score_monthly
WHERE period_start >= %(start)s::date AND period_start < %(end)s::date;
