SELECT b.ma_ho_so, b.unit_code FROM (SELECT * FROM {batch}) AS b
WHERE NOT EXISTS (SELECT 1 FROM ref.units u WHERE u.unit_code = b.unit_code)
