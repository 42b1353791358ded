-- The groups of `ruled` that may hold more than one row, for rank_conformed.sql: only these
-- need the windows' sort. A group (partition_key, record_key, rule IS NULL, as the windows
-- group them) is named by a 64-bit hash of its partition and key: a narrow key the aggregate
-- hashes in a few batches (the texts themselves took 2-3x longer). Two groups sharing a hash
-- (or a null key sharing '' 's) only send a lone row through the windows too, which give it
-- exactly what rank_conformed.sql's shortcut gives; a group is never split between the two.
-- A table of its own, analysed: as a CTE of unknown size the planner sorted all of `ruled`
-- for merge joins (slower than the windows themselves).
CREATE TEMP TABLE repeated ON COMMIT DROP AS
SELECT hashtextextended(r.partition_key || '/' || coalesce(r.record_key, ''), 0) AS h,
    r.rule IS NULL AS passed
FROM ruled r
GROUP BY 1, 2
HAVING count(*) > 1;
ANALYZE repeated;
