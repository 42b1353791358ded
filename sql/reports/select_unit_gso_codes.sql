-- The GSO code (MaHanhChinh) of each given unit: its version valid on %(day)s, else its latest
-- version begun by then (the map places districts and communes by this code).
SELECT DISTINCT ON (u.unit_code) u.unit_code, u.gso_code
FROM ref.units u
WHERE u.unit_code = ANY(%(units)s)
  AND u.valid_from <= %(day)s
ORDER BY u.unit_code, u.valid_from DESC;
