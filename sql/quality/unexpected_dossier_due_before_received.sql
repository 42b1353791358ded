-- Dossiers (or sync records) due (NgayHenTra) before they were received.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.ma_ho_so, b.unit_code, b.received_at, b.due_at
FROM b
WHERE b.due_at < b.received_at
ORDER BY b.ma_ho_so
