-- KPI rows whose rate is not numerator / denominator (null exactly when the denominator is 0):
-- each headline KPI of kpi.headline_kpis() (domain/headline.py), and the digitisation rate.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.period_start, b.unit_code, b.scope, k.kpi, k.rate, k.numerator, k.denominator
FROM b
-- OFFSET 0 keeps the row's jsonb one value: flattened, each reference would build it again
-- (nine times a row, 10x the check's time on a year's weeks).
CROSS JOIN LATERAL (SELECT to_jsonb(b) AS j OFFSET 0) AS r
CROSS JOIN LATERAL (
    SELECT h.rate, (r.j ->> h.rate)::numeric, (r.j ->> h.numerator)::bigint,
           (r.j ->> h.denominator)::bigint
    FROM kpi.headline_kpis() AS h
    UNION ALL
    VALUES ('digitisation_rate', b.digitisation_rate, b.digitised, b.received)
) AS k(kpi, rate, numerator, denominator)
WHERE CASE
          WHEN k.denominator = 0 THEN k.rate IS NOT NULL
          ELSE k.rate IS NULL OR abs(k.rate - k.numerator::numeric / k.denominator) > 0.000001
      END
ORDER BY b.period_start, b.unit_code, b.scope, k.kpi
