-- Dossiers (or sync records) whose status (TrangThaiHoSo) is not one of 1..10.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.ma_ho_so, b.unit_code, b.status
FROM b
WHERE b.status IS NULL OR b.status NOT BETWEEN 1 AND 10
ORDER BY b.ma_ho_so
