-- The province (TINH) has no parent and every other unit has one: roll-ups hang on it.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.unit_code, b.valid_from, b.unit_level, b.parent_code
FROM b
WHERE (b.unit_level = 'TINH') <> (b.parent_code IS NULL)
ORDER BY b.unit_code, b.valid_from
