-- Our monthly rates (kpi.unit_kpi_monthly rows of the configured scope, already computed for
-- the window) against the national portal's published ones (staging.chiso), per unit and KPI.
-- Flagged when |100 num/den - chiso| > tolerance, compared exactly: |100 num - chiso den| > tol den.
INSERT INTO kpi.reconciliation_chiso_monthly (
    period_start, unit_code, unit_name, kpi, scope, numerator, denominator, own_pct, chiso_pct,
    diff_pp, flagged, computed_at)
WITH cfg AS (
    SELECT (%(cfg)s::jsonb #>> '{reconciliation,chiso_scope}') AS scope,
           (%(cfg)s::jsonb #>> '{reconciliation,chiso_tolerance_pp}')::numeric AS tolerance
),
own AS (
    SELECT k.period_start, k.unit_code, k.unit_name, x.kpi, x.num, x.den
    FROM kpi.unit_kpi_monthly k
    CROSS JOIN LATERAL (VALUES
        ('on_time', k.finished_on_time, k.finished),
        ('online', k.online_eligible_received_online, k.online_eligible),
        ('online_payment', k.paid_online, k.payment_eligible)) AS x(kpi, num, den)
    WHERE k.period_start >= %(start)s::date AND k.period_start < %(end)s::date
      AND k.scope = (SELECT scope FROM cfg)
),
nat AS (
    SELECT c.month AS period_start, c.unit_code, x.kpi, x.pct
    FROM staging.chiso c
    CROSS JOIN LATERAL (VALUES
        ('on_time', c.on_time_pct),
        ('online', c.online_pct),
        ('online_payment', c.online_payment_pct)) AS x(kpi, pct)
    WHERE c.month >= %(start)s::date AND c.month < %(end)s::date
)
SELECT coalesce(o.period_start, n.period_start), coalesce(o.unit_code, n.unit_code),
       o.unit_name, coalesce(o.kpi, n.kpi), cfg.scope, o.num, o.den,
       round(100 * o.num::numeric / nullif(o.den, 0), 4),
       n.pct,
       round(100 * o.num::numeric / nullif(o.den, 0) - n.pct, 4),
       coalesce(o.den > 0 AND abs(100 * o.num::numeric - n.pct * o.den) > cfg.tolerance * o.den,
                false),
       now()
FROM own o
FULL JOIN nat n
  ON n.period_start = o.period_start AND n.unit_code = o.unit_code AND n.kpi = o.kpi
CROSS JOIN cfg;
