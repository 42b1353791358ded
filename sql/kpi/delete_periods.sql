-- The rows of one published table ({table}) whose periods begin in the window [start, end):
-- what a partition window replaces. {period}: the column naming a row's period.
DELETE FROM {table} WHERE {period} >= %(start)s::date AND {period} < %(end)s::date;
