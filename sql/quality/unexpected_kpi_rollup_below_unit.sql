-- A unit's roll-up (itself and its descendants) counting less than its own dossiers: the
-- counts behind each headline KPI of kpi.headline_kpis() (domain/headline.py), and the others.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT u.period_start, u.unit_code
FROM b u
JOIN b r ON r.period_start = u.period_start AND r.unit_code = u.unit_code AND r.scope = 'rollup'
WHERE u.scope = 'unit'
  AND (r.received < u.received OR r.received_online < u.received_online
       OR r.digitised < u.digitised OR r.overdue_open < u.overdue_open
       OR EXISTS (
           SELECT 1  -- each row's jsonb built once (OFFSET 0), not once per count column
           FROM (SELECT to_jsonb(r) AS rj, to_jsonb(u) AS uj OFFSET 0) AS j
           CROSS JOIN kpi.headline_kpis() AS h
           CROSS JOIN LATERAL (VALUES (h.numerator), (h.denominator)) AS c(count_column)
           WHERE (j.rj ->> c.count_column)::bigint < (j.uj ->> c.count_column)::bigint
       ))
ORDER BY u.period_start, u.unit_code
