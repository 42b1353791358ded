-- The procedure catalogue of each level at the month's end (kpi.procedure_catalogue_monthly).
SELECT c.unit_level, c.procedures, c.procedures_level4, c.procedures_online_eligible,
       c.level4_share, c.level4_band
FROM kpi.procedure_catalogue_monthly c
WHERE c.period_start = %(period_start)s
ORDER BY array_position(ARRAY['TINH', 'HUYEN', 'XA'], c.unit_level), c.unit_level;
