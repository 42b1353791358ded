-- KPIs on today's map (docs/REFORM-2025.md): the contract tables' columns, every period's
-- dossiers attributed to the units in force today through ref.unit_current_map, plus
-- lineage_partial (some of the unit's dossiers came through a split unit's default successor).
-- Created after create_kpi_functions.sql and create_kpi_tables.sql (file order).
CREATE TABLE IF NOT EXISTS kpi.unit_kpi_weekly_current_map (LIKE kpi.unit_kpi_weekly INCLUDING ALL);
ALTER TABLE kpi.unit_kpi_weekly_current_map
    ADD COLUMN IF NOT EXISTS lineage_partial boolean NOT NULL DEFAULT false;
CREATE TABLE IF NOT EXISTS kpi.unit_kpi_monthly_current_map (LIKE kpi.unit_kpi_monthly INCLUDING ALL);
ALTER TABLE kpi.unit_kpi_monthly_current_map
    ADD COLUMN IF NOT EXISTS lineage_partial boolean NOT NULL DEFAULT false;

-- the minimum-volume columns (create_kpi_tables.sql), for twins created before them
ALTER TABLE kpi.unit_kpi_weekly_current_map
    ADD COLUMN IF NOT EXISTS on_time_low_volume boolean,
    ADD COLUMN IF NOT EXISTS online_low_volume boolean,
    ADD COLUMN IF NOT EXISTS online_payment_low_volume boolean,
    ADD COLUMN IF NOT EXISTS overall_band_rated text,
    ADD COLUMN IF NOT EXISTS low_volume boolean;
ALTER TABLE kpi.unit_kpi_monthly_current_map
    ADD COLUMN IF NOT EXISTS on_time_low_volume boolean,
    ADD COLUMN IF NOT EXISTS online_low_volume boolean,
    ADD COLUMN IF NOT EXISTS online_payment_low_volume boolean,
    ADD COLUMN IF NOT EXISTS overall_band_rated text,
    ADD COLUMN IF NOT EXISTS low_volume boolean;

-- kpi.unit_kpi_rows on today's map: the units are those in force today (latest version of
-- every unit with an open end) in every period; a dossier counts for the unit its receiving
-- unit maps to; a unit code with no current unit (unknown, or no successor) is attached to
-- the province's roll-up, so the province total of every period equals the total as it was.
CREATE OR REPLACE FUNCTION kpi.current_map_kpi_rows(p_start date, p_end date, p_step interval,
                                                    p_cfg jsonb)
RETURNS TABLE (
    period_start date, unit_code text, unit_name text, unit_level text, parent_code text,
    scope text,
    received bigint, received_online bigint, online_eligible bigint,
    online_eligible_received_online bigint, finished bigint, finished_on_time bigint,
    payment_eligible bigint, paid_online bigint, digitised bigint, overdue_open bigint,
    on_time_rate numeric, online_rate numeric, online_payment_rate numeric,
    digitisation_rate numeric,
    on_time_band text, online_band text, online_payment_band text, overall_band text,
    finished_late_subjective bigint, procedures_received bigint, procedures_level4 bigint,
    level4_share numeric, level4_band text, digitisation_band text, lineage_partial boolean)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE today AS (
        SELECT DISTINCT ON (u.unit_code) u.unit_code, u.unit_name, u.unit_level, u.parent_code
        FROM ref.units u
        WHERE u.valid_to IS NULL
        ORDER BY u.unit_code, u.valid_from DESC
    ),
    tree (ancestor_code, unit_code, depth) AS (
        SELECT t.unit_code, t.unit_code, 0 FROM today t
        UNION ALL
        SELECT tr.ancestor_code, c.unit_code, tr.depth + 1
        FROM tree tr JOIN today c ON c.parent_code = tr.unit_code
        WHERE tr.depth < 10 AND c.unit_code <> tr.ancestor_code
    ),
    events AS (
        SELECT e.*, coalesce(m.current_unit_code, e.unit_code) AS current_code,
               coalesce(m.lineage_partial, false) AS partial
        FROM kpi.unit_procedure_events(p_start, p_end, p_step) e
        LEFT JOIN ref.unit_current_map m ON m.unit_code = e.unit_code
    ),
    own AS (
        SELECT e.period_start, e.current_code AS unit_code,
               sum(e.received)::bigint AS received,
               sum(e.received_online)::bigint AS received_online,
               sum(e.online_eligible)::bigint AS online_eligible,
               sum(e.online_eligible_received_online)::bigint AS online_eligible_received_online,
               sum(e.finished)::bigint AS finished,
               sum(e.finished_on_time)::bigint AS finished_on_time,
               sum(e.payment_eligible)::bigint AS payment_eligible,
               sum(e.paid_online)::bigint AS paid_online,
               sum(e.digitised)::bigint AS digitised,
               sum(e.overdue_open)::bigint AS overdue_open,
               sum(e.finished_late_subjective)::bigint AS finished_late_subjective,
               count(DISTINCT e.procedure_code) FILTER (WHERE e.any_received)
                   AS procedures_received,
               count(DISTINCT e.procedure_code) FILTER (WHERE e.any_received_level4)
                   AS procedures_level4,
               bool_or(e.partial) AS lineage_partial
        FROM events e
        GROUP BY e.period_start, e.current_code
    ),
    members AS (
        SELECT tr.ancestor_code, tr.unit_code FROM tree tr
        UNION
        -- codes that are not a unit of today's map: under every root (the province)
        SELECT r.unit_code, o.unit_code
        FROM (SELECT DISTINCT o.unit_code FROM own o) o
        CROSS JOIN (SELECT t.unit_code FROM today t WHERE t.parent_code IS NULL) r
        WHERE NOT EXISTS (SELECT 1 FROM today t WHERE t.unit_code = o.unit_code)
    ),
    scoped AS (
        SELECT o.period_start, o.unit_code, 'unit' AS scope,
               o.received, o.received_online, o.online_eligible,
               o.online_eligible_received_online, o.finished, o.finished_on_time,
               o.payment_eligible, o.paid_online, o.digitised, o.overdue_open,
               o.finished_late_subjective, o.procedures_received, o.procedures_level4,
               o.lineage_partial
        FROM own o
        UNION ALL
        SELECT o.period_start, m.ancestor_code, 'rollup',
               sum(o.received), sum(o.received_online), sum(o.online_eligible),
               sum(o.online_eligible_received_online), sum(o.finished), sum(o.finished_on_time),
               sum(o.payment_eligible), sum(o.paid_online), sum(o.digitised),
               sum(o.overdue_open), sum(o.finished_late_subjective),
               sum(o.procedures_received), sum(o.procedures_level4), bool_or(o.lineage_partial)
        FROM members m
        JOIN own o ON o.unit_code = m.unit_code
        GROUP BY o.period_start, m.ancestor_code
    ),
    counts AS (
        SELECT p.period_start, t.unit_code, t.unit_name, t.unit_level, t.parent_code, sc.scope,
               coalesce(s.received, 0)::bigint AS received,
               coalesce(s.received_online, 0)::bigint AS received_online,
               coalesce(s.online_eligible, 0)::bigint AS online_eligible,
               coalesce(s.online_eligible_received_online, 0)::bigint
                   AS online_eligible_received_online,
               coalesce(s.finished, 0)::bigint AS finished,
               coalesce(s.finished_on_time, 0)::bigint AS finished_on_time,
               coalesce(s.payment_eligible, 0)::bigint AS payment_eligible,
               coalesce(s.paid_online, 0)::bigint AS paid_online,
               coalesce(s.digitised, 0)::bigint AS digitised,
               coalesce(s.overdue_open, 0)::bigint AS overdue_open,
               coalesce(s.finished_late_subjective, 0)::bigint AS finished_late_subjective,
               coalesce(s.procedures_received, 0)::bigint AS procedures_received,
               coalesce(s.procedures_level4, 0)::bigint AS procedures_level4,
               coalesce(s.lineage_partial, false) AS lineage_partial
        FROM kpi.periods(p_start, p_end, p_step) p
        CROSS JOIN today t
        CROSS JOIN (VALUES ('unit'), ('rollup')) AS sc(scope)
        LEFT JOIN scoped s
          ON s.period_start = p.period_start AND s.unit_code = t.unit_code
         AND s.scope = sc.scope
    )
    SELECT c.period_start, c.unit_code, c.unit_name, c.unit_level, c.parent_code, c.scope,
           c.received, c.received_online, c.online_eligible, c.online_eligible_received_online,
           c.finished, c.finished_on_time, c.payment_eligible, c.paid_online, c.digitised,
           c.overdue_open,
           c.finished_on_time::numeric / nullif(c.finished, 0),
           c.online_eligible_received_online::numeric / nullif(c.online_eligible, 0),
           c.paid_online::numeric / nullif(c.payment_eligible, 0),
           c.digitised::numeric / nullif(c.received, 0),
           b.on_time_band, b.online_band, b.online_payment_band,
           kpi.worst_band(b.on_time_band, b.online_band, b.online_payment_band),
           c.finished_late_subjective, c.procedures_received, c.procedures_level4,
           c.procedures_level4::numeric / nullif(c.procedures_received, 0),
           kpi.band_for(c.procedures_level4, c.procedures_received, p_cfg, 'level4_share'),
           kpi.band_for(c.digitised, c.received, p_cfg, 'digitisation'),
           c.lineage_partial
    FROM counts c
    CROSS JOIN LATERAL (
        SELECT kpi.band_for(c.finished_on_time, c.finished, p_cfg, 'on_time') AS on_time_band,
               kpi.band_for(c.online_eligible_received_online, c.online_eligible, p_cfg, 'online')
                   AS online_band,
               kpi.band_for(c.paid_online, c.payment_eligible, p_cfg, 'online_payment')
                   AS online_payment_band
    ) b
$$;
