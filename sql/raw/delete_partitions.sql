-- Remove a raw table's rows of the given partitions (the table is bound by the caller).
DELETE FROM {table} WHERE partition_key = ANY(%(keys)s)
