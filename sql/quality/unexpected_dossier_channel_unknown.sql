-- Dossiers (or sync records) whose channel (KenhThucHien) is not 1 (in person), 2 (online)
-- or 3 (postal).
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.ma_ho_so, b.unit_code, b.channel
FROM b
WHERE b.channel IS NULL OR b.channel NOT IN (1, 2, 3)
ORDER BY b.ma_ho_so
