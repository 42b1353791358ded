-- Rows of {table} for one period.
SELECT count(*) FROM {table} WHERE period_start = %(period)s;
