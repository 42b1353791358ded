-- Drill-down: for each given unit (the receiving unit), its dossiers overdue and still open at
-- the period's end, longest overdue first, with the count of all of them; from the KPI table
-- (kpi.overdue_dossiers_weekly or _monthly, filled in by the caller), which also gives the
-- working days overdue (after the due date, up to the period's last day).
SELECT r.unit_code, r.ma_ho_so, r.procedure_code, r.procedure_name, r.received_at, r.due_at,
       r.days_overdue, r.total
FROM (
    SELECT o.unit_code, o.ma_ho_so, o.procedure_code,
           coalesce(o.procedure_name, o.procedure_code) AS procedure_name,
           o.received_at, o.due_at, o.days_overdue,
           count(*) OVER (PARTITION BY o.unit_code) AS total,
           row_number() OVER (PARTITION BY o.unit_code ORDER BY o.due_at, o.ma_ho_so) AS rank
    FROM {overdue} o
    WHERE o.period_start = %(period_start)s
      AND o.unit_code = ANY(%(units)s)
) r
WHERE r.rank <= %(top)s
ORDER BY r.unit_code, r.rank;
