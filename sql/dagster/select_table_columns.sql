-- The columns of one published table, in order, with their types as PostgreSQL names them
-- (the `dagster/column_schema` of its materialisations: kpi_pipeline/warehouse/table_metadata.py).
SELECT a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       col_description(a.attrelid, a.attnum) AS description
FROM pg_attribute a
WHERE a.attrelid = to_regclass(%(table)s)
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY a.attnum;
