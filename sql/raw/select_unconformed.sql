-- The weeks of a source pulled since staging last conformed them.
SELECT partition_key
FROM raw.coverage
WHERE source = %(source)s AND (conformed_at IS NULL OR conformed_at < pulled_at)
ORDER BY partition_key
