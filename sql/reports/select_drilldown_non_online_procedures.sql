-- Drill-down (computed from staging until the KPI drill-down tables exist): for each given
-- unit, its procedures with the most online-eligible dossiers not received online in the
-- window [start, end). Online-eligible: received (status <> 3) for a level-3/4 procedure
-- integrated on the national portal; online: channel 2.
WITH eligible AS (
    SELECT d.unit_code, d.procedure_code, p.procedure_name,
           count(*) AS total,
           count(*) FILTER (WHERE d.channel <> 2) AS not_online
    FROM staging.dossiers d
    JOIN ref.procedures p ON p.procedure_code = d.procedure_code
    WHERE d.unit_code = ANY(%(units)s)
      AND d.status <> 3
      AND d.received_at >= %(start)s AND d.received_at < %(end)s
      AND p.service_level IN (3, 4)
      AND p.integrated
    GROUP BY d.unit_code, d.procedure_code, p.procedure_name
), ranked AS (
    SELECT e.*, row_number() OVER (
               PARTITION BY e.unit_code ORDER BY e.not_online DESC, e.total DESC, e.procedure_code
           ) AS rank
    FROM eligible e
    WHERE e.not_online > 0
)
SELECT r.unit_code, r.procedure_code, r.procedure_name, r.not_online AS count, r.total
FROM ranked r
WHERE r.rank <= %(top)s
ORDER BY r.unit_code, r.rank;
