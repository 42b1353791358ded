-- Replace a partition window of the current-map table (as delete_unit_kpi_weekly.sql).
DELETE FROM kpi.unit_kpi_weekly_current_map WHERE period_start >= %(start)s::date AND period_start < %(end)s::date;
