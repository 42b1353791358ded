-- Every row of {table}.
SELECT count(*) FROM {table};
