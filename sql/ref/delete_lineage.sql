-- The lineage is rebuilt whole from ref.units on every run.
DELETE FROM ref.unit_lineage;
DELETE FROM ref.unit_current_map;
