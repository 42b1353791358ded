-- Unit versions whose parent (MaDonViCha) is not a unit.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.unit_code, b.valid_from, b.parent_code
FROM b
LEFT JOIN (SELECT DISTINCT unit_code FROM b) p ON p.unit_code = b.parent_code
WHERE b.parent_code IS NOT NULL AND p.unit_code IS NULL
ORDER BY b.unit_code, b.valid_from
