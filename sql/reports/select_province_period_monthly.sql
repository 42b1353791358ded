-- The province roll-up of one month in a monthly KPI table ({monthly}: kpi.unit_kpi_monthly or
-- its _current_map twin); the root, a TINH first (as the KPI metadata picks it).
SELECT k.*
FROM {monthly} k
WHERE k.period_start = %(period_start)s AND k.scope = 'rollup' AND k.parent_code IS NULL
ORDER BY (k.unit_level = 'TINH') DESC, k.unit_code
LIMIT 1;
