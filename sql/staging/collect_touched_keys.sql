-- Keys whose current row must be rebuilt: those the partitions held before this run
-- (the versions table and its key column are bound by the caller).
CREATE TEMP TABLE touched (key text PRIMARY KEY) ON COMMIT DROP;
INSERT INTO touched SELECT DISTINCT {key} FROM {versions} WHERE partition_key = ANY(%(keys)s);
DELETE FROM {versions} WHERE partition_key = ANY(%(keys)s);
