-- Staging conformed these weeks of a source from the raw rows of their latest pull.
UPDATE raw.coverage
SET conformed_at = greatest(pulled_at, %(conformed_at)s)
WHERE source = %(source)s AND partition_key = ANY(%(keys)s)
