-- Units whose dossiers received in a checked week fell far below their recent weekly average
-- (or to nothing). Weeks start on Friday 00:00, Asia/Ho_Chi_Minh.
WITH weeks AS (SELECT DISTINCT b.partition_key::date AS week FROM (SELECT * FROM {batch}) AS b),
per_week AS (
    SELECT d.unit_code,
           (date_trunc('week', (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh') + interval '3 days')
            - interval '3 days')::date AS week,
           count(*) AS n
    FROM staging.dossiers d
    WHERE d.received_at >= ((SELECT min(week) FROM weeks) - 7 * {lookback})::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
      AND d.received_at < ((SELECT max(week) FROM weeks) + 7)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
      AND d.status <> 3
    GROUP BY 1, 2
)
SELECT u.unit_code, w.week, coalesce(cur.n, 0) AS received, hist.average
FROM weeks w
CROSS JOIN (SELECT DISTINCT unit_code FROM per_week) u
LEFT JOIN per_week cur ON cur.unit_code = u.unit_code AND cur.week = w.week
CROSS JOIN LATERAL (
    SELECT coalesce(sum(h.n), 0)::numeric / {lookback} AS average
    FROM per_week h
    WHERE h.unit_code = u.unit_code AND h.week >= w.week - 7 * {lookback} AND h.week < w.week
) hist
WHERE hist.average >= {min_average} AND coalesce(cur.n, 0) < hist.average * {min_ratio}
