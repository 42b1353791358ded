-- Districts and communes of one legacy (63-province) province with their coordinates, from the
-- vietnamadminunits package's own SQLite database (:code, a two-digit GSO province code).
SELECT provinceBounds, districtCode, district, districtLat, districtLon,
       wardCode, ward, wardLat, wardLon
FROM admin_units_legacy
WHERE provinceCode = :code;
