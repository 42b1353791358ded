-- The cumulative periods of the window's months (parallel arrays built by
-- kpi_pipeline/domain/cumulative.py), each counted as one period of its own length by the
-- same row functions as the monthly tables, on the map each row names; a period on both maps
-- is one call (kpi.unit_kpi_map_rows), so that its dossiers are read once.
WITH p AS (
    SELECT * FROM unnest(%(anchor_month)s::date[], %(period_kind)s::text[],
                         %(year_offset)s::smallint[], %(unit_map)s::text[],
                         %(period_start)s::date[], %(period_end)s::date[],
                         %(complete)s::boolean[])
        AS p(anchor_month, period_kind, year_offset, unit_map, period_start, period_end, complete)
),
periods AS (
    SELECT anchor_month, period_kind, year_offset, period_start, period_end, complete,
           array_agg(DISTINCT unit_map) AS maps
    FROM p
    GROUP BY anchor_month, period_kind, year_offset, period_start, period_end, complete
),
rows AS (
    SELECT w.anchor_month, w.period_kind, w.year_offset, w.period_end, w.complete, r.*
    FROM periods w
    CROSS JOIN LATERAL kpi.unit_kpi_map_rows(
        w.period_start, w.period_end, make_interval(days => w.period_end - w.period_start),
        %(cfg)s::jsonb, w.maps) r
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
