-- Dossiers due later than receipt + the procedure's processing time + {slack} working days.
-- Working days come from ref.holidays (LE/BU off, LAM_BU on) over a calendar whose running
-- index numbers the working days, so "n working days after d" is a join, not a loop.
WITH cal AS (
    SELECT c.day, c.working,
           sum(CASE WHEN c.working THEN 1 ELSE 0 END) OVER (ORDER BY c.day) AS idx
    FROM (
        SELECT d::date AS day,
               CASE WHEN h.kind = 'LAM_BU' THEN true
                    WHEN h.kind IN ('LE', 'BU') THEN false
                    ELSE extract(isodow FROM d) < 6 END AS working
        FROM generate_series(date '2020-01-01', date '2032-12-31', interval '1 day') d
        LEFT JOIN ref.holidays h ON h.day = d::date
    ) c
),
nth AS (SELECT idx, day FROM cal WHERE working)
SELECT b.ma_ho_so,
       (b.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS due_day,
       e.day AS latest_allowed_day
FROM (SELECT * FROM {batch}) AS b
JOIN ref.procedures p ON p.procedure_code = b.procedure_code
JOIN cal r ON r.day = (b.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
JOIN nth e ON e.idx = r.idx + p.processing_days + {slack}
WHERE (b.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date > e.day
