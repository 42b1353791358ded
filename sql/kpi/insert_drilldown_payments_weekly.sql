-- Per week, unit and procedure: payment-eligible and paid-online dossiers received, from the
-- weeks' stored counts (kpi.unit_procedure_weekly: the rules of unit_kpi_weekly), ranked by
-- dossiers not paid online.
INSERT INTO kpi.drilldown_payments_weekly (
    period_start, unit_code, procedure_code, procedure_name, payment_eligible, paid_online,
    not_paid_online, not_paid_rank, computed_at)
WITH own AS (
    SELECT c.period_start, c.unit_code, c.procedure_code, c.payment_eligible, c.paid_online
    FROM kpi.stored_unit_procedure_counts(%(start)s::date, %(end)s::date, 'weekly') c
    WHERE c.payment_eligible > 0
)
SELECT o.period_start, o.unit_code, o.procedure_code, pr.procedure_name,
       o.payment_eligible, o.paid_online, o.payment_eligible - o.paid_online,
       CASE WHEN o.payment_eligible > o.paid_online THEN row_number() OVER (
           PARTITION BY o.period_start, o.unit_code
           ORDER BY o.payment_eligible - o.paid_online DESC, o.procedure_code) END,
       now()
FROM own o
LEFT JOIN ref.procedures pr ON pr.procedure_code = o.procedure_code;
