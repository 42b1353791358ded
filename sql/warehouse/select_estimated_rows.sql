-- The planner's row count of %(table)s (its last ANALYZE; -1 if never analysed).
SELECT reltuples::bigint FROM pg_class WHERE oid = %(table)s::regclass
