-- Drill-down (computed from staging until the KPI drill-down tables exist): for each given
-- unit, its dossiers overdue and still open at the window's end, longest overdue first, with
-- the count of all of them. Overdue open: not finished by `end`, due before `end`, not
-- refused (3), withdrawn (7) or suspended (8) (the latest known status stands for the status
-- at `end`). Days overdue: working days d with due date < d <= `as_of` (the report date),
-- from the holiday calendar (LE, BU off; LAM_BU on; otherwise Monday to Friday).
WITH overdue AS (
    SELECT d.unit_code, d.ma_ho_so, d.procedure_code, d.received_at, d.due_at,
           count(*) OVER (PARTITION BY d.unit_code) AS total
    FROM staging.dossiers d
    WHERE d.unit_code = ANY(%(units)s)
      AND d.received_at < %(end)s
      AND d.due_at < %(end)s
      AND (d.finished_at IS NULL OR d.finished_at >= %(end)s)
      AND d.status NOT IN (3, 7, 8)
), ranked AS (
    SELECT o.*, row_number() OVER (
               PARTITION BY o.unit_code ORDER BY o.due_at, o.ma_ho_so
           ) AS rank
    FROM overdue o
)
SELECT r.unit_code, r.ma_ho_so, r.procedure_code,
       coalesce(p.procedure_name, r.procedure_code) AS procedure_name,
       r.received_at, r.due_at,
       (SELECT count(*)
          FROM generate_series((r.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 1,
                               %(as_of)s::date, interval '1 day') AS g(day)
          LEFT JOIN ref.holidays h ON h.day = g.day::date
         WHERE CASE WHEN h.kind IN ('LE', 'BU') THEN false
                    WHEN h.kind = 'LAM_BU' THEN true
                    ELSE extract(isodow FROM g.day) < 6 END) AS days_overdue,
       r.total
FROM ranked r
LEFT JOIN ref.procedures p ON p.procedure_code = r.procedure_code
WHERE r.rank <= %(top)s
ORDER BY r.unit_code, r.rank;
