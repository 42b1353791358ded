SELECT b.unit_code, b.parent_code FROM (SELECT * FROM {batch}) AS b
WHERE b.parent_code IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM ref.units p WHERE p.unit_code = b.parent_code)
