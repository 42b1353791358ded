-- From `ruled` (one typed row per raw record, with partition_key, record_key, updated_at,
-- content_hash, rule) to `conformed`: within a partition, the latest version of a key is
-- staged and older ones are superseded; identical repeats (a record served on two pages) are
-- superseded too; two different contents at the same latest instant are quarantined as
-- `conflicting_duplicate`, since neither can be trusted over the other.
-- The windows compare only rows that passed the rules (`rule IS NULL` is part of the group).
-- Most groups (partition_key, record_key, rule IS NULL) hold one row, whose windows are known
-- without sorting: rn 1, latest_at its own updated_at, conflict `h <> h` (false, or null for a
-- null hash, as min(h) <> max(h) over that one row). Only the groups that may hold several
-- rows (`repeated`, by hash: collect_repeated_groups.sql) are sorted for the windows: sorting
-- every wide row of `ruled` was the costliest statement of an initial sync (3.2 s at scale
-- 0.25, issue 17).
CREATE TEMP TABLE conformed ON COMMIT DROP AS
WITH ranked AS (
    SELECT
        r.*,
        row_number() OVER latest AS rn,
        max(r.updated_at) OVER by_key AS latest_at,
        min(r.content_hash) OVER same_instant <> max(r.content_hash) OVER same_instant AS conflict
    FROM ruled r
    JOIN repeated x
      ON x.h = hashtextextended(r.partition_key || '/' || coalesce(r.record_key, ''), 0)
     AND x.passed = (r.rule IS NULL)
    WINDOW latest AS (PARTITION BY r.partition_key, r.record_key, r.rule IS NULL
                      ORDER BY r.updated_at DESC, r.content_hash),
           by_key AS (PARTITION BY r.partition_key, r.record_key, r.rule IS NULL),
           same_instant AS (PARTITION BY r.partition_key, r.record_key, r.rule IS NULL, r.updated_at)
    UNION ALL
    SELECT r.*, 1::bigint, r.updated_at, r.content_hash <> r.content_hash
    FROM ruled r
    WHERE NOT EXISTS (
        SELECT 1 FROM repeated x
        WHERE x.h = hashtextextended(r.partition_key || '/' || coalesce(r.record_key, ''), 0)
          AND x.passed = (r.rule IS NULL))
),
final AS (
    SELECT
        k.*,
        coalesce(
            k.rule,
            CASE WHEN k.rule IS NULL AND k.conflict AND k.updated_at = k.latest_at
                 THEN 'conflicting_duplicate' END
        ) AS final_rule
    FROM ranked k
)
SELECT
    f.*,
    CASE
        WHEN f.final_rule IS NOT NULL THEN 'quarantined'
        WHEN f.rn = 1 THEN 'staged'
        ELSE 'superseded'
    END AS disposition,
    CASE
        WHEN f.rule IS NULL AND f.final_rule IS NOT NULL
            THEN 'two different records share this key and NgayCapNhat'
        ELSE f.detail
    END AS final_detail
FROM final f;
