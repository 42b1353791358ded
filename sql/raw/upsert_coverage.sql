-- One pulled change window of a source (kpi_pipeline/ingestion/coverage.py); staging has not
-- conformed this pull yet.
INSERT INTO raw.coverage
    (source, partition_key, window_start, window_end, pulled_at, records, run_id, conformed_at)
VALUES
    (%(source)s, %(partition_key)s, %(window_start)s, %(window_end)s, %(pulled_at)s,
     %(records)s, %(run_id)s, NULL)
ON CONFLICT (source, partition_key) DO UPDATE SET
    window_start = EXCLUDED.window_start,
    window_end = EXCLUDED.window_end,
    pulled_at = EXCLUDED.pulled_at,
    records = EXCLUDED.records,
    run_id = EXCLUDED.run_id,
    conformed_at = NULL
