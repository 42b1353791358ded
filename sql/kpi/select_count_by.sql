-- Rows of the window [start, end) of {table} by one column ({column}: an issue, a reason).
SELECT {column}, count(*)
FROM {table}
WHERE period_start >= %(start)s::date AND period_start < %(end)s::date
GROUP BY 1
ORDER BY 1;
