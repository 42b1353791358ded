-- The cumulative periods of the window's months (parallel arrays built by
-- kpi_pipeline/domain/cumulative.py), each counted as one period of its own length by the
-- same row functions as the monthly tables, on the map each row names.
WITH p AS (
    SELECT * FROM unnest(%(anchor_month)s::date[], %(period_kind)s::text[],
                         %(year_offset)s::smallint[], %(unit_map)s::text[],
                         %(period_start)s::date[], %(period_end)s::date[],
                         %(complete)s::boolean[])
        AS p(anchor_month, period_kind, year_offset, unit_map, period_start, period_end, complete)
),
rows AS (
    SELECT p.anchor_month, p.period_kind, p.year_offset, p.unit_map, p.period_end, p.complete,
           r.*, NULL::boolean AS lineage_partial
    FROM p
    CROSS JOIN LATERAL kpi.unit_kpi_rows(
        p.period_start, p.period_end, make_interval(days => p.period_end - p.period_start),
        %(cfg)s::jsonb) r
    WHERE p.unit_map = 'as_then'
    UNION ALL
    SELECT p.anchor_month, p.period_kind, p.year_offset, p.unit_map, p.period_end, p.complete,
           r.*
    FROM p
    CROSS JOIN LATERAL kpi.current_map_kpi_rows(
        p.period_start, p.period_end, make_interval(days => p.period_end - p.period_start),
        %(cfg)s::jsonb) r
    WHERE p.unit_map = 'current'
)
INSERT INTO kpi.unit_kpi_cumulative (
    anchor_month, period_kind, year_offset, unit_map, period_start, period_end, complete,
    unit_code, unit_name, unit_level, parent_code, scope,
    received, received_online, online_eligible, online_eligible_received_online, finished,
    finished_on_time, payment_eligible, paid_online, digitised, overdue_open,
    on_time_rate, online_rate, online_payment_rate, digitisation_rate,
    on_time_band, online_band, online_payment_band, overall_band,
    finished_late_subjective, procedures_received, procedures_level4, level4_share,
    level4_band, digitisation_band, lineage_partial, computed_at)
SELECT
    anchor_month, period_kind, year_offset, unit_map, period_start, period_end, complete,
    unit_code, unit_name, unit_level, parent_code, scope,
    received, received_online, online_eligible, online_eligible_received_online, finished,
    finished_on_time, payment_eligible, paid_online, digitised, overdue_open,
    on_time_rate, online_rate, online_payment_rate, digitisation_rate,
    on_time_band, online_band, online_payment_band, overall_band,
    finished_late_subjective, procedures_received, procedures_level4, level4_share,
    level4_band, digitisation_band, lineage_partial, now()
FROM rows;
