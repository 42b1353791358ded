-- As insert_unit_kpi_weekly.sql, on today's map (kpi.current_map_kpi_rows), with lineage_partial.
INSERT INTO kpi.unit_kpi_weekly_current_map (
    period_start, unit_code, unit_name, unit_level, parent_code, scope,
    received, received_online, online_eligible, online_eligible_received_online, finished,
    finished_on_time, payment_eligible, paid_online, digitised, overdue_open,
    on_time_rate, online_rate, online_payment_rate, digitisation_rate,
    on_time_band, online_band, online_payment_band, overall_band,
    finished_late_subjective, procedures_received, procedures_level4, level4_share,
    level4_band, digitisation_band, lineage_partial,
    on_time_low_volume, online_low_volume, online_payment_low_volume, overall_band_rated,
    low_volume,
    computed_at)
SELECT
    period_start, unit_code, unit_name, unit_level, parent_code, scope,
    received, received_online, online_eligible, online_eligible_received_online, finished,
    finished_on_time, payment_eligible, paid_online, digitised, overdue_open,
    on_time_rate, online_rate, online_payment_rate, digitisation_rate,
    on_time_band, online_band, online_payment_band, overall_band,
    finished_late_subjective, procedures_received, procedures_level4, level4_share,
    level4_band, digitisation_band, lineage_partial,
    v.on_time_low_volume, v.online_low_volume, v.online_payment_low_volume,
    v.overall_band_rated, v.low_volume,
    now()
FROM kpi.current_map_kpi_rows(%(start)s::date, %(end)s::date, %(step)s::interval, %(cfg)s::jsonb,
                              'weekly') r
CROSS JOIN LATERAL kpi.volume_columns(finished, online_eligible, payment_eligible, on_time_band,
                                      online_band, online_payment_band, overall_band,
                                      %(cfg)s::jsonb) v;
