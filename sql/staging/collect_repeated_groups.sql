-- The groups of `ruled` that hold more than one row, (partition_key, record_key, rule IS NULL)
-- as rank_conformed.sql's windows group them: only these need the windows' sort. A record
-- without a key (record_key null, quarantined as missing_key) groups with the others without
-- a key, as PARTITION BY groups nulls: the key is (no_key, coalesce(record_key, '')), which
-- keeps a null key apart from '' and lets the joins hash. A table of its own, analysed: as a
-- CTE its size was unknown to the planner, which then sorted all of `ruled` for merge joins
-- (slower than the windows themselves).
CREATE TEMP TABLE repeated ON COMMIT DROP AS
SELECT r.partition_key, r.record_key IS NULL AS no_key, coalesce(r.record_key, '') AS key,
    r.rule IS NULL AS passed
FROM ruled r
GROUP BY 1, 2, 3, 4
HAVING count(*) > 1;
ANALYZE repeated;
