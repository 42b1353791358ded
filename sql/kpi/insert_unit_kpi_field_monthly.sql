-- The months of the window by field, for the roll-up of the province (a unit without parent)
-- and of every district or commune directly below it: the months' stored counts per unit and
-- procedure (kpi.unit_procedure_monthly: kpi.dossier_events' sums), by the procedure's field,
-- summed over the unit's roll-up members.
INSERT INTO kpi.unit_kpi_field_monthly (
    period_start, unit_code, unit_name, unit_level, field_code, field_name,
    received, received_online, online_eligible, online_eligible_received_online, finished,
    finished_on_time, finished_late_subjective, payment_eligible, paid_online, digitised,
    overdue_open, on_time_rate, online_rate, online_payment_rate,
    on_time_band, online_band, online_payment_band, computed_at)
WITH units AS MATERIALIZED (
    SELECT * FROM kpi.period_units(%(start)s::date, %(end)s::date, %(step)s::interval)
),
own AS (
    SELECT e.period_start, e.unit_code, coalesce(pr.field_code, '') AS field_code,
           sum(e.received) AS received, sum(e.received_online) AS received_online,
           sum(e.online_eligible) AS online_eligible,
           sum(e.online_eligible_received_online) AS online_eligible_received_online,
           sum(e.finished) AS finished, sum(e.finished_on_time) AS finished_on_time,
           sum(e.finished_late_subjective) AS finished_late_subjective,
           sum(e.payment_eligible) AS payment_eligible, sum(e.paid_online) AS paid_online,
           sum(e.digitised) AS digitised, sum(e.overdue_open) AS overdue_open
    FROM kpi.stored_unit_procedure_counts(%(start)s::date, %(end)s::date, 'monthly') e
    LEFT JOIN ref.procedures pr ON pr.procedure_code = e.procedure_code
    GROUP BY 1, 2, 3
),
rolled AS (
    SELECT m.period_start, m.ancestor_code AS unit_code, o.field_code,
           sum(o.received)::bigint AS received, sum(o.received_online)::bigint AS received_online,
           sum(o.online_eligible)::bigint AS online_eligible,
           sum(o.online_eligible_received_online)::bigint AS online_eligible_received_online,
           sum(o.finished)::bigint AS finished, sum(o.finished_on_time)::bigint AS finished_on_time,
           sum(o.finished_late_subjective)::bigint AS finished_late_subjective,
           sum(o.payment_eligible)::bigint AS payment_eligible,
           sum(o.paid_online)::bigint AS paid_online, sum(o.digitised)::bigint AS digitised,
           sum(o.overdue_open)::bigint AS overdue_open
    FROM kpi.period_rollup_members(%(start)s::date, %(end)s::date, %(step)s::interval) m
    JOIN own o ON o.period_start = m.period_start AND o.unit_code = m.unit_code
    GROUP BY 1, 2, 3
),
names AS (
    SELECT field_code, min(field_name) AS field_name
    FROM ref.procedures WHERE field_code IS NOT NULL GROUP BY field_code
)
SELECT r.period_start, r.unit_code, u.unit_name, u.unit_level, r.field_code, n.field_name,
       r.received, r.received_online, r.online_eligible, r.online_eligible_received_online,
       r.finished, r.finished_on_time, r.finished_late_subjective, r.payment_eligible,
       r.paid_online, r.digitised, r.overdue_open,
       r.finished_on_time::numeric / nullif(r.finished, 0),
       r.online_eligible_received_online::numeric / nullif(r.online_eligible, 0),
       r.paid_online::numeric / nullif(r.payment_eligible, 0),
       kpi.band_for(r.finished_on_time, r.finished, %(cfg)s::jsonb, 'on_time'),
       kpi.band_for(r.online_eligible_received_online, r.online_eligible, %(cfg)s::jsonb, 'online'),
       kpi.band_for(r.paid_online, r.payment_eligible, %(cfg)s::jsonb, 'online_payment'),
       now()
FROM rolled r
JOIN units u ON u.period_start = r.period_start AND u.unit_code = r.unit_code
LEFT JOIN units pu ON pu.period_start = u.period_start AND pu.unit_code = u.parent_code
LEFT JOIN names n ON n.field_code = r.field_code
-- the province, and the districts and communes directly below it (districts before the
-- reform; communes after it, when they report to the province)
WHERE u.parent_code IS NULL
   OR (u.unit_level IN ('HUYEN', 'XA') AND pu.unit_code IS NOT NULL AND pu.parent_code IS NULL);
