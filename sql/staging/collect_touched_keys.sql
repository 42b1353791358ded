-- Keys whose current row must be rebuilt: those the partitions held before this run
-- (the versions table and its key column are bound by the caller). A table made by one
-- CREATE ... AS, without an index: filling a primary key one key at a time cost 5 µs a key,
-- 2.5 s of an initial sync at scale 0.25 (issue 17); the merges join it by hash.
CREATE TEMP TABLE touched_before ON COMMIT DROP AS
SELECT DISTINCT {key} AS key FROM {versions} WHERE partition_key = ANY(%(keys)s);
DELETE FROM {versions} WHERE partition_key = ANY(%(keys)s);
