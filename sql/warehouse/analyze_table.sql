-- Fresh planner statistics for {table}, uncommitted rows of this transaction included, so
-- later statements of the same transaction are planned on its real size.
ANALYZE {table};
