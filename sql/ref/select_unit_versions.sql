-- Every unit version, the input of the lineage (kpi_pipeline.domain.lineage.UnitVersion).
SELECT unit_code, unit_name, unit_level, parent_code, gso_code, valid_from, valid_to
FROM ref.units
ORDER BY unit_code, valid_from
