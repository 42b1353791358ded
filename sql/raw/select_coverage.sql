-- Every pulled change window of a source, oldest first.
SELECT partition_key::date AS week, pulled_at, conformed_at
FROM raw.coverage
WHERE source = %(source)s
ORDER BY partition_key
