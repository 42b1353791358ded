-- KPI rows whose rate is not numerator / denominator (null exactly when the denominator is 0).
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.period_start, b.unit_code, b.scope, k.kpi, k.rate, k.numerator, k.denominator
FROM b
CROSS JOIN LATERAL (
    VALUES
        ('on_time_rate', b.on_time_rate, b.finished_on_time, b.finished),
        ('online_rate', b.online_rate, b.online_eligible_received_online, b.online_eligible),
        ('online_payment_rate', b.online_payment_rate, b.paid_online, b.payment_eligible),
        ('digitisation_rate', b.digitisation_rate, b.digitised, b.received)
) AS k(kpi, rate, numerator, denominator)
WHERE CASE
          WHEN k.denominator = 0 THEN k.rate IS NOT NULL
          ELSE k.rate IS NULL OR abs(k.rate - k.numerator::numeric / k.denominator) > 0.000001
      END
ORDER BY b.period_start, b.unit_code, b.scope, k.kpi
