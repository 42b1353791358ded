-- Portal items streamed into the raw table {table}, as fetched.
COPY {table} (partition_key, page, payload, run_id, fetched_at) FROM STDIN;
