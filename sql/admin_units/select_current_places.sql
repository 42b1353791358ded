-- Communes of one current (34-province) province with their coordinates, from the
-- vietnamadminunits package's own SQLite database (:code, a two-digit GSO province code).
SELECT wardCode, ward, wardLat, wardLon
FROM admin_units
WHERE provinceCode = :code;
