-- Dossiers (or sync records) finished (NgayKetThucXuLy) before they were received.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.ma_ho_so, b.unit_code, b.received_at, b.finished_at
FROM b
WHERE b.finished_at < b.received_at
ORDER BY b.ma_ho_so
