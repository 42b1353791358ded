-- The month by field (kpi.unit_kpi_field_monthly): the province first, then each district;
-- within a unit the fields with the most dossiers received first.
SELECT f.unit_code, f.unit_name, f.unit_level, f.field_code, f.field_name, f.received,
       f.finished, f.finished_on_time, f.online_eligible, f.online_eligible_received_online,
       f.on_time_rate, f.online_rate, f.on_time_band, f.online_band
FROM kpi.unit_kpi_field_monthly f
WHERE f.period_start = %(period_start)s
ORDER BY (f.unit_level = 'TINH') DESC, f.unit_name, f.received DESC, f.field_code;
