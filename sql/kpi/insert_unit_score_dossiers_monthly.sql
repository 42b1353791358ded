-- For each unit listed by kpi.unit_score_monthly.diff_rank in the months [start, end), and each
-- compared component whose points differ from the national figures', the dossiers of the
-- compared scope (the unit alone, or with its descendants for `rollup`) that the national
-- portal sees differently from the provincial record (staging.dossiers / staging.sync_records /
-- staging.payments):
--   on_time: finished with us but missing nationally, not finished there (status), finished in
--            another month there, or judged differently on time; or finished in the month only
--            nationally;
--   online: online-eligible dossiers received in the month, missing nationally or with
--            another channel;
--   online_payment: payment-eligible dossiers received in the month, missing nationally, or
--            whose provincial TRUC_TUYEN and the latest national transaction disagree.
INSERT INTO kpi.unit_score_dossiers_monthly (
    period_start, unit_code, component, ma_ho_so, dossier_unit_code, procedure_code, reason,
    provincial_value, national_value, computed_at)
WITH RECURSIVE listed AS (
    SELECT s.period_start, s.unit_code, s.scope,
           (s.period_start::timestamp AT TIME ZONE kpi.local_tz()) AS w_start,
           ((s.period_start + %(step)s::interval) AT TIME ZONE kpi.local_tz()) AS w_end,
           array_remove(ARRAY[
               CASE WHEN s.on_time_points <> s.national_on_time_points THEN 'on_time' END,
               CASE WHEN s.online_points <> s.national_online_points THEN 'online' END,
               CASE WHEN s.online_payment_points <> s.national_online_payment_points
                    THEN 'online_payment' END], NULL) AS components
    FROM kpi.unit_score_monthly s
    WHERE s.period_start >= %(start)s::date AND s.period_start < %(end)s::date
      AND s.diff_rank IS NOT NULL
),
members AS (  -- the listed unit, and for a roll-up every descendant (that month's parents)
    SELECT l.period_start, l.unit_code, l.unit_code AS member_code, l.scope
    FROM listed l
    UNION
    SELECT m.period_start, m.unit_code, k.unit_code, m.scope
    FROM members m
    JOIN kpi.unit_kpi_monthly k
      ON k.period_start = m.period_start AND k.scope = 'unit' AND k.parent_code = m.member_code
    WHERE m.scope = 'rollup'
),
todo AS (
    SELECT l.period_start, l.unit_code, l.w_start, l.w_end, c.component, m.member_code
    FROM listed l
    CROSS JOIN LATERAL unnest(l.components) AS c(component)
    JOIN members m ON m.period_start = l.period_start AND m.unit_code = l.unit_code
),
ours AS (  -- the dossiers behind our figure, with the national record and payment
    SELECT t.period_start, t.unit_code, t.component, t.w_start, t.w_end,
           d.ma_ho_so, d.unit_code AS dossier_unit_code, d.procedure_code, d.status, d.channel,
           d.finished_at, d.due_at, d.payment_method,
           s.ma_ho_so IS NOT NULL AS synced, s.status AS n_status, s.channel AS n_channel,
           s.finished_at AS n_finished_at, s.due_at AS n_due_at,
           lp.status AS n_payment_status
    FROM todo t
    JOIN staging.dossiers d ON d.unit_code = t.member_code
    LEFT JOIN ref.procedures p ON p.procedure_code = d.procedure_code
    LEFT JOIN staging.sync_records s ON s.ma_ho_so = d.ma_ho_so
    LEFT JOIN LATERAL (
        SELECT y.status FROM staging.payments y
        WHERE y.ma_ho_so = d.ma_ho_so
        ORDER BY y.updated_at DESC, y.transaction_id DESC
        LIMIT 1
    ) lp ON t.component = 'online_payment'
    WHERE (t.component = 'on_time' AND d.status IN (9, 10)
           AND d.finished_at >= t.w_start AND d.finished_at < t.w_end)
       OR (t.component = 'online' AND d.status <> 3
           AND d.received_at >= t.w_start AND d.received_at < t.w_end
           AND p.service_level IN (3, 4) AND p.integrated)
       OR (t.component = 'online_payment' AND d.status <> 3
           AND d.received_at >= t.w_start AND d.received_at < t.w_end
           AND p.has_fee AND p.online_payment)
),
explained AS (
    SELECT o.period_start, o.unit_code, o.component, o.ma_ho_so, o.dossier_unit_code,
           o.procedure_code, x.reason, x.provincial_value, x.national_value
    FROM ours o
    CROSS JOIN LATERAL kpi.dossier_mismatch(
        o.component, o.synced, o.w_start, o.w_end, o.status, o.channel, o.finished_at, o.due_at,
        o.payment_method, o.n_status, o.n_channel, o.n_finished_at, o.n_due_at,
        o.n_payment_status) x
    WHERE x.reason IS NOT NULL
),
national_only AS (  -- finished in the month per the national record, not per ours
    SELECT t.period_start, t.unit_code, t.component, s.ma_ho_so,
           s.unit_code AS dossier_unit_code, s.procedure_code,
           'finished_only_nationally' AS reason,
           CASE WHEN d.ma_ho_so IS NULL THEN 'unknown dossier'
                ELSE concat('status=', d.status, ' finished=',
                    coalesce(to_char(d.finished_at AT TIME ZONE kpi.local_tz(), 'YYYY-MM-DD HH24:MI'), 'none'))
           END AS provincial_value,
           concat('status=', s.status, ' finished=',
               to_char(s.finished_at AT TIME ZONE kpi.local_tz(), 'YYYY-MM-DD HH24:MI'))
               AS national_value
    FROM todo t
    JOIN staging.sync_records s
      ON s.unit_code = t.member_code AND s.status IN (9, 10)
     AND s.finished_at >= t.w_start AND s.finished_at < t.w_end
    LEFT JOIN staging.dossiers d ON d.ma_ho_so = s.ma_ho_so
    WHERE t.component = 'on_time'
      AND NOT coalesce(d.status IN (9, 10)
                       AND d.finished_at >= t.w_start AND d.finished_at < t.w_end, false)
)
SELECT period_start, unit_code, component, ma_ho_so, dossier_unit_code, procedure_code, reason,
       provincial_value, national_value, now()
FROM explained
UNION ALL
SELECT period_start, unit_code, component, ma_ho_so, dossier_unit_code, procedure_code, reason,
       provincial_value, national_value, now()
FROM national_only;
