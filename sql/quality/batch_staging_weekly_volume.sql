-- Dossiers received per unit in each checked week, against the unit's own recent past: the
-- median, over the previous %(history_weeks)s weeks, of dossiers received per working day,
-- times the checked week's working days (so a week with Tet in it expects fewer). Working days
-- honour weekends, LE/BU days off and LAM_BU working Saturdays; days not yet over do not
-- count, so a week in progress is judged on its elapsed days. Units are those that received
-- something in the window and are valid (ref.units) during the checked week. (GX wants a query
-- asset to start with SELECT, hence the outer query.)
SELECT volume.*
FROM (
    WITH bounds AS (
        SELECT
            %(start)s::date AS first_week,
            %(end)s::date AS end_day,
            %(start)s::date - 7 * %(history_weeks)s AS history_start,
            (now() AT TIME ZONE kpi.local_tz())::date AS today
    ),
    weeks AS (
        SELECT g.week::date AS week_start
        FROM bounds
        CROSS JOIN generate_series(
            bounds.history_start::timestamp, (bounds.end_day - 7)::timestamp, %(step)s::interval
        ) AS g(week)
    ),
    week_days AS (
        SELECT
            w.week_start,
            count(*) FILTER (
                WHERE w.week_start + i.offset_days < bounds.today
                  AND CASE h.kind
                          WHEN 'LE' THEN false
                          WHEN 'BU' THEN false
                          WHEN 'LAM_BU' THEN true
                          ELSE extract(isodow FROM w.week_start + i.offset_days) < 6
                      END
            ) AS working_days
        FROM weeks w
        CROSS JOIN bounds
        CROSS JOIN generate_series(0, 6) AS i(offset_days)
        LEFT JOIN ref.holidays h ON h.day = w.week_start + i.offset_days
        GROUP BY w.week_start
    ),
    received AS (
        SELECT
            d.unit_code,
            d.local_day - mod(extract(isodow FROM d.local_day)::int + 2, 7) AS week_start,
            count(*) AS received
        FROM (
            SELECT s.unit_code, (s.received_at AT TIME ZONE kpi.local_tz())::date AS local_day
            FROM staging.dossiers s
            CROSS JOIN bounds
            WHERE s.received_at >= bounds.history_start::timestamp AT TIME ZONE kpi.local_tz()
              AND s.received_at < bounds.end_day::timestamp AT TIME ZONE kpi.local_tz()
        ) d
        GROUP BY 1, 2
    ),
    grid AS (
        SELECT u.unit_code, wd.week_start, wd.working_days, coalesce(r.received, 0) AS received
        FROM (SELECT DISTINCT unit_code FROM received) u
        CROSS JOIN week_days wd
        LEFT JOIN received r ON r.unit_code = u.unit_code AND r.week_start = wd.week_start
    ),
    baseline AS (
        SELECT
            g.unit_code,
            g.week_start,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY h.received::float8 / h.working_days)
                AS per_working_day
        FROM grid g
        CROSS JOIN bounds
        JOIN grid h
          ON h.unit_code = g.unit_code
         AND h.week_start < g.week_start
         AND h.week_start >= g.week_start - 7 * %(history_weeks)s
         AND h.working_days > 0
        WHERE g.week_start >= bounds.first_week
        GROUP BY g.unit_code, g.week_start
    )
    SELECT
        g.unit_code,
        g.week_start,
        g.received,
        g.working_days,
        round((b.per_working_day * g.working_days)::numeric, 1) AS expected
    FROM grid g
    CROSS JOIN bounds
    LEFT JOIN baseline b ON b.unit_code = g.unit_code AND b.week_start = g.week_start
    WHERE g.week_start >= bounds.first_week
      AND EXISTS (
          SELECT 1 FROM ref.units u
          WHERE u.unit_code = g.unit_code
            AND u.valid_from < g.week_start + 7
            AND (u.valid_to IS NULL OR u.valid_to >= g.week_start)
      )
) AS volume
