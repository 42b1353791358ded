-- Units with overdue dossiers in the window [start, end) of {table}, and the most days overdue.
SELECT count(DISTINCT unit_code), max(days_overdue)
FROM {table}
WHERE period_start >= %(start)s::date AND period_start < %(end)s::date;
