-- The red units (own dossiers) of one period of {table}, with their headline rates in percent.
SELECT unit_code, unit_name, unit_level, 100 * on_time_rate, on_time_band,
       100 * online_rate, online_band, 100 * online_payment_rate, online_payment_band
FROM {table}
WHERE period_start = %(period)s AND scope = 'unit' AND overall_band = 'red'
ORDER BY unit_level, unit_code;
