-- Every unit version (a small table: validated whole).
SELECT u.unit_code, u.valid_from, u.valid_to, u.unit_name, u.unit_level, u.parent_code, u.gso_code
FROM ref.units u
