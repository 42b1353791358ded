-- From `ruled` (one typed row per raw record, with partition_key, record_key, updated_at,
-- content_hash, rule) to `conformed`: within a partition, the latest version of a key is
-- staged and older ones are superseded; identical repeats (a record served on two pages) are
-- superseded too; two different contents at the same latest instant are quarantined as
-- `conflicting_duplicate`, since neither can be trusted over the other.
CREATE TEMP TABLE conformed ON COMMIT DROP AS
WITH ranked AS (
    -- The windows compare only rows that passed the rules (`rule IS NULL` is part of the key).
    SELECT
        r.*,
        row_number() OVER latest AS rn,
        max(r.updated_at) OVER by_key AS latest_at,
        min(r.content_hash) OVER same_instant <> max(r.content_hash) OVER same_instant AS conflict
    FROM ruled r
    WINDOW latest AS (PARTITION BY r.partition_key, r.record_key, r.rule IS NULL
                      ORDER BY r.updated_at DESC, r.content_hash),
           by_key AS (PARTITION BY r.partition_key, r.record_key, r.rule IS NULL),
           same_instant AS (PARTITION BY r.partition_key, r.record_key, r.rule IS NULL, r.updated_at)
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
