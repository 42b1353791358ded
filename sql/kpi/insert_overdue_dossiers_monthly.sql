-- Every dossier overdue and open at the end of each period, days overdue in working days.
INSERT INTO kpi.overdue_dossiers_monthly (
    period_start, unit_code, parent_code, ma_ho_so, procedure_code, procedure_name, channel,
    status, received_at, due_at, days_overdue, computed_at)
SELECT
    period_start, unit_code, parent_code, ma_ho_so, procedure_code, procedure_name, channel,
    status, received_at, due_at, days_overdue, now()
FROM kpi.overdue_dossier_rows(%(start)s::date, %(end)s::date, %(step)s::interval);
