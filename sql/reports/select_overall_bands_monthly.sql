-- Every unit's overall band per month for the months [first, last].
SELECT k.unit_code, k.period_start, k.overall_band
FROM kpi.unit_kpi_monthly k
WHERE k.period_start BETWEEN %(first)s AND %(last)s
  AND k.scope = 'unit'
  AND k.unit_level <> 'TINH';
