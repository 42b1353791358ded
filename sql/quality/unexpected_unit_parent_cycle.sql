-- Unit versions whose chain of parents (MaDonViCha), followed among the versions valid on the
-- day the version starts, comes back on itself (A's parent is B, B's parent is A): no unit on
-- such a chain reaches the province, so the roll-ups would silently leave them out.
WITH RECURSIVE b AS (
    SELECT * FROM {batch}
),
walk (unit_code, valid_from, day, next_code, path, cycle) AS (
    SELECT v.unit_code, v.valid_from, v.valid_from, v.parent_code, ARRAY[v.unit_code],
           v.parent_code = v.unit_code
    FROM b v
    WHERE v.parent_code IS NOT NULL
    UNION ALL
    SELECT w.unit_code, w.valid_from, w.day, p.parent_code, w.path || p.unit_code,
           p.parent_code = ANY(w.path || p.unit_code)
    FROM walk w
    JOIN b p ON p.unit_code = w.next_code
            AND p.valid_from <= w.day AND (p.valid_to IS NULL OR p.valid_to >= w.day)
    WHERE NOT w.cycle AND p.parent_code IS NOT NULL AND cardinality(w.path) < 64
)
SELECT DISTINCT w.unit_code, w.valid_from, array_to_string(w.path, ' -> ') AS parent_chain
FROM walk w
WHERE w.cycle
ORDER BY w.unit_code, w.valid_from
