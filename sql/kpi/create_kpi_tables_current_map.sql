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

-- The rows on today's map, with lineage_partial (kpi.unit_kpi_event_map_rows), from the
-- stored counts of p_source. Before p_source (issue 17), it took four arguments.
DROP FUNCTION IF EXISTS kpi.current_map_kpi_rows(date, date, interval, jsonb);
CREATE OR REPLACE FUNCTION kpi.current_map_kpi_rows(p_start date, p_end date, p_step interval,
                                                    p_cfg jsonb, p_source text)
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
    level4_share numeric, level4_band text, digitisation_band text,
    lineage_partial boolean)
LANGUAGE sql STABLE AS $$
    SELECT r.period_start, r.unit_code, r.unit_name, r.unit_level, r.parent_code, r.scope,
           r.received, r.received_online, r.online_eligible, r.online_eligible_received_online,
           r.finished, r.finished_on_time, r.payment_eligible, r.paid_online, r.digitised,
           r.overdue_open, r.on_time_rate, r.online_rate, r.online_payment_rate,
           r.digitisation_rate, r.on_time_band, r.online_band, r.online_payment_band,
           r.overall_band, r.finished_late_subjective, r.procedures_received, r.procedures_level4,
           r.level4_share, r.level4_band, r.digitisation_band, r.lineage_partial
    FROM kpi.unit_kpi_event_map_rows(p_start, p_end, p_step, p_cfg, ARRAY['current'], NULL,
                                     p_source) r
$$;
