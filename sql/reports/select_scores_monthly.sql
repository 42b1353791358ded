-- The 766-style scores of a month (kpi.unit_score_monthly): every unit's row of the compared
-- scope (where the national figures are), and the province roll-up (is_province).
SELECT s.unit_code, s.unit_name, s.unit_level, s.score, s.score_points, s.max_points,
       s.national_on_time_pct, s.national_online_pct, s.national_online_payment_pct,
       s.own_compared_points, s.national_compared_points, s.diff_points,
       (s.scope = 'rollup' AND s.parent_code IS NULL) AS is_province
FROM kpi.unit_score_monthly s
WHERE s.period_start = %(period_start)s
  AND ((s.scope = %(scope)s AND s.unit_level <> 'TINH')
       OR (s.scope = 'rollup' AND s.parent_code IS NULL))
ORDER BY (s.scope = 'rollup' AND s.parent_code IS NULL) DESC, s.score NULLS LAST, s.unit_code;
