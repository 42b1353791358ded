-- Every unit's overall band per week for the weeks [first, last]: the heatmap.
SELECT k.unit_code, k.period_start, k.overall_band
FROM kpi.unit_kpi_weekly k
WHERE k.period_start BETWEEN %(first)s AND %(last)s
  AND k.scope = 'unit'
  AND k.unit_level <> 'TINH';
