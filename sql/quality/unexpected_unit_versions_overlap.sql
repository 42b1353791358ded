-- Two versions of one unit valid on the same day (valid_to is inclusive): a dossier's unit
-- would resolve to two names, levels or parents.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT a.unit_code, a.valid_from, c.valid_from AS overlapping_valid_from
FROM b a
JOIN b c ON c.unit_code = a.unit_code AND c.valid_from > a.valid_from
WHERE a.valid_to IS NULL OR a.valid_to >= c.valid_from
ORDER BY a.unit_code, a.valid_from
