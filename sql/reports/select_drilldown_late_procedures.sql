-- Drill-down (computed from staging until the KPI drill-down tables exist): for each given
-- unit, its procedures with the most dossiers finished late in the window [start, end).
-- Finished: `NgayKetThucXuLy` in the window, status 9 or 10; late: after `NgayHenTra`.
WITH finished AS (
    SELECT d.unit_code, d.procedure_code,
           count(*) AS total,
           count(*) FILTER (WHERE d.finished_at > d.due_at) AS late
    FROM staging.dossiers d
    WHERE d.unit_code = ANY(%(units)s)
      AND d.status IN (9, 10)
      AND d.finished_at >= %(start)s AND d.finished_at < %(end)s
    GROUP BY d.unit_code, d.procedure_code
), ranked AS (
    SELECT f.*, row_number() OVER (
               PARTITION BY f.unit_code ORDER BY f.late DESC, f.total DESC, f.procedure_code
           ) AS rank
    FROM finished f
    WHERE f.late > 0
)
SELECT r.unit_code, r.procedure_code, coalesce(p.procedure_name, r.procedure_code) AS procedure_name,
       r.late AS count, r.total
FROM ranked r
LEFT JOIN ref.procedures p ON p.procedure_code = r.procedure_code
WHERE r.rank <= %(top)s
ORDER BY r.unit_code, r.rank;
