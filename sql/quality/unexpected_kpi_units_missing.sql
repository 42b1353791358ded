-- Units valid in a checked period (a ref.units version overlapping it) without their `unit`
-- and `rollup` rows: the contract gives every unit rows, zero counts included.
WITH b AS (
    SELECT * FROM {batch}
),
periods AS (
    SELECT g.p::date AS period_start, (g.p + %(step)s::interval)::date AS period_end
    FROM generate_series(
        %(start)s::date::timestamp, (%(end)s::date - 1)::timestamp, %(step)s::interval
    ) AS g(p)
),
expected AS (
    SELECT DISTINCT p.period_start, u.unit_code, s.scope
    FROM periods p
    JOIN ref.units u
      ON u.valid_from < p.period_end AND (u.valid_to IS NULL OR u.valid_to >= p.period_start)
    CROSS JOIN (VALUES ('unit'), ('rollup')) AS s(scope)
)
SELECT e.period_start, e.unit_code, e.scope
FROM expected e
LEFT JOIN b ON b.period_start = e.period_start AND b.unit_code = e.unit_code AND b.scope = e.scope
WHERE b.unit_code IS NULL
ORDER BY e.period_start, e.unit_code, e.scope
