-- Payment-eligible dossiers received in each week of the window that do not count as paid
-- online (kpi.counts_as_paid_online: the latest national transaction is not THANH_CONG, or
-- none), applied to the latest transaction this list looks up for its status column, not
-- looked up a second time inside kpi.dossier_events (issue 17).
INSERT INTO kpi.unpaid_online_dossiers_weekly (
    period_start, unit_code, parent_code, ma_ho_so, procedure_code, procedure_name,
    received_at, provincial_method, national_status, computed_at)
WITH eligible AS (
    SELECT e.period_start, e.ma_ho_so
    FROM kpi.dossier_events(%(start)s::date, %(end)s::date, %(step)s::interval) e
    WHERE e.event = 'received' AND e.payment_eligible = 1
)
SELECT x.period_start, d.unit_code, u.parent_code, d.ma_ho_so, d.procedure_code,
       pr.procedure_name, d.received_at, d.payment_method, lp.status, now()
FROM eligible x
JOIN staging.dossiers d ON d.ma_ho_so = x.ma_ho_so
LEFT JOIN LATERAL kpi.latest_payment(d.ma_ho_so) lp ON true
LEFT JOIN ref.procedures pr ON pr.procedure_code = d.procedure_code
LEFT JOIN kpi.period_units(%(start)s::date, %(end)s::date, %(step)s::interval) u
  ON u.period_start = x.period_start AND u.unit_code = d.unit_code
WHERE NOT kpi.counts_as_paid_online(true, lp.status);
