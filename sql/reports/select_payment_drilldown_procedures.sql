-- Drill-down behind a red online payment rate: for each given unit, its procedures with the
-- most dossiers payable online but not paid online in the week (kpi.drilldown_payments_weekly).
SELECT d.unit_code, d.procedure_code,
       coalesce(d.procedure_name, d.procedure_code) AS procedure_name,
       d.not_paid_online AS count, d.payment_eligible AS total
FROM kpi.drilldown_payments_weekly d
WHERE d.period_start = %(period_start)s
  AND d.unit_code = ANY(%(units)s)
  AND d.not_paid_rank <= %(top)s
ORDER BY d.unit_code, d.not_paid_rank;
