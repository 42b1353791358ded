-- Units whose dossiers received in a week fall outside [%(low_ratio)s, %(high_ratio)s] x their
-- baseline (batch_staging_weekly_volume.sql), when at least %(min_expected)s were expected.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT
    b.unit_code,
    b.week_start,
    CASE
        WHEN b.received = 0 THEN 'silent'
        WHEN b.received < b.expected THEN 'low'
        ELSE 'high'
    END AS issue,
    b.received,
    b.expected,
    b.working_days
FROM b
WHERE b.expected >= %(min_expected)s
  AND (b.received < b.expected * %(low_ratio)s OR b.received > b.expected * %(high_ratio)s)
ORDER BY b.unit_code, b.week_start
