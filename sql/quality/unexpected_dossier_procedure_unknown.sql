-- Dossiers whose procedure (MaTTHC) is not in ref.procedures.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.ma_ho_so, b.unit_code, b.procedure_code
FROM b
LEFT JOIN ref.procedures p ON p.procedure_code = b.procedure_code
WHERE p.procedure_code IS NULL
ORDER BY b.ma_ho_so
