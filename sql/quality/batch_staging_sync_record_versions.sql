-- The national sync records the checked weeks conformed (staging.sync_records is rebuilt
-- from them).
SELECT
    v.partition_key, v.ma_ho_so, v.procedure_code, v.unit_code, v.status, v.channel,
    v.received_at, v.due_at, v.finished_at, v.synced_at, v.updated_at
FROM staging.sync_record_versions v
WHERE v.partition_key BETWEEN %(first_key)s AND %(last_key)s
