-- Units listed for a score difference in the window [start, end), in rank order, each with
-- the number of dossiers that explain it.
SELECT s.period_start, s.diff_rank, s.unit_code, s.unit_name, s.own_compared_points,
       s.national_compared_points, s.diff_points, s.compared_components,
       (SELECT count(*) FROM kpi.unit_score_dossiers_monthly d
         WHERE d.period_start = s.period_start AND d.unit_code = s.unit_code)
FROM kpi.unit_score_monthly s
WHERE s.period_start >= %(start)s AND s.period_start < %(end)s AND s.diff_rank IS NOT NULL
ORDER BY s.period_start, s.diff_rank;
