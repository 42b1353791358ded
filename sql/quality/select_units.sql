SELECT u.unit_code, u.valid_from, u.valid_to, u.unit_level, u.parent_code FROM ref.units u
