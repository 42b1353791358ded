-- The contract's counts per period, unit and procedure of the window [start, end), counted
-- from the dossiers once (kpi.unit_procedure_counts) for the weekly tables that read them.
INSERT INTO kpi.unit_procedure_weekly (
    period_start, unit_code, procedure_code, received, received_online, online_eligible,
    online_eligible_received_online, finished, finished_on_time, finished_late,
    finished_late_subjective, payment_eligible, paid_online, digitised, overdue_open,
    any_received, any_received_level4, computed_at)
SELECT
    period_start, unit_code, procedure_code, received, received_online, online_eligible,
    online_eligible_received_online, finished, finished_on_time, finished_late,
    finished_late_subjective, payment_eligible, paid_online, digitised, overdue_open,
    any_received, any_received_level4, now()
FROM kpi.unit_procedure_counts(%(start)s::date, %(end)s::date, %(step)s::interval);
