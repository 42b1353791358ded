-- Dossiers received in each week of the window whose provincial and national payment views
-- disagree: provincial ThanhToan.HinhThuc = TRUC_TUYEN without a successful latest national
-- transaction, or a successful latest national transaction the provincial record does not
-- call online. The KPI (paid_online) follows the national side; this lists the mismatches,
-- with what the KPI counted (kpi.counts_as_paid_online on the latest transaction looked up
-- here: dossier_events need not look it up for every eligible dossier, issue 17).
INSERT INTO kpi.reconciliation_payments_weekly (
    period_start, unit_code, parent_code, ma_ho_so, procedure_code, payment_eligible,
    counts_as_paid_online, issue, provincial_method, provincial_tx, provincial_paid_at,
    national_tx, national_status, national_updated_at, national_any_success, computed_at)
WITH rcv AS (
    SELECT e.period_start, e.ma_ho_so, e.payment_eligible
    FROM kpi.dossier_events(%(start)s::date, %(end)s::date, %(step)s::interval) e
    WHERE e.event = 'received'
)
SELECT r.period_start, d.unit_code, u.parent_code, d.ma_ho_so, d.procedure_code,
       r.payment_eligible = 1, kpi.counts_as_paid_online(r.payment_eligible = 1, lp.status),
       CASE WHEN d.payment_method = 'TRUC_TUYEN' AND lp.transaction_id IS NULL
                THEN 'no_national_transaction'
            WHEN d.payment_method = 'TRUC_TUYEN' THEN 'national_not_successful'
            ELSE 'not_online_in_provincial' END,
       d.payment_method, d.payment_tx, d.paid_at,
       lp.transaction_id, lp.status, lp.updated_at, coalesce(lp.any_success, false), now()
FROM rcv r
JOIN staging.dossiers d ON d.ma_ho_so = r.ma_ho_so
 -- redundant (rcv holds dossiers received in the window only), so that the planner hashes
 -- the window's dossiers rather than the whole history's (it cannot see the events' bounds)
 AND d.received_at >= %(start)s::date::timestamp AT TIME ZONE kpi.local_tz()
 AND d.received_at < (%(end)s::date + %(step)s::interval) AT TIME ZONE kpi.local_tz()
LEFT JOIN LATERAL kpi.latest_payment(d.ma_ho_so) lp ON true
LEFT JOIN kpi.period_units(%(start)s::date, %(end)s::date, %(step)s::interval) u
  ON u.period_start = r.period_start AND u.unit_code = d.unit_code
WHERE coalesce(d.payment_method = 'TRUC_TUYEN', false)
   <> coalesce(lp.status = 'THANH_CONG', false)
  -- redundant (a dossier that is not TRUC_TUYEN and has no national transaction has no latest
  -- one: false on both sides), so that only the dossiers that may disagree have their latest
  -- transaction looked up (57,650 of 413,185 on 52 weeks at scale 0.25), after one key probe
  -- each (OFFSET 0: else the planner may hash every payment of the history instead)
  AND (d.payment_method = 'TRUC_TUYEN'
       OR EXISTS (SELECT 1 FROM staging.payments s WHERE s.ma_ho_so = d.ma_ho_so OFFSET 0));
