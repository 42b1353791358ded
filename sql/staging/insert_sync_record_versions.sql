INSERT INTO staging.sync_record_versions (
    partition_key, ma_ho_so, procedure_code, unit_code, status, channel, received_at, due_at,
    finished_at, synced_at, updated_at, run_id)
SELECT
    c.partition_key, c.ma_ho_so, c.procedure_code, c.unit_code, c.status, c.channel,
    c.received_at, c.due_at, c.finished_at, c.synced_at, c.updated_at, %(run_id)s
FROM conformed c
WHERE c.disposition = 'staged'
