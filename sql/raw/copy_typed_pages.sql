-- Portal items streamed into the raw table {table}, as fetched, with the content hash and the
-- fields the loader typed ({columns}: kpi_pipeline/ingestion/typed_fields.py; `typed` is false,
-- and they are null, for a record left to conform's reading of the JSON).
COPY {table} (partition_key, page, payload, run_id, fetched_at, content_hash, typed, {columns}) FROM STDIN;
