-- The months of the window [start, end), from their own stored counts (kpi.unit_procedure_monthly,
-- counted from the dossiers: a month is not a sum of weeks), plus the peak-month columns: online against the peak target, and no dossier late
-- for subjective reasons beyond the configured maximum.
INSERT INTO kpi.unit_kpi_monthly (
    period_start, unit_code, unit_name, unit_level, parent_code, scope,
    received, received_online, online_eligible, online_eligible_received_online, finished,
    finished_on_time, payment_eligible, paid_online, digitised, overdue_open,
    on_time_rate, online_rate, online_payment_rate, digitisation_rate,
    on_time_band, online_band, online_payment_band, overall_band,
    finished_late_subjective, procedures_received, procedures_level4, level4_share,
    level4_band, digitisation_band,
    on_time_low_volume, online_low_volume, online_payment_low_volume, overall_band_rated,
    low_volume,
    computed_at, peak_month, peak_online_band, peak_late_subjective_ok)
SELECT
    period_start, unit_code, unit_name, unit_level, parent_code, scope,
    received, received_online, online_eligible, online_eligible_received_online, finished,
    finished_on_time, payment_eligible, paid_online, digitised, overdue_open,
    on_time_rate, online_rate, online_payment_rate, digitisation_rate,
    on_time_band, online_band, online_payment_band, overall_band,
    finished_late_subjective, procedures_received, procedures_level4, level4_share,
    level4_band, digitisation_band,
    v.on_time_low_volume, v.online_low_volume, v.online_payment_low_volume,
    v.overall_band_rated, v.low_volume,
    now(), pk.peak,
    CASE WHEN pk.peak THEN kpi.band(
        online_eligible_received_online, online_eligible,
        (%(cfg)s::jsonb #>> '{peak_months,targets,online,percent}')::numeric,
        (%(cfg)s::jsonb #>> '{peak_months,targets,online,strict}')::boolean,
        (%(cfg)s::jsonb #>> '{bands,yellow_within_pp}')::numeric,
        (%(cfg)s::jsonb #>> '{bands,orange_within_pp}')::numeric) END,
    CASE WHEN pk.peak THEN finished_late_subjective
        <= (%(cfg)s::jsonb #>> '{peak_months,targets,max_late_subjective}')::bigint END
FROM kpi.unit_kpi_rows(%(start)s::date, %(end)s::date, %(step)s::interval, %(cfg)s::jsonb,
                         'monthly') r
CROSS JOIN LATERAL kpi.volume_columns(finished, online_eligible, payment_eligible, on_time_band,
                                      online_band, online_payment_band, overall_band,
                                      %(cfg)s::jsonb) v
CROSS JOIN LATERAL (
    SELECT r.period_start >= (%(cfg)s::jsonb #>> '{peak_months,from}')::date
       AND extract(month FROM r.period_start)::int IN (
           SELECT jsonb_array_elements_text(%(cfg)s::jsonb #> '{peak_months,months}')::int)
       AS peak
) pk;
