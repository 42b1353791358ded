-- Dossiers whose receiving unit (MaDonVi) has no version in ref.units.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.ma_ho_so, b.unit_code
FROM b
LEFT JOIN (SELECT DISTINCT unit_code FROM ref.units) u ON u.unit_code = b.unit_code
WHERE u.unit_code IS NULL
ORDER BY b.ma_ho_so
