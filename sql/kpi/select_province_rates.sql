-- The province roll-up of one period of {table}, rates in percent (two decimals); of two roots
-- (the reform's week) the province unit first.
SELECT unit_code, round(100 * on_time_rate, 2), round(100 * online_rate, 2),
       round(100 * online_payment_rate, 2), round(100 * digitisation_rate, 2), overall_band
FROM {table}
WHERE period_start = %(period)s AND scope = 'rollup' AND parent_code IS NULL
ORDER BY (unit_level = 'TINH') DESC, unit_code
LIMIT 1;
