-- Dossiers finished (9) or returned (10) without a finish date: the KPIs count a dossier as
-- finished by NgayKetThucXuLy, so such a dossier is never finished and may count as overdue.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.ma_ho_so, b.unit_code, b.status
FROM b
WHERE b.status IN (9, 10) AND b.finished_at IS NULL
ORDER BY b.ma_ho_so
