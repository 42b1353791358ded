-- Per week, unit and procedure: payment-eligible and paid-online dossiers received, counted by
-- kpi.dossier_events (the rules of unit_kpi_weekly), ranked by dossiers not paid online.
INSERT INTO kpi.drilldown_payments_weekly (
    period_start, unit_code, procedure_code, procedure_name, payment_eligible, paid_online,
    not_paid_online, not_paid_rank, computed_at)
WITH own AS (
    SELECT e.period_start, e.unit_code, e.procedure_code,
           sum(e.payment_eligible) AS payment_eligible, sum(e.paid_online) AS paid_online
    FROM kpi.dossier_events(%(start)s::date, %(end)s::date, %(step)s::interval) e
    WHERE e.event = 'received' AND e.payment_eligible = 1
    GROUP BY e.period_start, e.unit_code, e.procedure_code
)
SELECT o.period_start, o.unit_code, o.procedure_code, pr.procedure_name,
       o.payment_eligible, o.paid_online, o.payment_eligible - o.paid_online,
       CASE WHEN o.payment_eligible > o.paid_online THEN row_number() OVER (
           PARTITION BY o.period_start, o.unit_code
           ORDER BY o.payment_eligible - o.paid_online DESC, o.procedure_code) END,
       now()
FROM own o
LEFT JOIN ref.procedures pr ON pr.procedure_code = o.procedure_code;
