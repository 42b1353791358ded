-- How many periods of the window [start, end) {table} holds, and the last of them (the one a
-- report shows).
SELECT count(DISTINCT period_start) AS periods, max(period_start) AS last_period
FROM {table}
WHERE period_start >= %(start)s::date AND period_start < %(end)s::date;
