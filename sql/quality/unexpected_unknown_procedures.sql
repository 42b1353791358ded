SELECT b.ma_ho_so, b.procedure_code FROM (SELECT * FROM {batch}) AS b
WHERE NOT EXISTS (SELECT 1 FROM ref.procedures p WHERE p.procedure_code = b.procedure_code)
