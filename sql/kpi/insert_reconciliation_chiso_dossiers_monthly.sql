-- For each flagged (month, unit, KPI) of kpi.reconciliation_chiso_monthly, the dossiers of the
-- compared scope that the national portal sees differently from the provincial record:
--   on_time: finished with us but missing, not finished (status), finished in another month or
--            judged differently on time nationally; or finished in the month only nationally;
--   online: online-eligible received dossiers missing nationally or with another channel;
--   online_payment: payment-eligible received dossiers missing nationally, or whose provincial
--            TRUC_TUYEN and the national latest transaction disagree.
INSERT INTO kpi.reconciliation_chiso_dossiers_monthly (
    period_start, unit_code, kpi, ma_ho_so, dossier_unit_code, procedure_code, reason,
    provincial_value, national_value, computed_at)
WITH flagged AS (
    SELECT f.period_start, f.unit_code, f.kpi, f.scope, p.window_start, p.window_end
    FROM kpi.reconciliation_chiso_monthly f
    JOIN kpi.periods(%(start)s::date, %(end)s::date, %(step)s::interval) p
      ON p.period_start = f.period_start
    WHERE f.flagged
),
members AS (
    SELECT f.period_start, f.unit_code, f.kpi, f.window_start, f.window_end,
           m.unit_code AS member_code
    FROM flagged f
    JOIN kpi.period_rollup_members(%(start)s::date, %(end)s::date, %(step)s::interval) m
      ON m.period_start = f.period_start AND m.ancestor_code = f.unit_code
    WHERE f.scope = 'rollup' OR m.unit_code = f.unit_code
),
events AS (
    SELECT e.* FROM kpi.dossier_events(%(start)s::date, %(end)s::date, %(step)s::interval) e
    WHERE e.event IN ('received', 'finished')
),
ours AS (  -- dossiers behind our figure, with the national record and payment
    SELECT m.period_start, m.unit_code, m.kpi, m.window_start, m.window_end,
           d.ma_ho_so, d.unit_code AS dossier_unit_code, d.procedure_code,
           d.status, d.channel, d.finished_at, d.due_at, d.payment_method,
           s.ma_ho_so IS NOT NULL AS synced, s.status AS n_status, s.channel AS n_channel,
           s.finished_at AS n_finished_at, s.due_at AS n_due_at,
           lp.status AS n_payment_status
    FROM members m
    JOIN events e ON e.period_start = m.period_start AND e.unit_code = m.member_code
    JOIN staging.dossiers d ON d.ma_ho_so = e.ma_ho_so
    LEFT JOIN staging.sync_records s ON s.ma_ho_so = d.ma_ho_so
    LEFT JOIN LATERAL kpi.latest_payment(d.ma_ho_so) lp ON m.kpi = 'online_payment'
    WHERE (m.kpi = 'on_time' AND e.finished = 1)
       OR (m.kpi = 'online' AND e.online_eligible = 1)
       OR (m.kpi = 'online_payment' AND e.payment_eligible = 1)
),
explained AS (
    SELECT o.period_start, o.unit_code, o.kpi, o.ma_ho_so, o.dossier_unit_code,
           o.procedure_code, x.reason, x.provincial_value, x.national_value
    FROM ours o
    CROSS JOIN LATERAL kpi.dossier_mismatch(
        o.kpi, o.synced, o.window_start, o.window_end, o.status, o.channel, o.finished_at, o.due_at,
        o.payment_method, o.n_status, o.n_channel, o.n_finished_at, o.n_due_at,
        o.n_payment_status) x
    WHERE x.reason IS NOT NULL
),
national_only AS (  -- finished in the month per the national record, not per ours
    SELECT m.period_start, m.unit_code, m.kpi, s.ma_ho_so, s.unit_code AS dossier_unit_code,
           s.procedure_code, 'finished_only_nationally' AS reason,
           CASE WHEN d.ma_ho_so IS NULL THEN 'unknown dossier'
                ELSE concat('status=', d.status, ' finished=',
                    coalesce(to_char(d.finished_at AT TIME ZONE kpi.local_tz(), 'YYYY-MM-DD HH24:MI'), 'none'))
           END AS provincial_value,
           concat('status=', s.status, ' finished=',
               to_char(s.finished_at AT TIME ZONE kpi.local_tz(), 'YYYY-MM-DD HH24:MI'))
               AS national_value
    FROM members m
    JOIN staging.sync_records s
      ON s.unit_code = m.member_code
     AND s.finished_at >= m.window_start AND s.finished_at < m.window_end
     AND s.status IN (9, 10)
    LEFT JOIN staging.dossiers d ON d.ma_ho_so = s.ma_ho_so
    WHERE m.kpi = 'on_time'
      AND NOT coalesce(d.status IN (9, 10)
                       AND d.finished_at >= m.window_start AND d.finished_at < m.window_end,
                       false)
)
SELECT period_start, unit_code, kpi, ma_ho_so, dossier_unit_code, procedure_code, reason,
       provincial_value, national_value, now()
FROM explained
UNION ALL
SELECT period_start, unit_code, kpi, ma_ho_so, dossier_unit_code, procedure_code, reason,
       provincial_value, national_value, now()
FROM national_only;
