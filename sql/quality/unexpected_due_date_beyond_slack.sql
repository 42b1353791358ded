-- Dossiers whose due date (NgayHenTra) grants more working days than the procedure's
-- processing time plus %(slack)s working days of slack. Working days between receipt and due
-- date are counted on a calendar of the span: weekends off, LE/BU days off, LAM_BU Saturdays on
-- (WorkingCalendar.due_at in SQL: due = receipt time on the n-th working day after receipt).
WITH b AS (
    SELECT * FROM {batch}
),
dossiers AS (
    SELECT
        b.ma_ho_so, b.unit_code, b.procedure_code, b.received_at, b.due_at,
        (b.received_at AT TIME ZONE kpi.local_tz())::date AS received_day,
        (b.due_at AT TIME ZONE kpi.local_tz())::date AS due_day
    FROM b
),
span AS (
    SELECT min(received_day) AS lo, max(greatest(received_day, due_day)) AS hi FROM dossiers
),
calendar AS (
    SELECT
        g.day::date AS day,
        count(*) FILTER (
            WHERE CASE h.kind
                      WHEN 'LE' THEN false
                      WHEN 'BU' THEN false
                      WHEN 'LAM_BU' THEN true
                      ELSE extract(isodow FROM g.day) < 6
                  END
        ) OVER (ORDER BY g.day) AS working_index
    FROM span
    CROSS JOIN generate_series(span.lo::timestamp, span.hi::timestamp, interval '1 day') AS g(day)
    LEFT JOIN ref.holidays h ON h.day = g.day::date
)
SELECT
    d.ma_ho_so,
    d.unit_code,
    d.procedure_code,
    p.processing_days,
    dc.working_index - rc.working_index AS working_days_granted,
    d.received_at,
    d.due_at
FROM dossiers d
JOIN ref.procedures p ON p.procedure_code = d.procedure_code
JOIN calendar rc ON rc.day = d.received_day
JOIN calendar dc ON dc.day = d.due_day
WHERE dc.working_index - rc.working_index > p.processing_days + %(slack)s
ORDER BY d.ma_ho_so
