-- Whether the versions table (bound by the caller) holds any version outside this run's
-- partitions, theirs just deleted (collect_touched_keys.sql): if not, every version of a
-- touched key is one this run stages, and merge_new_<name>.sql may build the current rows.
SELECT EXISTS (SELECT 1 FROM {versions})
