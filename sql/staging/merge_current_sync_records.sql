-- Latest version of every sync record touched by this run (see merge_current_dossiers.sql).
DELETE FROM staging.sync_records s USING touched t WHERE s.ma_ho_so = t.key;

INSERT INTO staging.sync_records (
    ma_ho_so, procedure_code, unit_code, status, channel, received_at, due_at, finished_at,
    synced_at, updated_at, source_partition, run_id)
SELECT DISTINCT ON (v.ma_ho_so)
    v.ma_ho_so, v.procedure_code, v.unit_code, v.status, v.channel, v.received_at, v.due_at,
    v.finished_at, v.synced_at, v.updated_at, v.partition_key, v.run_id
FROM staging.sync_record_versions v
JOIN touched t ON t.key = v.ma_ho_so
ORDER BY v.ma_ho_so, v.updated_at DESC, v.partition_key DESC;
