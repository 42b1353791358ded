-- Every unit's overall band as reports show it (rated band, 'low_volume' for too few
-- dossiers, the contract band in rows computed before the minimum-volume rule) per month
-- for the months [first, last].
SELECT k.unit_code, k.period_start,
       CASE WHEN k.low_volume THEN 'low_volume' WHEN k.low_volume IS NULL THEN k.overall_band
            ELSE k.overall_band_rated END AS overall_band
FROM kpi.unit_kpi_monthly k
WHERE k.period_start BETWEEN %(first)s AND %(last)s
  AND k.scope = 'unit'
  AND k.unit_level <> 'TINH';
