-- The province roll-up of every cumulative period of a month (kpi.unit_kpi_cumulative), on
-- each map computed: one row per (period_kind, year_offset, unit_map), the root a TINH first.
SELECT DISTINCT ON (c.period_kind, c.year_offset, c.unit_map) c.*
FROM kpi.unit_kpi_cumulative c
WHERE c.anchor_month = %(month)s AND c.scope = 'rollup' AND c.parent_code IS NULL
ORDER BY c.period_kind, c.year_offset, c.unit_map, (c.unit_level = 'TINH') DESC, c.unit_code;
