-- The cumulative periods of the window's months (parallel arrays built by
-- kpi_pipeline/domain/cumulative.py), each counted as one period of its own length by the
-- same row functions as the monthly tables, on the map each row names; a period on both maps
-- is one call (kpi.unit_kpi_event_map_rows).
-- The dossiers are read once, month by month (`months`: every month the periods cover, one
-- call of kpi.unit_procedure_events); a period's events per unit and procedure are its months'
-- sums. Periods are whole months, so a dossier is received in one month and finished in one
-- (counted once in the period, as the contract counts it over the period as a single window);
-- overdue_open is at the period's end: its last month's. A unit and procedure without a
-- received, finished or overdue dossier in the period has no event row, as when counted
-- directly (a row of zeros would still mark lineage_partial on today's map).
WITH p AS (
    SELECT * FROM unnest(%(anchor_month)s::date[], %(period_kind)s::text[],
                         %(year_offset)s::smallint[], %(unit_map)s::text[],
                         %(period_start)s::date[], %(period_end)s::date[],
                         %(complete)s::boolean[])
        AS p(anchor_month, period_kind, year_offset, unit_map, period_start, period_end, complete)
),
periods AS (
    SELECT row_number() OVER () AS id,
           anchor_month, period_kind, year_offset, period_start, period_end, complete,
           (period_end - %(step)s::interval)::date AS last_month,
           array_agg(DISTINCT unit_map) AS maps
    FROM p
    GROUP BY anchor_month, period_kind, year_offset, period_start, period_end, complete
),
months AS MATERIALIZED (
    SELECT * FROM kpi.unit_procedure_events(
        (SELECT min(period_start) FROM p), (SELECT max(period_end) FROM p), %(step)s::interval)
),
-- every (period, month of it): the months' events join on equality, one pass for all periods
period_months AS (
    SELECT w.id, w.period_start, m::date AS month, m::date = w.last_month AS is_last
    FROM periods w
    CROSS JOIN generate_series(w.period_start, w.last_month, %(step)s::interval) AS m
),
period_events AS (
    SELECT g.id, array_agg(g.ev) AS events
    FROM (
        SELECT pm.id,
               -- int sums (bigint ones would accumulate in numeric): a month's count for
               -- one unit and procedure is far below 2^31
               ROW(pm.period_start, e.unit_code, e.procedure_code,
                   sum(e.received::int), sum(e.received_online::int),
                   sum(e.online_eligible::int), sum(e.online_eligible_received_online::int),
                   sum(e.finished::int), sum(e.finished_on_time::int),
                   sum(e.finished_late_subjective::int), sum(e.payment_eligible::int),
                   sum(e.paid_online::int), sum(e.digitised::int),
                   coalesce(sum(e.overdue_open::int) FILTER (WHERE pm.is_last), 0),
                   bool_or(e.any_received), bool_or(e.any_received_level4)
               )::kpi.unit_procedure_event AS ev
        FROM period_months pm
        JOIN months e ON e.period_start = pm.month
        GROUP BY pm.id, pm.period_start, e.unit_code, e.procedure_code
        HAVING sum(e.received::int) > 0 OR sum(e.finished::int) > 0
            OR sum(e.overdue_open::int) FILTER (WHERE pm.is_last) > 0
    ) g
    GROUP BY g.id
),
rows AS (
    SELECT w.anchor_month, w.period_kind, w.year_offset, w.period_end, w.complete, r.*
    FROM periods w
    LEFT JOIN period_events pe ON pe.id = w.id
    CROSS JOIN LATERAL kpi.unit_kpi_event_map_rows(
        w.period_start, w.period_end, make_interval(days => w.period_end - w.period_start),
        %(cfg)s::jsonb, w.maps,
        -- a period without events has none (NULL would count its dossiers)
        coalesce(pe.events, '{}')) r
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
